from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from lms.auth.models import ROLES
from lms.auth.passwords import policy_errors
from lms.forms import FilterForm, label_choices, name_field


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


class PasswordPolicy:
    def __init__(self, username_field=None):
        self.username_field = username_field

    def __call__(self, form, field):
        if not field.data:
            return
        username = form[self.username_field].data if self.username_field else ""
        errors = policy_errors(field.data, username or "")
        if errors:
            raise ValidationError(" ".join(str(e) for e in errors))


class AccountForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[DataRequired(), Length(min=3, max=80),
                    Regexp(r"^[a-zA-Z0-9._@+-]+$", message=_l("Chỉ dùng chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang, @ (địa chỉ thư)."))],
    )
    display_name = name_field(_l("Họ và tên hiển thị"))
    staff_id_number = StringField(_l("Số định danh của cán bộ (nếu có)"), validators=[Optional(), Length(max=20)])
    password = PasswordField(_l("Mật khẩu"), validators=[Optional(), PasswordPolicy("username")])
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[EqualTo("password", message=_l("Hai mật khẩu không khớp."))])
    roles = SelectMultipleField(_l("Vai trò"), choices=[(key, _l(label)) for key, label in ROLES.items()])
    unit_code = StringField(_l("Mã đơn vị phụ trách (cán bộ tổ chức, giảng viên, cán bộ coi thi; để trống: toàn thành phố)"),
                            validators=[Optional(), Length(max=40)])
    enabled = BooleanField(_l("Đang hoạt động"), default=True)


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), PasswordPolicy()])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[EqualTo("password", message=_l("Hai mật khẩu không khớp."))])


class AccountFilterForm(FilterForm):
    q = StringField(_l("Tìm kiếm"), validators=[Optional()])
    role = SelectField(_l("Vai trò"), choices=label_choices(ROLES, first=("", _l("Tất cả"))), validators=[Optional()])


class ActivateForm(FlaskForm):
    """First sign-in (or a new code from HR): username and one-time code, then one's own password."""

    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    code = StringField(_l("Mã kích hoạt"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(max=200), PasswordPolicy("username")])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[EqualTo("password", message=_l("Hai mật khẩu không khớp."))])


class ForgotPasswordForm(FlaskForm):
    identifier = StringField(_l("Tên đăng nhập hoặc địa chỉ thư điện tử"), validators=[DataRequired(), Length(max=200)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(max=200), PasswordPolicy()])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[EqualTo("password", message=_l("Hai mật khẩu không khớp."))])


class ProvisionForm(FlaskForm):
    include_subunits = BooleanField(_l("Cả các đơn vị trực thuộc"), default=True)


class SlipsForm(FlaskForm):
    include_emailed = BooleanField(_l("Cả những người đã nhận mã qua thư điện tử (mã trong thư sẽ hết hiệu lực)"))

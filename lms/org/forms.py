from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from lms.catalogue.models import MODULE_LEVELS, TITLE_GROUPS
from lms.forms import FilterForm, code_field, label_choices, name_field
from lms.org.models import SEXES, STAFF_STATUSES, UNIT_KINDS


class StaffForm(FlaskForm):
    full_name = name_field(_l("Họ và tên"))
    birth_date = DateField(_l("Ngày sinh"), validators=[Optional()])
    birth_place = StringField(_l("Nơi sinh"), validators=[Optional(), Length(max=200)])
    sex = SelectField(_l("Giới tính"), choices=label_choices(SEXES, first=("", "—")), validators=[Optional()])
    id_number = StringField(
        _l("Số định danh (CCCD/CMND)"),
        validators=[DataRequired(), Regexp(r"^(\d{9}|\d{12})$", message=_l("Gồm 9 hoặc 12 chữ số."))],
    )
    unit_id = SelectField(_l("Đơn vị"), coerce=int)
    title_id = SelectField(_l("Chức danh"), coerce=int)
    email = StringField(_l("Thư điện tử"), validators=[Optional(), Email(), Length(max=200)])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), Length(max=30)])
    status = SelectField(_l("Trạng thái"), choices=label_choices(STAFF_STATUSES))


class StaffFilterForm(FilterForm):
    q = StringField(_l("Tìm theo tên, số định danh, thư điện tử"), validators=[Optional()])
    unit = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    title = SelectField(_l("Chức danh"), coerce=int, validators=[Optional()])
    status = SelectField(_l("Trạng thái"), choices=label_choices(STAFF_STATUSES, first=("", _l("Tất cả"))), validators=[Optional()])


class UnitForm(FlaskForm):
    code, name = code_field(_l("Mã đơn vị")), name_field(_l("Tên đơn vị"))
    kind = SelectField(_l("Loại đơn vị"), choices=label_choices(UNIT_KINDS))
    parent_id = SelectField(_l("Đơn vị cấp trên"), coerce=int)
    bloc_id = SelectField(_l("Khối thi đua"), coerce=int)


class UnitLifecycleForm(FlaskForm):
    action = SelectField(_l("Thao tác"), choices=[("close", _l("Giải thể")), ("merge", _l("Sáp nhập vào đơn vị khác"))])
    target_code = StringField(_l("Mã đơn vị tiếp nhận (khi sáp nhập)"), validators=[Optional(), Length(max=40)])
    effective_on = DateField(_l("Ngày hiệu lực"), validators=[Optional()])
    reason = TextAreaField(_l("Căn cứ, lý do"), validators=[DataRequired(), Length(max=1000)])


class ImportUploadForm(FlaskForm):
    file = FileField(_l("Tệp danh sách (.xlsx hoặc .csv)"), validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Chỉ nhận tệp .xlsx hoặc .csv."))])


class ConfirmForm(FlaskForm):
    pass


class ModuleForm(FlaskForm):
    name = name_field(_l("Tên mô đun"))
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=200)])
    level = SelectField(_l("Trình độ"), choices=label_choices(MODULE_LEVELS))


class TitleForm(FlaskForm):
    code, name = code_field(_l("Mã chức danh")), name_field(_l("Tên chức danh"))
    group = SelectField(_l("Nhóm"), choices=label_choices(TITLE_GROUPS))
    active = BooleanField(_l("Đang sử dụng"), default=True)
    modules = SelectMultipleField(_l("Mô đun bắt buộc (lộ trình học)"), coerce=int)


class BlocForm(FlaskForm):
    code, name = code_field(_l("Mã khối")), name_field(_l("Tên khối thi đua"))

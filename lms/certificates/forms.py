from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.catalogue.models import CERTIFICATE_KINDS
from lms.certificates.models import REVIEW_STATES, STATUSES
from lms.forms import FilterForm, label_choices


class RegisterFilterForm(FilterForm):
    q = StringField(_l("Họ tên hoặc số hiệu"), validators=[Optional(), Length(max=100)])
    year = SelectField(_l("Năm cấp"), coerce=int, validators=[Optional()])
    unit = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    kind = SelectField(_l("Loại chứng chỉ"), choices=label_choices(CERTIFICATE_KINDS, first=("", _l("Tất cả"))), validators=[Optional()])
    status = SelectField(_l("Tình trạng"), choices=label_choices(STATUSES, first=("", _l("Tất cả"))), validators=[Optional()])
    review = SelectField(_l("Xem xét lại"), choices=label_choices(REVIEW_STATES, first=("", _l("Tất cả"))), validators=[Optional()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=1000)])


class ReissueForm(FlaskForm):
    holder_name = StringField(_l("Họ và tên (in trên chứng chỉ)"), validators=[DataRequired(), Length(max=200)])
    birth_date = DateField(_l("Ngày sinh"), validators=[Optional()])
    birth_place = StringField(_l("Nơi sinh"), validators=[Optional(), Length(max=200)])
    reason = TextAreaField(_l("Lý do cấp lại"), validators=[DataRequired(), Length(max=1000)])


class VerifyUploadForm(FlaskForm):
    document = FileField(_l("Tệp chứng chỉ (PDF, hoặc chứng chỉ số .jwt)"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    pass

"""Forms of the trainers' side of exams (cấu trúc đề, kỳ thi, coi thi, chấm thi)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.exams.models import BLUEPRINT_KINDS, REVIEW_LEVELS, SESSION_STATUSES
from lms.forms import label_choices, name_field
from lms.messages import N_

REVIEW_LABELS = {
    "none": N_("Không cho xem"),
    "score": N_("Chỉ xem điểm"),
    "correctness": N_("Điểm và câu đúng/sai"),
    "answers": N_("Điểm, câu đúng/sai và đáp án"),
}
DIFFICULTY_CHOICES = [("", _l("Mọi mức độ")), ("easy", _l("Dễ")), ("medium", _l("Trung bình")), ("hard", _l("Khó"))]
REGISTERED = "*"  # the quota's module: each module the candidate registered for
THEORY_QUOTA_ROWS = 12
PRACTICAL_QUOTA_ROWS = 6
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class QuotaForm(Form):
    module = SelectField(_l("Mô đun"), choices=[], default="", validate_choice=False)
    syllabus_prefix = StringField(_l("Mã nội dung (tùy chọn)"), validators=[Optional(), Length(max=30), Regexp(r"^IU\d{2}(\.\d+)*$", message=_l("Dạng IU04.3.1"))])
    difficulty = SelectField(_l("Mức độ"), choices=DIFFICULTY_CHOICES, default="")
    count = IntegerField(_l("Số câu"), validators=[Optional(), NumberRange(min=1, max=200)])


class BlueprintForm(FlaskForm):
    name = name_field(_l("Tên cấu trúc đề"))
    kind = SelectField(_l("Loại đề"), choices=label_choices(BLUEPRINT_KINDS))
    description = TextAreaField(_l("Mô tả"), validators=[Optional(), Length(max=2000)])
    offered_modules = SelectMultipleField(_l("Mô đun nâng cao thí sinh được đăng ký (đề nâng cao)"), choices=[], validate_choice=False)
    theory_title = StringField(_l("Tên phần lý thuyết"), default="Lý thuyết (trắc nghiệm)", validators=[DataRequired(), Length(max=200)])
    theory_minutes = IntegerField(_l("Thời gian (phút)"), default=30, validators=[DataRequired(), NumberRange(min=1, max=600)])
    theory_max_score = FloatField(_l("Thang điểm"), default=10, validators=[DataRequired(), NumberRange(min=1, max=100)])
    theory_pass_mark = FloatField(_l("Điểm đạt"), default=5, validators=[Optional(), NumberRange(min=0, max=100)])
    theory_quotas = FieldList(FormField(QuotaForm), min_entries=THEORY_QUOTA_ROWS)
    has_practical = BooleanField(_l("Có phần thực hành"), default=True)
    practical_title = StringField(_l("Tên phần thực hành"), default="Thực hành", validators=[Optional(), Length(max=200)])
    practical_minutes = IntegerField(_l("Thời gian (phút)"), default=90, validators=[Optional(), NumberRange(min=1, max=600)])
    practical_max_score = FloatField(_l("Thang điểm"), default=10, validators=[Optional(), NumberRange(min=1, max=100)])
    practical_pass_mark = FloatField(_l("Điểm đạt"), default=5, validators=[Optional(), NumberRange(min=0, max=100)])
    practical_quotas = FieldList(FormField(QuotaForm), min_entries=PRACTICAL_QUOTA_ROWS)


class SessionForm(FlaskForm):
    name = name_field(_l("Tên kỳ thi / đợt thi"))
    blueprint_id = SelectField(_l("Cấu trúc đề"), coerce=int)
    organiser_unit_id = SelectField(_l("Đơn vị tổ chức"), coerce=int)
    council = StringField(_l("Hội đồng thi"), validators=[Optional(), Length(max=300)])
    location = StringField(_l("Địa điểm"), validators=[Optional(), Length(max=300)])
    opens_at = DateTimeLocalField(_l("Giờ mở"), format=DATETIME_FORMAT, validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Giờ đóng"), format=DATETIME_FORMAT, validators=[DataRequired()])
    attempts_allowed = IntegerField(_l("Số lần thi được phép"), default=1, validators=[DataRequired(), NumberRange(min=1, max=10)])
    access_code = PasswordField(_l("Mã dự thi (để trống: giữ nguyên)"), validators=[Optional(), Length(min=4, max=40)])
    clear_access_code = BooleanField(_l("Bỏ mã dự thi"))
    allowed_networks = TextAreaField(_l("Dải địa chỉ được phép (CIDR, mỗi dòng một dải; để trống: mọi nơi)"), validators=[Optional(), Length(max=4000)])
    grace_seconds = IntegerField(_l("Thời gian chờ lưu sau giờ nộp (giây)"), default=30, validators=[DataRequired(), NumberRange(min=0, max=600)])
    review_after_submit = SelectField(_l("Thí sinh xem ngay sau khi nộp"), choices=[(k, _l(REVIEW_LABELS[k])) for k in REVIEW_LEVELS], default="score")
    review_after_close = SelectField(_l("Thí sinh xem sau khi kỳ thi đóng"), choices=[(k, _l(REVIEW_LABELS[k])) for k in REVIEW_LEVELS], default="correctness")
    results_released_at = DateTimeLocalField(_l("Giờ công bố kết quả (để trống: theo chính sách xem bài)"), format=DATETIME_FORMAT, validators=[Optional()])
    status = SelectField(_l("Trạng thái"), choices=label_choices(SESSION_STATUSES))
    double_marking = BooleanField(_l("Chấm thực hành hai vòng (hai giám khảo)"))
    reconcile_threshold = FloatField(_l("Chênh lệch tối đa giữa hai giám khảo (điểm)"), default=1.0, validators=[DataRequired(), NumberRange(min=0, max=10)])
    rooms = TextAreaField(_l("Phòng thi (mỗi dòng: Tên phòng | sức chứa | cán bộ coi thi)"), validators=[Optional(), Length(max=8000)])


class CandidatesByUnitForm(FlaskForm):
    # Any unit id is taken; the view loads it within the reader's scope (403 outside it).
    unit_id = SelectField(_l("Đơn vị (gồm cả đơn vị trực thuộc)"), coerce=int, validators=[DataRequired()], validate_choice=False)
    title_id = SelectField(_l("Chức danh"), coerce=int)


class CandidateImportForm(FlaskForm):
    file = FileField(_l("Tệp danh sách thí sinh (.xlsx, .csv)"), validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Chỉ nhận tệp .xlsx hoặc .csv."))])


class CandidateForm(FlaskForm):
    room_id = SelectField(_l("Phòng thi"), coerce=int)
    registered_modules = SelectMultipleField(_l("Mô đun nâng cao đăng ký"), choices=[], validate_choice=False)


class ExtraTimeForm(FlaskForm):
    extra_minutes = FloatField(_l("Cộng thêm (phút)"), default=0, validators=[Optional(), NumberRange(min=0, max=600)])
    extra_multiplier = FloatField(_l("Hệ số thời gian"), default=1.0, validators=[Optional(), NumberRange(min=1, max=3)])
    reason = StringField(_l("Lý do"), validators=[DataRequired(), Length(max=500)])


class ReopenForm(FlaskForm):
    minutes = FloatField(_l("Thời gian mở lại (phút)"), default=10, validators=[DataRequired(), NumberRange(min=1, max=240)])
    reason = TextAreaField(_l("Lý do (ghi vào nhật ký)"), validators=[DataRequired(), Length(min=5, max=1000)])


class RegradeForm(FlaskForm):
    reason = TextAreaField(_l("Lý do chấm lại"), validators=[DataRequired(), Length(min=5, max=1000)])


class MarkingForm(FlaskForm):
    """The rubric scores arrive as score-<attempt question id>-<criterion index> fields."""

    note = StringField(_l("Nhận xét của giám khảo (thí sinh đọc được khi chính sách xem bài cho phép)"), validators=[Optional(), Length(max=500)])


class ConfirmForm(FlaskForm):
    pass

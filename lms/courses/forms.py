"""Forms of the courses area: course and lesson authoring, uploads, assignments, progress filters."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.forms import FilterForm, name_field


class CourseForm(FlaskForm):
    title = name_field(_l("Tên khóa học"))
    description = TextAreaField(_l("Giới thiệu"), validators=[Optional(), Length(max=5000)])
    published = BooleanField(_l("Công bố cho học viên"))


class LessonForm(FlaskForm):
    title = StringField(_l("Tên bài giảng"), validators=[DataRequired(), Length(max=300)])
    syllabus_code = SelectField(_l("Mã nội dung (chương trình)"), validators=[DataRequired()])
    slug = StringField(
        _l("Đường dẫn (chữ thường không dấu, gạch ngang; để trống để tạo từ tên bài)"),
        validators=[Optional(), Length(max=120), Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Chỉ gồm chữ thường không dấu, số và dấu gạch ngang."))],
    )
    minutes = IntegerField(_l("Thời lượng (phút)"), default=20, validators=[DataRequired(), NumberRange(min=1, max=600)])
    body = TextAreaField(_l("Nội dung (Markdown)"), validators=[Optional(), Length(max=200_000)])
    published = BooleanField(_l("Công bố cho học viên"))


class UploadForm(FlaskForm):
    file = FileField(_l("Tệp"), validators=[FileRequired()])


class BuilderAttachmentForm(FlaskForm):
    builder = SelectField(_l("Tệp thực hành do hệ thống tạo"), validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A bare POST with its CSRF token (publish, move, delete)."""


class AssignmentForm(FlaskForm):
    course_id = SelectField(_l("Khóa học"), coerce=int, validators=[DataRequired()])
    # Checked in the view against the user's scope (403 outside it), not only against the listed choices.
    unit_id = SelectField(_l("Đơn vị (cả các đơn vị trực thuộc)"), coerce=int, validators=[Optional()], validate_choice=False)
    title_id = SelectField(_l("Chức danh"), coerce=int, validators=[Optional()], validate_choice=False)
    deadline = DateField(_l("Hạn hoàn thành"), validators=[DataRequired()])
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=500)])


class ProgressFilterForm(FilterForm):
    group = SelectField(_l("Thống kê theo"), choices=[("unit", _l("Đơn vị")), ("title", _l("Chức danh"))], default="unit")

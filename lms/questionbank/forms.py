"""Forms of the question banks, and the mapping between the question form and QuestionData."""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from lms.forms import FilterForm, label_choices, name_field
from lms.i18n import N_
from lms.questionbank import graded_answers
from lms.questionbank.models import DIFFICULTIES, POOLS, QUESTION_STATUSES
from lms.questionbank.schema import STATUSES, TYPES, Choice, QuestionData, nfc
from lms.questionbank.types import PRACTICAL_EXTENSIONS, get_type

TEXT_FORMATS = {"markdown": N_("Markdown"), "html": N_("HTML"), "plain": N_("Văn bản thuần")}
EXPORT_FORMATS = {"native": ("yaml", "Tệp YAML (định dạng gốc)"), "gift": ("gift", "GIFT (Moodle)"),
                  "moodlexml": ("xml", "Moodle XML"), "xlsx": ("xlsx", "Excel (.xlsx)")}
IMPORT_EXTENSIONS = ["yaml", "yml", "gift", "txt", "xml", "xlsx"]
# Blank rows offered below the existing ones; the script adds more on demand.
SPARE_ROWS = 2


def _blank(label):
    return [("", label)]


class BankForm(FlaskForm):
    name = name_field(_l("Tên ngân hàng"))
    description = TextAreaField(_l("Mô tả"), validators=[Optional(), Length(max=2000)])


class ShareForm(FlaskForm):
    user_id = SelectField(_l("Chia sẻ với giảng viên"), coerce=int)


class QuestionFilterForm(FilterForm):
    q = StringField(_l("Tìm trong nội dung"), validators=[Optional()])
    bank = SelectField(_l("Ngân hàng"), coerce=int, validators=[Optional()])
    module = SelectField(_l("Mô đun"), coerce=int, validators=[Optional()])
    syllabus = StringField(_l("Mã nội dung"), validators=[Optional(), Length(max=30)])
    type = SelectField(_l("Loại"), validators=[Optional()])
    difficulty = SelectField(_l("Mức độ"), choices=label_choices(DIFFICULTIES, first=("", _l("Tất cả"))), validators=[Optional()])
    status = SelectField(_l("Trạng thái"), choices=label_choices(QUESTION_STATUSES, first=("", _l("Tất cả"))), validators=[Optional()])
    pool = SelectField(_l("Dùng cho"), choices=label_choices(POOLS, first=("", _l("Tất cả"))), validators=[Optional()])
    author = SelectField(_l("Người soạn"), coerce=int, validators=[Optional()])


class ChoiceEntry(Form):
    text = TextAreaField(_l("Phương án"), validators=[Optional(), Length(max=5000)])
    correct = BooleanField(_l("Đúng"))
    weight = StringField(_l("Trọng số % (tùy chọn)"), validators=[Optional(), Regexp(r"^-?\d{1,3}([.,]\d+)?$")])
    feedback = StringField(_l("Phản hồi"), validators=[Optional(), Length(max=2000)])


class PairEntry(Form):
    left = StringField(_l("Vế trái"), validators=[Optional(), Length(max=1000)])
    right = StringField(_l("Vế phải"), validators=[Optional(), Length(max=1000)])


class RubricEntry(Form):
    criterion = StringField(_l("Tiêu chí"), validators=[Optional(), Length(max=1000)])
    points = StringField(_l("Điểm"), validators=[Optional(), Regexp(r"^\d{1,3}([.,]\d+)?$")])


def _readable_lines(parse):
    """A validator: the box's lines read by `parse` (graded_answers), or the line that cannot be."""
    def check(form, field):
        try:
            parse(_text(field.data))
        except graded_answers.AnswerLineError as error:
            raise ValidationError(error.translated(gettext)) from None
    return check


class QuestionForm(FlaskForm):
    key = StringField(_l("Mã câu hỏi"), validators=[DataRequired(), Length(max=120), Regexp(r"^[\w.\-]+$", message=_l("Chỉ dùng chữ, số, dấu chấm, gạch ngang, gạch dưới."))])
    module = SelectField(_l("Mô đun"))
    syllabus = StringField(_l("Mã nội dung (vd. IU04.3.1)"), validators=[Optional(), Length(max=30)])
    difficulty = SelectField(_l("Mức độ"), choices=label_choices(DIFFICULTIES), default="medium")
    pool = SelectField(_l("Dùng cho"), choices=label_choices(POOLS), default="exam")
    # The view offers only the statuses the editor may set (workflow.settable_statuses); any
    # other valid one posted is handled by the services as the workflow says.
    status = SelectField(_l("Trạng thái sau khi lưu"), choices=label_choices(QUESTION_STATUSES), default="draft", validate_choice=False,
                         validators=[AnyOf(STATUSES)])
    tags = StringField(_l("Thẻ (phân cách bằng dấu phẩy)"), validators=[Optional(), Length(max=500)])
    title = StringField(_l("Tiêu đề ngắn (tùy chọn)"), validators=[Optional(), Length(max=200)])
    text_format = SelectField(_l("Định dạng nội dung"), choices=label_choices(TEXT_FORMATS), default="markdown")
    text = TextAreaField(_l("Nội dung câu hỏi"), validators=[DataRequired(), Length(max=20000)])
    points = StringField(_l("Điểm"), default="1", validators=[DataRequired(), Regexp(r"^\d{1,3}([.,]\d+)?$")])
    shuffle = BooleanField(_l("Đảo thứ tự phương án"), default=True)
    choices = FieldList(FormField(ChoiceEntry), min_entries=0)
    answer_bool = SelectField(_l("Đáp án"), choices=[("true", _l("Đúng")), ("false", _l("Sai"))], default="true")
    answer_number = StringField(_l("Đáp án (số)"), validators=[Optional(), Regexp(r"^-?\d+([.,]\d+)?$")])
    tolerance = StringField(_l("Sai số cho phép (±)"), default="0", validators=[Optional(), Regexp(r"^\d+([.,]\d+)?$")])
    answers = TextAreaField(_l("Các đáp án được chấp nhận (mỗi dòng một đáp án)"),
                            validators=[Optional(), Length(max=5000), _readable_lines(graded_answers.parse_text_lines)])
    other_answers = TextAreaField(_l("Các đáp án khác (tùy chọn)"),
                                  validators=[Optional(), Length(max=5000), _readable_lines(graded_answers.parse_numeric_lines)])
    correct_feedback = TextAreaField(_l("Phản hồi khi trả lời đúng"), validators=[Optional(), Length(max=2000)])
    incorrect_feedback = TextAreaField(_l("Phản hồi khi trả lời sai"), validators=[Optional(), Length(max=2000)])
    case_sensitive = BooleanField(_l("Phân biệt chữ hoa, chữ thường"))
    pairs = FieldList(FormField(PairEntry), min_entries=0)
    rubric = FieldList(FormField(RubricEntry), min_entries=0)
    extensions = SelectMultipleField(_l("Loại tệp được nộp"), choices=[(e, e) for e in PRACTICAL_EXTENSIONS])
    explanation = TextAreaField(_l("Giải thích đáp án"), validators=[Optional(), Length(max=10000)])
    change_note = StringField(_l("Ghi chú thay đổi"), validators=[Optional(), Length(max=500)])


def _text(value):
    """NFC, with the browser's CRLF line ends made LF: an unchanged form is unchanged content."""
    return nfc((value or "").replace("\r\n", "\n").replace("\r", "\n"))


def _number(text, default=0.0):
    text = (text or "").strip().replace(",", ".")
    return float(text) if text else default


def _compact(value):
    return int(value) if float(value).is_integer() else value


def fill_question_form(form, data):
    """Put a question's content into the form (GET of the edit page)."""
    for name in ("key", "syllabus", "difficulty", "pool", "status", "title", "text_format", "text", "explanation", "shuffle", "case_sensitive",
                 "correct_feedback", "incorrect_feedback"):
        getattr(form, name).data = getattr(data, name) if getattr(data, name) is not None else ""
    form.module.data = data.module
    form.tags.data = ", ".join(data.tags or [])
    form.points.data = str(_compact(data.points))
    for choice in data.choices:
        form.choices.append_entry({"text": choice.text, "correct": choice.correct, "feedback": choice.feedback,
                                   "weight": "" if choice.fraction is None else str(_compact(choice.fraction * 100))})
    for left, right in data.pairs:
        form.pairs.append_entry({"left": left, "right": right})
    for item in data.rubric:
        form.rubric.append_entry({"criterion": item.get("criterion", ""), "points": str(_compact(item.get("points", 1)))})
    if data.type == "true_false":
        form.answer_bool.data = "true" if data.answer else "false"
    if data.type == "numeric" and data.answer is not None:
        form.answer_number.data = str(_compact(data.answer))
        form.tolerance.data = str(_compact(data.tolerance or 0))
    if data.type == "numeric":
        form.other_answers.data = graded_answers.format_numeric_lines(data.answers)
    else:
        form.answers.data = graded_answers.format_text_lines(data.answers)
    form.extensions.data = list(data.extensions)


def add_spare_rows(form, qtype):
    """Blank rows under the existing ones, so that a question can grow without the script."""
    lists = {"single_choice": form.choices, "multiple_response": form.choices, "matching": form.pairs, "practical": form.rubric}
    if qtype in lists:
        minimum = {"matching": 3, "practical": 1}.get(qtype, 4)
        target = max(minimum, len(lists[qtype].entries) + SPARE_ROWS)
        while len(lists[qtype].entries) < target:
            lists[qtype].append_entry()


def question_data_from_form(form, qtype, key=None):
    """The QuestionData a submitted form describes; blank rows are dropped."""
    data = QuestionData(
        key=nfc(key or form.key.data).strip(),
        type=qtype,
        text=_text(form.text.data),
        module=form.module.data or None,
        syllabus=(form.syllabus.data or "").strip() or None,
        difficulty=form.difficulty.data,
        pool=form.pool.data,
        status=form.status.data,
        tags=[nfc(t).strip() for t in (form.tags.data or "").split(",") if t.strip()],
        title=nfc(form.title.data or "").strip(),
        text_format=form.text_format.data,
        explanation=_text(form.explanation.data),
        points=_number(form.points.data, 1.0),
    )
    if qtype in ("single_choice", "multiple_response"):
        data.shuffle = bool(form.shuffle.data)
        for entry in form.choices.entries:
            text = _text(entry.form.text.data).strip()
            if text:
                weight = (entry.form.weight.data or "").strip()
                data.choices.append(Choice(text=text, correct=bool(entry.form.correct.data), feedback=nfc(entry.form.feedback.data or "").strip(),
                                           fraction=_number(weight) / 100 if weight else None))
    elif qtype == "true_false":
        data.answer = form.answer_bool.data == "true"
    elif qtype == "numeric":
        data.answer = _number(form.answer_number.data) if (form.answer_number.data or "").strip() else None
        data.tolerance = _number(form.tolerance.data)
        data.answers = graded_answers.parse_numeric_lines(_text(form.other_answers.data))
    elif qtype == "short_answer":
        data.answers = graded_answers.parse_text_lines(_text(form.answers.data))
        data.case_sensitive = bool(form.case_sensitive.data)
    elif qtype == "matching":
        data.shuffle = bool(form.shuffle.data)
        data.pairs = [[nfc(e.form.left.data).strip(), nfc(e.form.right.data).strip()] for e in form.pairs.entries
                      if (e.form.left.data or "").strip() or (e.form.right.data or "").strip()]
    elif qtype == "practical":
        data.rubric = [{"criterion": nfc(e.form.criterion.data).strip(), "points": _number(e.form.points.data, 1.0)}
                       for e in form.rubric.entries if (e.form.criterion.data or "").strip()]
        data.extensions = list(form.extensions.data or [])
    if qtype != "practical":  # a person marks a practical task: no automatic feedback
        data.correct_feedback, data.incorrect_feedback = _text(form.correct_feedback.data).strip(), _text(form.incorrect_feedback.data).strip()
    return data


def type_choices(blank=None):
    choices = _blank(blank) if blank else []
    return choices + [(name, _l(get_type(name).label)) for name in TYPES]


class StatusForm(FlaskForm):
    status = SelectField(_l("Chuyển sang"), choices=label_choices(QUESTION_STATUSES))
    comment = TextAreaField(_l("Nhận xét"), validators=[Optional(), Length(max=2000)])


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Nhận xét (bắt buộc khi trả lại)"), validators=[Optional(), Length(max=2000)])


class BulkStatusForm(FlaskForm):
    status = SelectField(_l("Chuyển các câu đã chọn sang"), choices=label_choices(QUESTION_STATUSES))
    comment = StringField(_l("Nhận xét"), validators=[Optional(), Length(max=2000)])


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp câu hỏi (.yaml, .gift, .txt Aiken, .xml Moodle, .xlsx)"),
                     validators=[FileRequired(), FileAllowed(IMPORT_EXTENSIONS, _l("Định dạng tệp không được hỗ trợ."))])
    module = SelectField(_l("Mô đun mặc định (khi tệp không ghi)"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    pass


class ImageForm(FlaskForm):
    file = FileField(_l("Ảnh (.png, .jpg, .gif, .webp)"), validators=[FileRequired()])

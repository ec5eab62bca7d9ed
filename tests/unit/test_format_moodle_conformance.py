"""Conformance with Moodle's documentation of its two formats, construct by construct
(docs.moodle.org "GIFT format" and "Moodle XML format", and what Moodle's own export
writes): each row is a construct, what a Moodle user expects it to import as, and the
warning when something of it cannot be kept. Every case is then exported and re-imported
unchanged."""
import base64

import pytest

from lms.questionbank import formats
from lms.questionbank.formats import FormatError, gift, moodlexml
from lms.questionbank.schema import Choice

ESSAY_RUBRIC = [{"criterion": "Bài làm đáp ứng yêu cầu của đề bài", "points": 1.0}]

# (construct, GIFT source, expected fields of the one question, text a warning must contain or None)
GIFT_CASES = [
    ("multiple choice", "Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}",
     {"type": "single_choice", "text": "Who's buried in Grant's tomb?",
      "choices": [Choice("Grant"), Choice("Jefferson"), Choice("no one", True)]}, None),
    ("missing word", "Grant is {~buried =entombed ~living} in Grant's tomb.",
     {"type": "single_choice", "text": "Grant is _____ in Grant's tomb."}, None),
    ("true, short form", "Grant was buried in a tomb in New York City.{T}", {"type": "true_false", "answer": True}, None),
    ("false, long form", "The sun rises in the west.{FALSE}", {"type": "true_false", "answer": False}, None),
    ("true/false feedback: wrong, then right", "Mặt trời mọc ở hướng tây.{FALSE#Sai rồi.#Đúng: hướng đông.}",
     {"answer": False, "incorrect_feedback": "Sai rồi.", "correct_feedback": "Đúng: hướng đông."}, None),
    ("true/false feedback only when right", "1 byte = 8 bit.{TRUE##Chính xác.}",
     {"answer": True, "incorrect_feedback": "", "correct_feedback": "Chính xác."}, None),
    ("short answer", "Who's buried in Grant's tomb?{=no one =nobody}", {"type": "short_answer", "answers": ["no one", "nobody"]}, None),
    ("short answer, partial credit and feedback", "Thủ đô của Việt Nam?{=Hà Nội#Đúng. =%50%Ha Noi#Viết thiếu dấu.}",
     {"answers": [{"text": "Hà Nội", "fraction": 1.0, "feedback": "Đúng."}, {"text": "Ha Noi", "fraction": 0.5, "feedback": "Viết thiếu dấu."}]},
     None),
    ("short answer as Moodle exports it", "::Q3::Two plus two equals?{\n\t=%100%four#\n\t=%100%4#\n}",
     {"key": "Q3", "answers": ["four", "4"]}, None),
    ("short answer wildcard", "Phím tắt sao chép?{=Ctrl*C =%0%*#Sai: dùng Ctrl+C.}",
     {"answers": ["Ctrl*C", {"text": "*", "fraction": 0.0, "feedback": "Sai: dùng Ctrl+C."}]}, None),
    ("matching", "Match the countries with their capitals. {=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo =India -> New Delhi}",
     {"type": "matching", "pairs": [["Canada", "Ottawa"], ["Italy", "Rome"], ["Japan", "Tokyo"], ["India", "New Delhi"]]}, None),
    ("matching with a distractor", "Match. {=SUM -> Tổng =MAX -> Lớn nhất =MIN -> Nhỏ nhất = -> Trung bình}",
     {"pairs": [["SUM", "Tổng"], ["MAX", "Lớn nhất"], ["MIN", "Nhỏ nhất"], ["", "Trung bình"]]}, None),
    ("numerical", "When was Ulysses S. Grant born?{#1822}", {"type": "numeric", "answer": 1822.0, "tolerance": 0.0}, None),
    ("numerical with a margin", "When was Ulysses S. Grant born?{#1822:5}", {"answer": 1822.0, "tolerance": 5.0}, None),
    ("numerical range", "What is a number from 1 to 5?{#1..5}", {"answer": 3.0, "tolerance": 2.0}, None),
    ("numerical, several answers with partial credit", "When was Ulysses S. Grant born? {#\n=1822:0\n=%50%1822:2\n}",
     {"answer": 1822.0, "tolerance": 0.0, "answers": [{"value": 1822.0, "tolerance": 2.0, "fraction": 0.5, "feedback": ""}]}, None),
    ("numerical answers with feedback", "Năm sinh? {#=1822:0#Chính xác! =%50%1822:2#Sai lệch trong 2 năm.}",
     {"correct_feedback": "Chính xác!", "answers": [{"value": 1822.0, "tolerance": 2.0, "fraction": 0.5, "feedback": "Sai lệch trong 2 năm."}]},
     None),
    ("numerical, feedback for any other answer", "What is a number from 1 to 5?{#3:2 ~#Completely wrong}",
     {"answer": 3.0, "tolerance": 2.0, "answers": [{"value": None, "tolerance": 0.0, "fraction": 0.0, "feedback": "Completely wrong"}]}, None),
    ("numerical, two answers of 0 and 50 %", "Chọn một số {#=2:0 =%50%3:1}",
     {"answer": 2.0, "answers": [{"value": 3.0, "tolerance": 1.0, "fraction": 0.5, "feedback": ""}]}, None),
    ("numerical as Moodle exports it", "::Số::1 KB = ? byte{#\n\t=%100%1024:0#\n\t~#Xem lại đơn vị.\n}",
     {"answer": 1024.0, "answers": [{"value": None, "tolerance": 0.0, "fraction": 0.0, "feedback": "Xem lại đơn vị."}]}, None),
    ("comment lines", "// question: 1  name: Q1\n// ghi chú của giảng viên\n::Q1:: 1+1=2 {T}", {"key": "Q1", "answer": True}, None),
    ("question name", "::Kinh đô:: Kinh đô nhà Lý? {=Thăng Long ~Phú Xuân}", {"key": "Kinh đô", "title": ""}, None),
    ("answer feedback", "What's between orange and green in the spectrum?\n{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }",
     {"choices": [Choice("yellow", True, "right; good!"), Choice("red", False, "wrong, it's yellow"), Choice("blue", False, "wrong, it's yellow")]},
     None),
    ("general feedback", "How are you? {=Fine ~Bad####We hope you're feeling well.}", {"explanation": "We hope you're feeling well."}, None),
    ("percentage weights", "Jesus Christ was from {\n~Jerusalem\n=Nazareth\n~%25%Bethlehem\n~%50%Galilee\n}",
     {"type": "single_choice", "choices": [Choice("Jerusalem"), Choice("Nazareth", True), Choice("Bethlehem", False, "", 0.25),
                                           Choice("Galilee", False, "", 0.5)]}, None),
    ("multiple answers", "What two people are entombed in Grant's tomb? {\n~%-100%No one\n~%50%Grant\n~%50%Grant's wife\n~%-100%Grant's father\n}",
     {"type": "multiple_response", "choices": [Choice("No one", False, "", -1.0), Choice("Grant", True), Choice("Grant's wife", True),
                                               Choice("Grant's father", False, "", -1.0)]}, None),  # a weight 1/k is implied
    ("special characters escaped", "::Ký tự\\:đặc biệt:: 1 + 2 \\= ? Chọn \\{một\\} \\~ \\# {=3 ~4}", {"key": "Ký tự:đặc biệt", "text": "1 + 2 = ? Chọn {một} ~ #"},
     None),
    ("line break", "Dòng một\\nDòng hai {T}", {"text": "Dòng một\nDòng hai"}, None),
    ("format [html]", "[html]<p>Phím <b>F5</b>?</p>{=Trình chiếu ~Lưu}", {"text_format": "html", "text": "<p>Phím <b>F5</b>?</p>"}, None),
    ("format [moodle]", "[moodle]Văn bản Moodle {T}", {"text_format": "html"}, None),
    ("format [plain]", "[plain]**không đậm** {T}", {"text_format": "plain", "text": "**không đậm**"}, None),
    ("format [markdown]", "[markdown]Chữ **đậm** {T}", {"text_format": "markdown"}, None),
    ("category", "$CATEGORY: tom/dick/harry\n\nCâu hỏi {T}", {"category": "tom/dick/harry", "module": None}, None),
    ("category naming a module", "$CATEGORY: $course$/top/IU01/Phần cứng\n\nRAM mất dữ liệu khi tắt máy. {T}", {"module": "IU01"}, None),
    ("category naming a module at its root", "$CATEGORY: IU04 – Bảng tính/Hàm\n\nSUM cộng các ô. {T}", {"module": "IU04"}, None),
    ("deepest module in the path wins", "$CATEGORY: $course$/top/IU01/IU06 Internet\n\nHTTPS an toàn. {T}", {"module": "IU06"}, None),
    ("name naming a module", "::IU03-007:: Ctrl+B in đậm. {T}", {"key": "IU03-007", "module": "IU03"}, None),
    ("Moodle idnumber and tags in a comment", "// question: 5  name: Câu 5\n// [id:IU02-005] [tag:tệp] [tag:thư mục\\]]\n::Câu 5:: Ctrl+A chọn tất cả. {T}",
     {"key": "IU02-005", "title": "Câu 5", "module": "IU02", "tags": ["tệp", "thư mục]"]}, None),
    ("tags carrying our fields", "// [tag:lms:difficulty=hard] [tag:lms:pool=practice]\nCâu {T}", {"difficulty": "hard", "pool": "practice", "tags": []},
     None),
    ("essay", "::Q8:: How are you? {}", {"type": "practical", "rubric": ESSAY_RUBRIC, "extensions": []}, "essay"),
    ("essay with general feedback, as Moodle exports it", "::Q8::Trình bày một thư công vụ.{####Nêu đủ các phần của thư.}",
     {"type": "practical", "explanation": "Nêu đủ các phần của thư."}, "essay"),
]


@pytest.mark.parametrize("construct, source, expected, warning", GIFT_CASES, ids=[case[0] for case in GIFT_CASES])
def test_gift_construct(construct, source, expected, warning):
    result = gift.parse(source.encode("utf-8"))
    assert len(result) == 1, construct
    for name, value in expected.items():
        assert getattr(result[0], name) == value, (construct, name)
    if warning:
        assert any(warning in text for text in result.warnings), result.warnings
    else:
        assert result.warnings == []
    assert gift.parse(gift.serialize(list(result))) == list(result)  # and back, unchanged


def test_gift_description_is_reported_and_skipped():
    result = gift.parse("Mô tả chung cho các câu sau, không có phần đáp án.\n\n::A:: Câu {T}")
    assert [q.key for q in result] == ["A"] and any("mô tả" in w and "Dòng 1" in w for w in result.warnings)


@pytest.mark.parametrize("source, reason", [
    ("Câu {#=%50%3:1}", "100%"),  # Moodle: one answer must be worth 100 %
    ("Câu {#ba}", "Đáp án số"),
    ("Câu {=%50%Hà Nội}", "100%"),
    ("Câu {#=%150%3}", "Trọng số"),
])
def test_gift_constructs_moodle_refuses_are_refused_with_the_line(source, reason):
    with pytest.raises(FormatError, match=reason) as error:
        gift.parse(source)
    assert error.value.line == 1


def test_gift_repeated_names_from_a_moodle_export():
    source = ("// question: 1  name: Câu hỏi\n::Câu hỏi::Thủ đô?{=Hà Nội ~Huế}\n\n"
              "// question: 2  name: Câu hỏi\n::Câu hỏi::Sông dài nhất?{=Mê Kông ~Hồng}\n")
    result = gift.parse(source)
    assert len({q.key for q in result}) == 2 and all(q.key.startswith("Câu hỏi-") and q.title == "Câu hỏi" for q in result)
    assert [q.key for q in gift.parse(source)] == [q.key for q in result]
    assert gift.parse(gift.serialize(list(result))) == list(result)


def _xml(*questions, category="$course$/top/IU06/Thư điện tử"):
    head = f'<question type="category"><category><text>{category}</text></category><info format="html"><text></text></info></question>'
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>' + head + "".join(questions) + "</quiz>").encode("utf-8")


def _question(kind, body, name="Câu", text="Nội dung?", text_format="html"):
    return (f'<question type="{kind}"><name><text>{name}</text></name><questiontext format="{text_format}"><text><![CDATA[{text}]]></text>'
            f"</questiontext><generalfeedback format=\"html\"><text></text></generalfeedback><defaultgrade>1</defaultgrade>"
            f"<penalty>0.3333333</penalty><hidden>0</hidden><idnumber></idnumber>{body}</question>")


def _answer(fraction, text, feedback="", extra=""):
    return f'<answer fraction="{fraction}" format="html"><text>{text}</text><feedback format="html"><text>{feedback}</text></feedback>{extra}</answer>'


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24

# (construct, question element, expected fields, text a warning must contain or None)
XML_CASES = [
    ("multichoice, one answer, per-answer and combined feedback",
     _question("multichoice", "<single>true</single><shuffleanswers>1</shuffleanswers><answernumbering>abc</answernumbering>"
               "<correctfeedback format=\"html\"><text>Giỏi!</text></correctfeedback>"
               "<partiallycorrectfeedback format=\"html\"><text></text></partiallycorrectfeedback>"
               "<incorrectfeedback format=\"html\"><text>Xem lại bài.</text></incorrectfeedback><shownumcorrect/>"
               + _answer(100, "Đính kèm", "Đúng.") + _answer(0, "Chuyển tiếp", "Không phải.")),
     {"type": "single_choice", "choices": [Choice("Đính kèm", True, "Đúng.", None), Choice("Chuyển tiếp", False, "Không phải.", None)],
      "correct_feedback": "Giỏi!", "incorrect_feedback": "Xem lại bài.", "module": "IU06"}, None),
    ("multichoice, several answers", _question("multichoice", "<single>false</single>" + _answer(50, "A") + _answer(50, "B") + _answer(-100, "C")),
     {"type": "multiple_response", "choices": [Choice("A", True), Choice("B", True), Choice("C", False, "", -1.0)]}, None),
    ("partly correct feedback cannot be kept",
     _question("multichoice", "<single>true</single><partiallycorrectfeedback><text>Gần đúng</text></partiallycorrectfeedback>"
               + _answer(100, "A") + _answer(0, "B")), {"type": "single_choice"}, "partiallycorrectfeedback"),
    ("truefalse with the feedback of both answers", _question("truefalse", _answer(0, "true", "Sai: BCC bị ẩn.") + _answer(100, "false", "Đúng.")),
     {"type": "true_false", "answer": False, "correct_feedback": "Đúng.", "incorrect_feedback": "Sai: BCC bị ẩn."}, None),
    ("shortanswer, case, partial credit, wildcard",
     _question("shortanswer", "<usecase>1</usecase>" + _answer(100, "HTTPS") + _answer(50, "SSL", "Cũ rồi.") + _answer(0, "*", "Chưa đúng.")),
     {"type": "short_answer", "case_sensitive": True,
      "answers": ["HTTPS", {"text": "SSL", "fraction": 0.5, "feedback": "Cũ rồi."}, {"text": "*", "fraction": 0.0, "feedback": "Chưa đúng."}]},
     None),
    ("numerical, tolerance, further answers and any other answer",
     _question("numerical", _answer(100, "443", "Đúng.", "<tolerance>0</tolerance>") + _answer(50, "80", "Đó là HTTP.", "<tolerance>0</tolerance>")
               + _answer(0, "*", "Xem lại.", "<tolerance>0</tolerance>")),
     {"type": "numeric", "answer": 443.0, "tolerance": 0.0, "correct_feedback": "Đúng.",
      "answers": [{"value": 80.0, "tolerance": 0.0, "fraction": 0.5, "feedback": "Đó là HTTP."},
                  {"value": None, "tolerance": 0.0, "fraction": 0.0, "feedback": "Xem lại."}]}, None),
    ("numerical units are not used",
     _question("numerical", _answer(100, "1024", "", "<tolerance>0</tolerance>")
               + "<units><unit><multiplier>1</multiplier><unit_name>byte</unit_name></unit></units><unitgradingtype>0</unitgradingtype>"),
     {"answer": 1024.0}, "units"),
    ("matching with a distractor",
     _question("matching", "<shuffleanswers>false</shuffleanswers>" + "".join(
         f'<subquestion format="html"><text>{left}</text><answer><text>{right}</text></answer></subquestion>'
         for left, right in (("Chrome", "Google"), ("Edge", "Microsoft"), ("Firefox", "Mozilla"), ("", "Apple")))),
     {"type": "matching", "shuffle": False, "pairs": [["Chrome", "Google"], ["Edge", "Microsoft"], ["Firefox", "Mozilla"], ["", "Apple"]]}, None),
    ("essay with grader information and file types",
     _question("essay", "<responseformat>editor</responseformat><responserequired>1</responserequired><responsefieldlines>15</responsefieldlines>"
               "<attachments>1</attachments><attachmentsrequired>0</attachmentsrequired><filetypeslist>.docx, pdf, image</filetypeslist>"
               "<graderinfo format=\"html\"><text><![CDATA[<p>Chấm <b>thể thức</b> và nội dung.</p>]]></text></graderinfo>"
               "<responsetemplate format=\"html\"><text></text></responsetemplate>"),
     {"type": "practical", "extensions": [".docx", ".pdf"], "rubric": [{"criterion": "Chấm thể thức và nội dung.", "points": 1.0}]}, "essay"),
    ("essay without grader information: one criterion worth the question's mark",
     _question("essay", "").replace("<defaultgrade>1</defaultgrade>", "<defaultgrade>5</defaultgrade>"),
     {"type": "practical", "points": 5.0, "rubric": [{"criterion": "Bài làm đáp ứng yêu cầu của đề bài", "points": 5.0}]}, "essay"),
    ("text formats", _question("truefalse", _answer(100, "true") + _answer(0, "false"), text="**Markdown**", text_format="markdown"),
     {"text_format": "markdown", "text": "**Markdown**"}, None),
    ("moodle_auto_format reads as HTML", _question("truefalse", _answer(100, "true") + _answer(0, "false"), text_format="moodle_auto_format"),
     {"text_format": "html"}, None),
    ("plain_text", _question("truefalse", _answer(100, "true") + _answer(0, "false"), text="<b>không đậm</b>", text_format="plain_text"),
     {"text_format": "plain", "text": "<b>không đậm</b>"}, None),
    ("tags", _question("truefalse", _answer(100, "true") + _answer(0, "false")
                       + "<tags><tag><text>thư điện tử</text></tag><tag><text>lms:difficulty=hard</text></tag></tags>"),
     {"tags": ["thư điện tử"], "difficulty": "hard"}, None),
    ("idnumber naming a module", _question("truefalse", _answer(100, "true") + _answer(0, "false")).replace(
        "<idnumber></idnumber>", "<idnumber>IU02-011</idnumber>"), {"key": "IU02-011", "title": "Câu"}, None),
    ("hints are Moodle's interactive mode", _question("truefalse", _answer(100, "true") + _answer(0, "false")
                                                      + '<hint format="html"><text>Nghĩ lại.</text></hint>'), {"answer": True}, "hint"),
]


@pytest.mark.parametrize("construct, element, expected, warning", XML_CASES, ids=[case[0] for case in XML_CASES])
def test_moodle_xml_construct(construct, element, expected, warning):
    result = moodlexml.parse(_xml(element))
    assert len(result) == 1, construct
    for name, value in expected.items():
        assert getattr(result[0], name) == value, (construct, name)
    if warning:
        assert any(warning in text for text in result.warnings), result.warnings
    else:
        assert result.warnings == []
    assert moodlexml.parse(moodlexml.serialize(list(result))) == list(result)


@pytest.mark.parametrize("kind", ["description", "multianswer", "calculated", "calculatedsimple", "ddwtos", "gapselect", "randomsamatch"])
def test_moodle_xml_types_without_an_equivalent_are_reported_and_skipped(kind):
    result = moodlexml.parse(_xml(_question(kind, ""), _question("truefalse", _answer(100, "true") + _answer(0, "false"), name="Giữ")))
    assert [q.title for q in result] == ["Giữ"] and any(f"'{kind}'" in w for w in result.warnings)


def test_moodle_xml_repeated_idnumbers_across_categories_import_apart():
    tf = _answer(100, "true") + _answer(0, "false")
    first = _question("truefalse", tf, text="Câu một").replace("<idnumber></idnumber>", "<idnumber>Q1</idnumber>")
    second = _question("truefalse", tf, text="Câu hai").replace("<idnumber></idnumber>", "<idnumber>Q1</idnumber>")
    other = '<question type="category"><category><text>$course$/top/IU01</text></category></question>'
    result = moodlexml.parse(_xml(first, other, second))
    assert len({q.key for q in result}) == 2 and [q.module for q in result] == ["IU06", "IU01"]
    assert all(q.key.startswith("Q1-") for q in result)


def test_moodle_xml_embedded_image_is_kept_with_the_question():
    image = f'<file name="so do.png" path="/" encoding="base64">{base64.b64encode(PNG).decode()}</file>'
    element = _question("truefalse", _answer(100, "true") + _answer(0, "false"), text='<p>Hình: <img src="@@PLUGINFILE@@/so%20do.png"></p>')
    element = element.replace("]]></text>", "]]></text>" + image, 1)
    result = moodlexml.parse(_xml(element))
    assert result.media == {result[0].key: {"so do.png": PNG}} and result.warnings == []


def test_a_moodle_image_reference_without_its_file_is_reported():
    result = gift.parse('[html]<img src="@@PLUGINFILE@@/hinh.png"> là gì? {=RAM ~ROM}')
    assert any("@@PLUGINFILE@@/hinh.png" in w for w in result.warnings)


def test_every_case_survives_every_export_format():
    questions = [q for case in GIFT_CASES for q in gift.parse(case[1].encode("utf-8"))]
    questions += [q for case in XML_CASES for q in moodlexml.parse(_xml(case[1]))]
    for number, q in enumerate(questions):
        q.key = f"K{number:03d}"  # one bank: keys unique across the cases
    for name in formats.EXPORT_FORMATS:
        assert formats.get_format(name).parse(formats.serialize(name, questions)) == questions, name

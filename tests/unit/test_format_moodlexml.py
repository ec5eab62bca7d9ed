import xml.etree.ElementTree as ET

import pytest
from question_samples import samples

from lms.questionbank.formats import FormatError, moodlexml

QUIZ = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/IU06/Thư điện tử</text></category></question>
  <question type="multichoice">
    <name><text>Tệp đính kèm</text></name>
    <questiontext format="html"><text><![CDATA[<p>Khi gửi thư, <b>tệp đính kèm</b> được thêm bằng nút nào?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>Biểu tượng kẹp giấy là nút đính kèm.</text></generalfeedback>
    <defaultgrade>2</defaultgrade>
    <single>true</single>
    <shuffleanswers>0</shuffleanswers>
    <answer fraction="100" format="html"><text>Đính kèm (biểu tượng kẹp giấy)</text><feedback><text>Đúng.</text></feedback></answer>
    <answer fraction="0" format="html"><text>Chuyển tiếp</text></answer>
    <answer fraction="0" format="html"><text>Trả lời tất cả</text></answer>
    <tags><tag><text>thư điện tử</text></tag><tag><text>lms:difficulty=easy</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>An toàn thư</text></name>
    <questiontext format="html"><text>Dấu hiệu nào cho thấy thư lừa đảo?</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>Người gửi giả danh ngân hàng</text></answer>
    <answer fraction="50"><text>Giục nhập mật khẩu qua đường liên kết</text></answer>
    <answer fraction="-100"><text>Thư từ đồng nghiệp đã biết, nội dung công việc</text></answer>
  </question>
  <question type="truefalse">
    <name><text>CC BCC</text></name>
    <questiontext format="plain_text"><text>Người nhận ở ô BCC không hiện với những người nhận khác.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>Giao thức</text></name>
    <questiontext format="markdown"><text>Giao thức web **bảo mật** là gì?</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>HTTPS</text></answer>
    <answer fraction="50"><text>SSL</text></answer>
  </question>
  <question type="numerical">
    <name><text>Số</text></name>
    <questiontext><text>Cổng mặc định của HTTPS?</text></questiontext>
    <answer fraction="100"><text>443</text><tolerance>0</tolerance></answer>
  </question>
  <question type="matching">
    <name><text>Ghép</text></name>
    <questiontext><text>Ghép trình duyệt với hãng.</text></questiontext>
    <subquestion><text>Chrome</text><answer><text>Google</text></answer></subquestion>
    <subquestion><text>Edge</text><answer><text>Microsoft</text></answer></subquestion>
    <subquestion><text>Firefox</text><answer><text>Mozilla</text></answer></subquestion>
    <subquestion><text></text><answer><text>Apple</text></answer></subquestion>
  </question>
  <question type="essay">
    <name><text>Tự luận</text></name>
    <questiontext><text>Viết một đoạn về an toàn thông tin.</text></questiontext>
  </question>
  <question type="calculated">
    <name><text>Tính toán</text></name>
    <questiontext><text>{a} + {b} = ?</text></questiontext>
  </question>
</quiz>
"""


def test_a_moodle_export_parses_and_unsupported_types_are_reported():
    result = moodlexml.parse(QUIZ.encode("utf-8"), default_module="IU06")
    by_title = {q.title: q for q in result}
    assert list(by_title) == ["Tệp đính kèm", "An toàn thư", "CC BCC", "Giao thức", "Số", "Ghép", "Tự luận"]
    attach = by_title["Tệp đính kèm"]
    assert attach.type == "single_choice" and attach.text_format == "html" and attach.points == 2.0
    assert attach.category == "$course$/top/IU06/Thư điện tử" and attach.module == "IU06"
    assert attach.shuffle is False and attach.difficulty == "easy" and attach.tags == ["thư điện tử"]
    assert attach.choices[0].correct and attach.choices[0].feedback == "Đúng."
    assert attach.explanation == "Biểu tượng kẹp giấy là nút đính kèm."
    phishing = by_title["An toàn thư"]
    assert phishing.type == "multiple_response" and [c.fraction for c in phishing.choices] == [None, None, -1.0]
    assert by_title["CC BCC"].answer is True and by_title["CC BCC"].text_format == "plain"
    assert by_title["Giao thức"].answers == ["HTTPS", {"text": "SSL", "fraction": 0.5, "feedback": ""}]
    assert by_title["Giao thức"].text_format == "markdown"
    assert by_title["Số"].answer == 443.0
    assert by_title["Ghép"].pairs[-1] == ["", "Apple"]
    assert all(q.key.startswith("xml-") for q in result)
    assert by_title["Tự luận"].type == "practical" and by_title["Tự luận"].module == "IU06"
    assert any("question #8 (name 'Tự luận')" in w and "essay" in w for w in result.warnings)
    assert any("question #9 (name 'Tính toán')" in w and "calculated" in w for w in result.warnings)
    assert not any("question #5 (name 'Giao thức')" in w for w in result.warnings)  # partial credit is kept, nothing to report


def test_reimport_gives_the_same_keys():
    assert [q.key for q in moodlexml.parse(QUIZ)] == [q.key for q in moodlexml.parse(QUIZ.replace("  <", "<"))]


@pytest.mark.parametrize("broken, element, reason", [
    (QUIZ.replace('<answer fraction="100"><text>true</text></answer>', '<answer fraction="0"><text>true</text></answer>'),
     "question #4 (name 'CC BCC')", "Đúng/Sai"),
    (QUIZ.replace('<answer fraction="50"><text>Người', '<answer fraction="năm mươi"><text>Người'),
     "question #3 (name 'An toàn thư')", "không phải là số"),
    (QUIZ.replace("<text>443</text>", "<text>bốn trăm</text>"), "question #6 (name 'Số')", "không phải là số"),
    (QUIZ.replace('<answer fraction="0" format="html"><text>Chuyển tiếp</text></answer>',
                  '<answer fraction="100" format="html"><text>Chuyển tiếp</text></answer>'),
     "question #2 (name 'Tệp đính kèm')", "đúng một phương án đúng"),
    (QUIZ.replace("<quiz>", "<bank>").replace("</quiz>", "</bank>"), "bank", "<quiz>"),
])
def test_a_broken_file_names_the_element_and_imports_nothing(broken, element, reason):
    with pytest.raises(FormatError) as error:
        moodlexml.parse(broken.encode("utf-8"))
    assert error.value.element == element, str(error.value)
    assert reason in str(error.value) and str(error.value).startswith(f"Phần tử {element}: ")


def test_malformed_xml_names_the_line():
    with pytest.raises(FormatError) as error:
        moodlexml.parse("<quiz>\n<question type='truefalse'>\n<name></question>\n</quiz>")
    assert error.value.line == 3


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz><question type="truefalse"><name><text>&lol3;</text></name></question></quiz>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="shortanswer"><name><text>&secret;</text></name></question></quiz>"""


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, XXE, '<!DOCTYPE quiz SYSTEM "http://example.com/quiz.dtd"><quiz/>'])
def test_entity_bombs_and_external_entities_are_refused(attack):
    with pytest.raises(FormatError, match="vì lý do an toàn"):
        moodlexml.parse(attack.encode("utf-8"))


def test_export_is_moodle_xml_with_tags_and_idnumbers():
    exported = moodlexml.serialize(samples())
    root = ET.fromstring(exported)
    assert root.tag == "quiz"
    kinds = [q.get("type") for q in root.findall("question")]
    assert {"multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay", "category"} <= set(kinds)
    first = root.find("question[@type='multichoice']")
    assert first.findtext("idnumber") == "IU04-001" and first.findtext("single") == "true"
    assert [a.get("fraction") for a in first.findall("answer")] == ["100", "0", "0", "0"]
    assert "lms:module=IU04" in [t.findtext("text") for t in first.findall("tags/tag")]
    essay = root.find("question[@type='essay']")
    assert essay.findtext("filetypeslist") == ".docx,.odt" and essay.findtext("attachmentsrequired") == "1"

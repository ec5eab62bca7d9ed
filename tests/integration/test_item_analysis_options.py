"""Item analysis names options by letter and text, as the question's version has them."""
from lms.exams.manage.stats import OPTION_TEXT_LENGTH, question_options


def test_choice_options_are_lettered_with_their_text_as_plain_text(app):
    data = {"key": "Q", "type": "multiple_response", "text": "Phím tắt?", "choices": [
        {"text": "Nhấn **Ctrl**+C", "correct": True}, {"text": "`Alt` &amp; F4", "correct": False},
        {"text": "![](/questionbank/images/1)", "correct": True}, {"text": "Rất dài " * 30, "correct": False}]}
    with app.test_request_context():
        options = question_options(data)
    assert [(key, label, correct) for key, label, _text, correct in options] == [(0, "A", True), (1, "B", False), (2, "C", True), (3, "D", False)]
    texts = [text for _key, _label, text, _correct in options]
    assert texts[:3] == ["Nhấn Ctrl+C", "Alt & F4", "(hình ảnh)"]
    assert len(texts[3]) == OPTION_TEXT_LENGTH and texts[3].endswith("…")


def test_true_false_options_are_named_and_the_key_marked(app):
    with app.test_request_context():
        options = question_options({"key": "Q", "type": "true_false", "text": "?", "answer": False})
    assert options == [("true", "Đúng", "", False), ("false", "Sai", "", True)]


def test_other_types_count_who_answered(app):
    with app.test_request_context():
        options = question_options({"key": "Q", "type": "short_answer", "text": "?", "answers": [{"text": "a"}]})
    assert options == [("answered", "Đã trả lời", "", False)]

"""Which stored images a question's data refers to, and which of them a paper shows."""
from lms.questionbank.markup import question_data_images, question_image_ids


def test_image_ids_are_read_whole():
    text = '![](/media/questions/5) <img src="/media/questions/50"> /media/questions/5x /media/other/7'
    assert question_image_ids(text) == {5, 50}
    assert question_image_ids("") == set() and question_image_ids(None) == set()


def test_a_paper_shows_the_question_and_its_options_but_not_the_key_or_feedback():
    data = {
        "text": "Xem sơ đồ ![](/media/questions/1)",
        "explanation": "Lời giải ![](/media/questions/2)",
        "choices": [{"text": "![](/media/questions/3)", "correct": True, "feedback": "Đúng ![](/media/questions/4)"}],
        "pairs": [{"left": "![](/media/questions/5)", "right": "Thư mục"}],
        "answers": [{"text": "/media/questions/6", "fraction": 1.0}],
    }
    assert question_data_images(data, while_answering=True) == {1, 3, 5}
    assert question_data_images(data) == {1, 2, 3, 4, 5, 6}

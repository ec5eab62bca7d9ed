"""Which stored images a question's data refers to, and which of them a paper shows."""
from lms.questionbank.markup import question_data_images, question_image_ids
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import shown_images


def test_image_ids_are_read_whole():
    text = '![](/media/questions/5) <img src="/media/questions/50"> /media/questions/5x /media/other/7'
    assert question_image_ids(text) == {5, 50}
    assert question_image_ids("") == set() and question_image_ids(None) == set()


def test_a_paper_shows_the_question_and_its_options_but_not_the_key_feedback_or_rubric():
    choice = QuestionData.from_dict({
        "key": "IU01-H", "type": "single_choice", "text": "Xem sơ đồ ![](/media/questions/1)", "explanation": "Lời giải ![](/media/questions/2)",
        "choices": [{"text": "![](/media/questions/3)", "correct": True, "feedback": "Đúng ![](/media/questions/4)"}, {"text": "Thư mục"}]})
    assert shown_images(choice) == {1, 3}
    assert question_data_images(choice.to_dict()) == {1, 2, 3, 4}
    matching = QuestionData.from_dict({"key": "IU02-G", "type": "matching", "text": "Ghép",
                                       "pairs": [["![](/media/questions/5)", "Thư mục"], ["Tệp", "![](/media/questions/6)"], ["Ổ đĩa", "C:"]]})
    assert shown_images(matching) == {5, 6}
    # A practical task's rubric (and its marker's key) is for the council, not the candidate.
    practical = QuestionData.from_dict({
        "key": "IU03-TH", "type": "practical", "text": "Trình bày văn bản như mẫu ![](/media/questions/7)",
        "rubric": [{"criterion": "Đúng mẫu ![](/media/questions/8)", "points": 10}]})
    assert shown_images(practical) == {7}
    assert question_data_images(practical.to_dict()) == {7, 8}

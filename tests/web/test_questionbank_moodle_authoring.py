"""Authoring as a Moodle user expects: no status the editor cannot set is offered, lists show
text rather than Markdown, graded answers are edited in the form, an upload whose $CATEGORY
names the module needs no module chosen."""
import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from lms.auth.services import create_user, find_user
from lms.questionbank import services
from lms.questionbank.models import Question, QuestionVersion
from lms.questionbank.schema import QuestionData

DEMO_PASSWORD = "Demo@2017"


@pytest.fixture()
def bank_id(db, demo):
    bank = services.create_bank("IU04 – Bảng tính", find_user("trainer"))
    create_user("trainer2", DEMO_PASSWORD, "Nguyễn Văn Duyệt", roles=["trainer"], enforce_policy=False)
    services.share_bank(bank, find_user("trainer2"))
    db.session.commit()
    return bank.id


def _status_options(page, name="status"):
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"', select_html), re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|'
                                                                               r'<option[^>]*value="([^"]*)"[^>]*selected', select_html)


def _form(key, text, answers, status="draft", **extra):
    return {"key": key, "module": "IU04", "syllabus": "", "difficulty": "medium", "pool": "exam", "status": status, "tags": "", "title": "",
            "text_format": "markdown", "text": text, "points": "1", "shuffle": "y", "answers": answers, "explanation": "", "change_note": "",
            **extra}


def _question(db, key):
    db.session.expire_all()
    return db.session.execute(select(Question).where(Question.key == key)).scalar_one()


def test_the_author_is_offered_only_the_statuses_they_can_set(app, client, auth, db, bank_id):
    auth.login("trainer")
    page = client.get(f"/questionbank/banks/{bank_id}/questions/new/true_false").get_data(as_text=True)
    offered, _ = _status_options(page)
    assert "approved" not in offered and {"draft", "review"} <= set(offered)
    app.config["QUESTION_SELF_APPROVAL"] = True
    try:
        offered, _ = _status_options(client.get(f"/questionbank/banks/{bank_id}/questions/new/true_false").get_data(as_text=True))
        assert "approved" in offered
    finally:
        app.config["QUESTION_SELF_APPROVAL"] = False


def test_the_question_page_offers_approval_to_a_second_trainer_only(client, auth, db, bank_id):
    from lms.questionbank.models import QuestionBank

    bank = db.session.get(QuestionBank, bank_id)
    question = services.create_question(bank, QuestionData(key="TF1", type="true_false", text="SUM cộng các ô.", module="IU04", answer=True,
                                                           status="review"), find_user("trainer"))
    db.session.commit()
    auth.login("trainer")
    offered, _ = _status_options(client.get(f"/questionbank/questions/{question.id}").get_data(as_text=True))
    assert "approved" not in offered and "draft" in offered
    auth.logout()
    auth.login("trainer2")
    offered, _ = _status_options(client.get(f"/questionbank/questions/{question.id}").get_data(as_text=True))
    assert "approved" in offered


def test_an_approved_question_edited_goes_to_review_and_an_unchanged_save_keeps_it(client, auth, db, bank_id):
    from lms.questionbank.models import QuestionBank

    question = services.create_question(db.session.get(QuestionBank, bank_id), QuestionData(
        key="SA1", type="short_answer", text="Hàm nào làm tròn số?", module="IU04", answers=["ROUND"], status="draft"), find_user("trainer"))
    services.change_status(question, "approved", find_user("trainer2"))
    db.session.commit()
    auth.login("trainer")
    edit_url = f"/questionbank/questions/{question.id}/edit"
    offered, selected = _status_options(client.get(edit_url).get_data(as_text=True))
    assert "approved" not in offered and "review" in (selected.group(1) or selected.group(2))
    assert auth.post(edit_url, _form("SA1", "Hàm nào làm tròn số?", "ROUND", status="review"), token_page=edit_url).status_code == 302
    assert _question(db, "SA1").status == "approved" and db.session.execute(select(func.count(QuestionVersion.id))).scalar_one() == 1
    auth.post(edit_url, _form("SA1", "Hàm nào làm tròn một số?", "ROUND", status="review"), token_page=edit_url)
    assert _question(db, "SA1").status == "review" and _question(db, "SA1").current_version.number == 2


def test_partial_credit_and_feedback_are_edited_in_the_form_and_kept(client, auth, db, bank_id):
    auth.login("trainer")
    url = f"/questionbank/banks/{bank_id}/questions/new/short_answer"
    lines = "ROUND\r\nLàm tròn | 50% | Cần ghi tên hàm\r\n* | 0% | Xem lại bài 2"
    form = _form("SA2", "Hàm nào làm tròn số?", lines, correct_feedback="Chính xác.", incorrect_feedback="Chưa đúng.")
    assert auth.post(url, form, token_page=url).status_code == 302
    data = _question(db, "SA2").current_version.data
    assert data["answers"] == ["ROUND", {"text": "Làm tròn", "fraction": 0.5, "feedback": "Cần ghi tên hàm"},
                               {"text": "*", "fraction": 0.0, "feedback": "Xem lại bài 2"}]
    assert (data["correct_feedback"], data["incorrect_feedback"]) == ("Chính xác.", "Chưa đúng.")
    question = _question(db, "SA2")
    edit_url = f"/questionbank/questions/{question.id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert "Làm tròn | 50% | Cần ghi tên hàm" in page and "Chính xác." in page
    detail = client.get(f"/questionbank/questions/{question.id}").get_data(as_text=True)
    assert "Cần ghi tên hàm" in detail and "50.0%" in detail
    auth.post(edit_url, {**form, "answers": lines.replace("\r\n", "\n")}, token_page=edit_url)
    assert db.session.execute(select(func.count(QuestionVersion.id))).scalar_one() == 1  # unchanged: no new version
    refused = auth.post(edit_url, {**form, "answers": "ROUND\nLàm tròn | một nửa"}, token_page=edit_url)
    assert refused.status_code == 200 and "Dòng 2" in refused.get_data(as_text=True)


def test_lists_show_the_text_a_reader_sees_not_its_markdown(client, auth, db, bank_id):
    from lms.questionbank.models import QuestionBank

    bank = db.session.get(QuestionBank, bank_id)
    services.create_question(bank, QuestionData(key="MD1", type="true_false", module="IU04", answer=True, status="review",
                                                text="Hàm **SUM** cộng *các ô*:\n\n- A1\n- A2 ![](/media/questions/1)"), find_user("trainer2"))
    db.session.commit()
    auth.login("trainer")
    for url in (f"/questionbank/questions/?bank={bank_id}", "/questionbank/review/"):
        page = client.get(url).get_data(as_text=True)
        assert "Hàm SUM cộng các ô: A1 A2" in page, url
        assert "**SUM**" not in page and "![](" not in page


def test_an_upload_whose_category_names_the_module_needs_no_module_chosen(client, auth, db, bank_id):
    auth.login("trainer")
    url = f"/questionbank/banks/{bank_id}/import"
    gift = "$CATEGORY: $course$/top/IU06/Thư điện tử\n\n::G-1:: BCC ẩn người nhận. {T}\n\n::IU04-009:: SUM cộng các ô. {T}\n"
    preview = auth.post(url, {"file": (BytesIO(gift.encode()), "moodle.gift"), "module": ""}, token_page=url, content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert "Xác nhận nhập 2 câu hỏi" in page and "chưa có mô đun" not in page
    auth.post(re.search(r'action="([^"]+/import/[^"]+)"', page).group(1), {}, token_page=url)
    # the category holds for both: it comes before the name, as the Moodle user filed them
    assert _question(db, "G-1").module.code == "IU06" and _question(db, "IU04-009").module.code == "IU06"


def test_an_upload_without_any_module_asks_for_one_once(client, auth, db, bank_id):
    auth.login("trainer")
    from lms.questionbank.models import QuestionBank

    bank = services.create_bank("Kho chung", find_user("trainer"))
    db.session.commit()
    url = f"/questionbank/banks/{bank.id}/import"
    gift = "::A:: Câu một. {T}\n\n::B:: Câu hai. {F}\n"
    page = auth.post(url, {"file": (BytesIO(gift.encode()), "chung.gift"), "module": ""}, token_page=url,
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "2 câu hỏi chưa có mô đun (A, B)" in page and "mô đun mặc định" in page and "Xác nhận" not in page
    assert page.count("chưa có mô đun") == 1 and db.session.execute(select(func.count(Question.id))).scalar_one() == 0
    assert db.session.get(QuestionBank, bank.id) is not None

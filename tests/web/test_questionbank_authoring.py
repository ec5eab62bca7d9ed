"""Trainers' pages: create, edit (new version), preview, history, review, bulk status, upload import."""
import re

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


def _choice_form(key="IU04-T01", text="Hàm nào tính **tổng** một vùng ô?", status="review", **extra):
    data = {"key": key, "module": "IU04", "syllabus": "IU04.2.2", "difficulty": "easy", "pool": "exam", "status": status,
            "tags": "hàm, tổng", "title": "", "text_format": "markdown", "text": text, "points": "1", "shuffle": "y",
            "explanation": "SUM cộng các giá trị của vùng ô.", "change_note": ""}
    for index, (choice, correct) in enumerate([("=SUM(A1:A5)", True), ("=COUNT(A1:A5)", False), ("=MAX(A1:A5)", False), ("=ROUND(A1;0)", False)]):
        data[f"choices-{index}-text"] = choice
        if correct:
            data[f"choices-{index}-correct"] = "y"
    data.update(extra)
    return data


def _create(auth, bank_id, **fields):
    url = f"/questionbank/banks/{bank_id}/questions/new/single_choice"
    return auth.post(url, _choice_form(**fields), token_page=url)


def _question(db, key="IU04-T01"):
    db.session.expire_all()
    return db.session.execute(select(Question).where(Question.key == key)).scalar_one()


def test_a_trainer_creates_a_question_and_another_approves_it(client, auth, db, bank_id):
    auth.login("trainer")
    response = _create(auth, bank_id)
    assert response.status_code == 302, response.get_data(as_text=True)
    question = _question(db)
    assert question.status == "review" and question.current_version.number == 1
    assert [c["correct"] for c in question.current_version.data["choices"]] == [True, False, False, False]
    queue = client.get("/questionbank/review/").get_data(as_text=True)
    assert "IU04-T01" in queue and "chờ người khác duyệt" in queue
    refused = auth.post(f"/questionbank/questions/{question.id}/status", {"status": "approved"}, token_page="/questionbank/review/")
    assert refused.status_code == 302 and _question(db).status == "review"
    auth.logout()

    auth.login("trainer2")
    assert 'value="approved"' in client.get("/questionbank/review/").get_data(as_text=True)
    auth.post(f"/questionbank/questions/{question.id}/status", {"status": "approved", "comment": "Tốt"}, token_page="/questionbank/review/")
    assert _question(db).status == "approved"
    detail = client.get(f"/questionbank/questions/{question.id}").get_data(as_text=True)
    assert "Nguyễn Văn Duyệt" in detail and "Tốt" in detail


def test_editing_an_approved_question_keeps_the_old_version_and_shows_the_change(client, auth, db, bank_id):
    auth.login("trainer")
    _create(auth, bank_id, status="draft")
    question = _question(db)
    services.change_status(question, "approved", find_user("trainer2"))
    db.session.commit()
    edit_url = f"/questionbank/questions/{question.id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert "=COUNT(A1:A5)" in page and "phiên bản mới" in page
    response = auth.post(edit_url, _choice_form(text="Hàm nào cộng các giá trị của một vùng ô?", status="approved",
                                                change_note="Câu dẫn rõ hơn"), token_page=edit_url)
    assert response.status_code == 302
    question = _question(db)
    assert question.current_version.number == 2 and question.status == "review"
    history = client.get(f"/questionbank/questions/{question.id}/history").get_data(as_text=True)
    assert "<del>" in history and "<ins>" in history and "Câu dẫn rõ hơn" in history
    first = client.get(f"/questionbank/questions/{question.id}/preview?version=1").get_data(as_text=True)
    assert "tính <strong>tổng</strong>" in first


def test_saving_the_edit_form_unchanged_creates_no_version(client, auth, db, bank_id):
    auth.login("trainer")
    _create(auth, bank_id, status="draft")
    question = _question(db)
    edit_url = f"/questionbank/questions/{question.id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', page))
    form = _choice_form(status="draft")
    form["key"] = fields.get("key", "IU04-T01")
    auth.post(edit_url, form, token_page=edit_url)
    assert db.session.execute(select(func.count(QuestionVersion.id))).scalar_one() == 1


def test_the_preview_shows_the_question_without_its_answer_key(client, auth, db, bank_id):
    auth.login("trainer")
    _create(auth, bank_id, text="Hàm nào tính tổng? <script>alert(1)</script>", explanation="GIẢI THÍCH BÍ MẬT")
    question = _question(db)
    preview = client.get(f"/questionbank/questions/{question.id}/preview").get_data(as_text=True)
    assert "=SUM(A1:A5)" in preview and "=COUNT(A1:A5)" in preview
    assert "GIẢI THÍCH BÍ MẬT" not in preview and "đúng</strong>" not in preview
    assert "<script>alert(1)" not in preview


def test_invalid_questions_are_refused_with_the_reason(client, auth, db, bank_id):
    auth.login("trainer")
    form = _choice_form()
    form["choices-1-correct"] = "y"  # two correct answers for a single choice
    url = f"/questionbank/banks/{bank_id}/questions/new/single_choice"
    response = auth.post(url, form, token_page=url)
    assert response.status_code == 200 and "đúng" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0


@pytest.mark.parametrize("qtype", ["single_choice", "multiple_response", "true_false", "matching", "short_answer", "numeric", "practical"])
def test_every_type_has_a_create_form(client, auth, bank_id, qtype):
    auth.login("trainer")
    page = client.get(f"/questionbank/banks/{bank_id}/questions/new/{qtype}")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)


def test_a_short_answer_question_is_saved_from_the_form(client, auth, db, bank_id):
    auth.login("trainer")
    url = f"/questionbank/banks/{bank_id}/questions/new/short_answer"
    form = {key: value for key, value in _choice_form(key="IU04-SA").items() if not key.startswith("choices-")}
    form.update({"text": "Hàm nào làm tròn số?", "answers": "ROUND\r\nHàm ROUND\r\n", "status": "draft"})
    assert auth.post(url, form, token_page=url).status_code == 302
    assert _question(db, "IU04-SA").current_version.data["answers"] == ["ROUND", "Hàm ROUND"]


def test_the_list_filters_by_status_and_bulk_changes_status(client, auth, db, bank_id):
    auth.login("trainer")
    _create(auth, bank_id, key="A1", status="draft")
    _create(auth, bank_id, key="A2", status="draft")
    listing = client.get("/questionbank/questions/?status=draft&q=tổng").get_data(as_text=True)
    # By the row's checkbox: a bare "A1" could also turn up inside a random CSRF token.
    assert 'aria-label="A1"' in listing and 'aria-label="A2"' in listing
    ids = [_question(db, "A1").id, _question(db, "A2").id]
    response = auth.post("/questionbank/questions/bulk-status", {"status": "review", "question_ids": ids}, token_page="/questionbank/questions/")
    assert response.status_code == 302
    assert {_question(db, "A1").status, _question(db, "A2").status} == {"review"}
    assert 'aria-label="A1"' not in client.get("/questionbank/questions/?status=draft").get_data(as_text=True)


def test_bulk_status_refuses_questions_of_banks_not_shared(client, auth, db, bank_id):
    secret = services.create_bank("Kho riêng", find_user("admin"))
    hidden = services.create_question(secret, QuestionData(key="X1", type="true_false", text="Đúng hay sai?", module="IU01",
                                                           answer=True, status="draft"), find_user("admin"))
    db.session.commit()
    auth.login("trainer")
    response = auth.post("/questionbank/questions/bulk-status", {"status": "retired", "question_ids": [hidden.id]}, token_page="/questionbank/questions/")
    assert response.status_code == 403
    assert _question(db, "X1").status == "draft"


GIFT = """$CATEGORY: IU04
::G-1:: Hàm nào trả về giá trị lớn nhất? {=MAX ~MIN ~SUM ~COUNT}

::G-2:: Địa chỉ \\$A\\$1 là địa chỉ tuyệt đối. {T}
"""


def test_upload_preview_then_confirm_imports_the_file(client, auth, db, bank_id):
    from io import BytesIO

    auth.login("trainer")
    url = f"/questionbank/banks/{bank_id}/import"
    preview = auth.post(url, {"file": (BytesIO(GIFT.encode()), "bang-tinh.gift"), "module": "IU04"}, token_page=url,
                        content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Xác nhận nhập 2 câu hỏi" in page
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0
    action = re.search(r'action="([^"]+/import/[^"]+)"', page).group(1)
    confirmed = auth.post(action, {}, token_page=url)
    assert confirmed.status_code == 302
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 2
    assert db.session.execute(select(Question.status).where(Question.key == "G-1")).scalar_one() == "review"
    assert auth.post(action, {}, token_page=url).status_code == 404  # a confirmation is used once


def test_a_broken_upload_lists_the_line_and_imports_nothing(client, auth, db, bank_id):
    from io import BytesIO

    auth.login("trainer")
    url = f"/questionbank/banks/{bank_id}/import"
    broken = "::G-1:: Câu đúng {=A ~B}\n\n::G-2:: Thiếu ngoặc đóng {=A ~B\n"
    response = auth.post(url, {"file": (BytesIO(broken.encode()), "hong.gift"), "module": "IU04"}, token_page=url,
                         content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "Dòng 3" in page and "chưa nhập câu hỏi nào" in page and "Xác nhận" not in page
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0


def test_the_xlsx_template_downloads(client, auth, bank_id):
    auth.login("trainer")
    response = client.get("/questionbank/xlsx-template")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_an_uploaded_image_is_served_from_media_and_a_fake_one_refused(client, auth, db, bank_id):
    from io import BytesIO

    auth.login("trainer")
    page = f"/questionbank/banks/{bank_id}"
    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40
    answer = auth.post(f"{page}/images", {"file": (BytesIO(png), "bieu-do.png")}, token_page=page,
                       content_type="multipart/form-data", headers={"Accept": "application/json"})
    body = answer.get_json()
    assert answer.status_code == 200 and body["markdown"] == f"![]({body['url']})"
    assert client.get(body["url"]).data == png
    fake = auth.post(f"{page}/images", {"file": (BytesIO(b"<svg onload=alert(1)>"), "x.png")}, token_page=page,
                     content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert fake.status_code == 400


def test_the_home_pages_link_to_the_banks(client, auth, bank_id):
    for username, home in (("trainer", "/trainer/"), ("admin", "/admin/")):
        auth.login(username)
        assert "/questionbank/" in client.get(home).get_data(as_text=True)
        assert client.get("/questionbank/").status_code == 200
        auth.logout()


def test_a_long_list_is_paged(client, auth, db, bank_id):
    from lms.questionbank.models import QuestionBank

    bank = db.session.get(QuestionBank, bank_id)
    services.import_questions(bank, [QuestionData(key=f"P{n:03d}", type="true_false", text=f"Mệnh đề số {n}.", module="IU04", answer=True)
                                     for n in range(60)], find_user("trainer"))
    db.session.commit()
    auth.login("trainer")
    first = client.get(f"/questionbank/questions/?bank={bank_id}").get_data(as_text=True)
    assert "P000" in first and "P059" not in first and "Trang 1/2" in first
    second = client.get(f"/questionbank/questions/?bank={bank_id}&page=2").get_data(as_text=True)
    assert "P059" in second and "P000" not in second

"""Confidentiality: nobody but trainers and administrators reaches any question-bank URL;
a trainer reaches only banks they own or that are shared with them; exports are audited."""
import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.services import create_user, find_user
from lms.org.models import PendingImport
from lms.questionbank import services, transfer
from lms.questionbank.schema import Choice, QuestionData

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture()
def bank_setup(db, demo):
    """A bank owned by the demo trainer with an exam-pool question and an image."""
    owner = find_user("trainer")
    bank = services.create_bank("IU06 – Bí mật", owner)
    question = services.create_question(bank, QuestionData(
        key="MAT-1", type="single_choice", text="Câu hỏi thi bí mật?", module="IU06", status="draft", pool="exam",
        choices=[Choice("Đáp án đúng", True), Choice("Phương án sai")]), owner)
    image = transfer.store_image(bank, "anh.png", PNG, owner)
    pending = PendingImport(token="tok", kind="questions", filename="a.yaml", content=b"", options={"bank_id": bank.id}, user_id=owner.id)
    db.session.add(pending)
    db.session.commit()
    return {"bank_id": bank.id, "question_id": question.id, "image_id": image.id, "user_id": owner.id,
            "qtype": "single_choice", "fmt": "native", "token": "tok"}


def _questionbank_requests(app, values):
    """(method, url) for every rule of the blueprint, with real ids filled in."""
    requests = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("questionbank."):
                continue
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                requests.append((method, url))
    return requests


def test_the_blueprint_has_the_expected_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("questionbank.")}
    assert {"questionbank.banks", "questionbank.questions", "questionbank.export", "questionbank.media",
            "questionbank.import_upload", "questionbank.question_preview", "questionbank.review_queue"} <= endpoints
    assert len(endpoints) >= 18


@pytest.mark.parametrize("username", ["learner", "hr"])
def test_learners_and_hr_officers_get_403_on_every_question_bank_url(client, auth, app, bank_setup, username):
    auth.login(username)
    token = auth.csrf_token("/account/password")
    for method, url in _questionbank_requests(app, bank_setup):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token, "status": "approved", "user_id": bank_setup["user_id"]})
        assert response.status_code == 403, (username, method, url, response.status_code)
        assert "Câu hỏi thi bí mật" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in_on_every_question_bank_url(client, auth, app, bank_setup):
    token = auth.csrf_token("/login")
    for method, url in _questionbank_requests(app, bank_setup):
        response = client.get(url) if method == "GET" else client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


def test_a_trainer_cannot_open_a_bank_not_shared_with_them(client, auth, app, bank_setup, db):
    create_user("trainer2", "Demo@2017", "Giảng viên hai", roles=["trainer"], enforce_policy=False)
    db.session.commit()
    auth.login("trainer2")
    for method, url in _questionbank_requests(app, bank_setup):
        if method != "GET" or url.rstrip("/").endswith(("/questionbank", "/questions", "/review", "/xlsx-template", "/banks/new")):
            continue
        assert client.get(url).status_code == 403, url
    assert client.get(f"/questionbank/questions/?bank={bank_setup['bank_id']}").status_code == 403
    listing = client.get("/questionbank/questions/").get_data(as_text=True)
    assert "MAT-1" not in listing
    assert "IU06 – Bí mật" not in client.get("/questionbank/").get_data(as_text=True)


def test_sharing_a_bank_opens_it_to_the_other_trainer(client, auth, bank_setup, db):
    other = create_user("trainer2", "Demo@2017", "Giảng viên hai", roles=["trainer"], enforce_policy=False)
    db.session.commit()
    auth.login("trainer")
    bank_url = f"/questionbank/banks/{bank_setup['bank_id']}"
    response = auth.post(f"{bank_url}/share", {"user_id": other.id}, token_page=bank_url)
    assert response.status_code == 302
    auth.logout()
    auth.login("trainer2")
    assert client.get(bank_url).status_code == 200
    assert "MAT-1" in client.get(f"/questionbank/questions/?bank={bank_setup['bank_id']}").get_data(as_text=True)


def test_an_administrator_reaches_every_bank(client, auth, bank_setup):
    auth.login("admin")
    assert client.get(f"/questionbank/banks/{bank_setup['bank_id']}").status_code == 200
    assert client.get(f"/media/questions/{bank_setup['image_id']}").data == PNG


def test_exports_are_audited_with_user_bank_and_format(client, auth, bank_setup, db):
    auth.login("trainer")
    for fmt in ("native", "gift", "moodlexml", "xlsx"):
        response = client.get(f"/questionbank/banks/{bank_setup['bank_id']}/export/{fmt}")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "questionbank.export").order_by(AuditEvent.id)).scalars().all()
    assert [e.details["format"] for e in events] == ["native", "gift", "moodlexml", "xlsx"]
    assert {e.actor_name for e in events} == {"trainer"} and {e.target for e in events} == {"IU06 – Bí mật"}


def test_question_images_are_served_only_to_those_who_may_open_the_bank(client, auth, bank_setup, db):
    url = f"/media/questions/{bank_setup['image_id']}"
    auth.login("trainer")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png" and response.headers["X-Content-Type-Options"] == "nosniff"
    auth.logout()
    auth.login("learner")
    assert client.get(url).status_code == 403
    assert client.get("/media/questions/999999").status_code == 404

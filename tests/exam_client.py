"""An exam through the web client, as the exam page drives it: start a part, the exam API's
CSRF token, save answers, the paper's question ids; and the clock moved for a test."""
import re
from datetime import timedelta

from sqlalchemy import select

from lms.auth.services import create_user, find_user
from lms.exams.models import AttemptQuestion, ExamAttempt
from lms.extensions import db
from lms.models_base import utcnow
from lms.org.models import Staff


def start(auth, session, part=None):
    part_id = part or session.blueprint.parts[0].id
    response = auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", token_page=f"/exams/sessions/{session.id}")
    return attempt_on_page(response)


def attempt_on_page(response):
    """The start answers with the exam page itself; its attempt id."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(re.search(r'<div id="exam" [^>]*data-attempt="(\d+)"', response.get_data(as_text=True)).group(1))


def start_as_learner(auth, session, part=None):
    """Signs the demo learner in and starts a part of the session (the first unless named); the attempt id."""
    auth.login("learner")
    return start(auth, session, part)


def csrf(client, attempt_id):
    return client.get(f"/exams/api/attempts/{attempt_id}/state", headers={"Accept": "application/json"}).get_json()["csrf_token"]


def save(client, attempt_id, token, question, seq, response):
    return client.post(f"/exams/api/attempts/{attempt_id}/answers", json={"answers": [{"question": question, "seq": seq, "response": response}]},
                       headers={"X-CSRFToken": token})


def paper_ids(attempt_id):
    return db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id).order_by(AttemptQuestion.position)).scalars().all()


def move_deadline(attempt_id, seconds_from_now):
    attempt = db.session.get(ExamAttempt, attempt_id)
    attempt.deadline_at = utcnow() + timedelta(seconds=seconds_from_now)
    db.session.commit()


def second_learner():
    staff = db.session.execute(select(Staff).where(Staff.id != find_user("learner").staff_id).order_by(Staff.id)).scalars().first()
    user = create_user("learner2", "Demo@2017", staff.full_name, roles=["learner"], staff=staff)
    db.session.commit()
    return user

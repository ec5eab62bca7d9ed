"""What the exam-flow attack tests share: the room's addresses, a start through the page (with
an access code), every request a candidate sends on an attempt, and what an attempt holds."""
import io

from exam_client import attempt_on_page
from exam_support import docx_bytes
from sqlalchemy import func, select

from lms.exams.models import AttemptAnswer, AttemptEvent, AttemptQuestion, ExamAttempt, PracticalUpload
from lms.extensions import db

ROOM_NETWORK = "10.1.2.0/24"
ROOM, ROOM_TABLET = "10.1.2.15", "10.1.2.77"  # two machines of the exam room
OUTSIDE = "203.0.113.9"
CODE = "HN-2026"
JSON = {"Accept": "application/json"}


def at(client, address):
    """Every further request of this client comes from `address`."""
    client.environ_base["REMOTE_ADDR"] = address


def said(response):
    """The message a refusal carries, from its JSON body or its page."""
    return response.get_json()["message"] if response.is_json else response.get_data(as_text=True)


def post_start(auth, session, code=None, part=None, **kwargs):
    """The start form of a part (the first unless named), with the access code typed."""
    part_id = part or session.blueprint.parts[0].id
    return auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", data={"access_code": code} if code else {},
                     token_page=f"/exams/sessions/{session.id}", **kwargs)


def start_with_code(auth, session, part=None):
    return attempt_on_page(post_start(auth, session, CODE, part))


def attempt_requests(client, token, attempt_id, question, practical_id, task):
    """{name: send()} for every request of a sitting on `attempt_id` (a theory attempt) and
    `practical_id` (a practical one), naming `question` and `task`."""
    api = f"/exams/api/attempts/{attempt_id}"
    headers = {"X-CSRFToken": token, **JSON}

    def upload():
        return client.post(f"/exams/attempts/{practical_id}/questions/{task}/upload", headers=JSON, content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(docx_bytes()), "bai-lam.docx")})

    return {
        "page": lambda: client.get(f"/exams/attempts/{attempt_id}"),
        "state": lambda: client.get(f"{api}/state", headers=JSON),
        "save": lambda: client.post(f"{api}/answers", headers=headers, json={"answers": [{"question": question, "seq": 7, "response": {"choice": 2}}]}),
        "flag": lambda: client.post(f"{api}/flag", headers=headers, json={"question": question, "flagged": True}),
        "timeout": lambda: client.post(f"{api}/submit", headers=headers, json={"timeout": True}),
        "submit": lambda: client.post(f"{api}/submit", headers=headers, json={}),
        "submit form": lambda: client.post(f"/exams/attempts/{attempt_id}/submit", data={"csrf_token": token}),
        "upload": upload,
    }


WRITES = ("save", "flag", "timeout", "submit", "submit form", "upload")


def holdings(*attempt_ids):
    """What the attempts hold, to compare before and after a refused request: each one's clock,
    its answers, flags and files handed in."""
    db.session.expire_all()
    on_them = AttemptQuestion.attempt_id.in_(attempt_ids)
    return {
        "clocks": db.session.execute(select(ExamAttempt.id, ExamAttempt.state, ExamAttempt.open_slot, ExamAttempt.deadline_at,
                                            ExamAttempt.submitted_at, ExamAttempt.version)
                                     .where(ExamAttempt.id.in_(attempt_ids)).order_by(ExamAttempt.id)).all(),
        "answers": db.session.execute(select(AttemptAnswer.attempt_question_id, AttemptAnswer.response, AttemptAnswer.client_seq)
                                      .join(AttemptQuestion, AttemptQuestion.id == AttemptAnswer.attempt_question_id)
                                      .where(on_them).order_by(AttemptAnswer.attempt_question_id)).all(),
        "flags": db.session.execute(select(AttemptQuestion.id).where(on_them, AttemptQuestion.flagged.is_(True))).scalars().all(),
        "uploads": db.session.execute(select(func.count(PracticalUpload.id))
                                      .join(AttemptQuestion, AttemptQuestion.id == PracticalUpload.attempt_question_id)
                                      .where(on_them)).scalar_one(),
    }


def events_of(kind, *attempt_ids):
    return db.session.execute(
        select(AttemptEvent).where(AttemptEvent.kind == kind, AttemptEvent.attempt_id.in_(attempt_ids)).order_by(AttemptEvent.id)
    ).scalars().all()

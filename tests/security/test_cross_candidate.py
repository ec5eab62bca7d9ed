"""A learner signed in reading another candidate's attempt, result, certificate, profile, practice
quiz or practical file by id — copied from a link or guessed — and writing to the other's attempt:
403/404 and nothing of the other's data, and the other's attempt as it was. The attacker, Mạc
Đĩnh Chi of Long Biên, sits the same session as the victim, Tô Hiến Thành of Gia Lâm
(tests/security/scope_support.py)."""
import pytest
from scope_support import A_PERSON, B_MARKERS, B_PERSON, ctx_fixture, get, leaked, list_sweep, signed_in, sweep, world_fixture  # noqa: F401  (the fixtures ctx and world)
from sqlalchemy import func, select

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.courses.models import PracticeAttempt
from lms.exams.models import AttemptAnswer, AttemptQuestion, ExamAttempt, ExamCandidate, PracticalUpload
from lms.extensions import db
from lms.notifications.models import Notice
from lms.org.models import Staff
from tests.conftest import Auth

ATTACKER = A_PERSON["username"]


def state_of(attempt_id):
    """What a write to the attempt would change: its state and clock, answers, flags, files."""
    attempt = db.session.get(ExamAttempt, attempt_id)
    questions = select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id)
    return (attempt.state, attempt.submitted_at, attempt.deadline_at,
            db.session.execute(select(func.count()).select_from(AttemptAnswer).where(AttemptAnswer.attempt_question_id.in_(questions))).scalar_one(),
            db.session.execute(select(func.count()).select_from(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id,
                                                                                       AttemptQuestion.flagged.is_(True))).scalar_one(),
            db.session.execute(select(func.count()).select_from(PracticalUpload).where(PracticalUpload.attempt_question_id.in_(questions))).scalar_one())


def first_question(attempt_id):
    return db.session.execute(select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id)
                              .order_by(AttemptQuestion.position)).scalars().first()


def test_every_id_route_called_with_the_other_candidates_ids_answers_nothing_of_them(app, ctx):
    assert sweep(signed_in(app, ATTACKER), app, ctx) == []


def test_the_learners_own_pages_searched_for_the_other_show_nothing_of_them(app, ctx):
    searches = [({}, B_MARKERS), ({"q": B_PERSON["full_name"][3:], "staff": ctx["staff_id"][0], "attempt": ctx["open_b"]}, B_MARKERS)]
    assert list_sweep(signed_in(app, ATTACKER), app, ctx, searches) == []


def test_every_guessed_id_of_someone_elses_attempt_quiz_or_certificate_is_refused(app, ctx):
    client = signed_in(app, ATTACKER)
    own = set(db.session.execute(select(ExamAttempt.id).join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
                                 .join(User, User.id == ExamCandidate.user_id).where(User.username == ATTACKER)).scalars())
    attempts = db.session.execute(select(ExamAttempt.id)).scalars().all()
    assert ctx["own_attempt"] in own and len(attempts) > len(own)
    beyond = max(attempts) + 1
    for attempt_id in [*attempts, beyond, 2**31, 2**63]:
        for path in (f"/exams/attempts/{attempt_id}", f"/exams/attempts/{attempt_id}/result", f"/exams/api/attempts/{attempt_id}/state"):
            answer = get(client, path)
            if attempt_id in own:
                assert answer.status_code in (200, 302) and leaked(answer) == [], path
            else:
                assert answer.status_code == (404 if attempt_id >= beyond else 403), path
                assert leaked(answer) == [] and "Câu hỏi" not in answer.get_data(as_text=True), path
    for quiz_id in db.session.execute(select(PracticeAttempt.id)).scalars():
        assert get(client, f"/learn/practice/{quiz_id}/").status_code == 403
        assert get(client, f"/learn/practice/{quiz_id}/0").status_code == 403
    for code in db.session.execute(select(Certificate.code)).scalars():
        for path in (f"/certificates/{code}", f"/certificates/{code}.pdf", f"/certificates/{code}/credential.jwt"):
            assert get(client, path).status_code == 403, path


def test_writes_to_the_other_candidates_attempt_are_refused_and_change_nothing(app, ctx):
    client = signed_in(app, ATTACKER)
    auth = Auth(client)
    own, open_b, practical_b = ctx["own_attempt"], ctx["open_b"], ctx["practical_b"]
    before = {attempt_id: state_of(attempt_id) for attempt_id in (open_b, practical_b)}
    token = auth.csrf_token(f"/exams/attempts/{own}")
    headers = {"X-CSRFToken": token}
    theirs = first_question(open_b)
    for attempt_id in (open_b, practical_b):
        question = first_question(attempt_id)
        answers = client.post(f"/exams/api/attempts/{attempt_id}/answers", headers=headers,
                              json={"answers": [{"question": question, "seq": 99, "response": {"choice": 1}}]})
        flag = client.post(f"/exams/api/attempts/{attempt_id}/flag", headers=headers, json={"question": question, "flagged": True})
        submit = client.post(f"/exams/api/attempts/{attempt_id}/submit", headers=headers, json={})
        form = client.post(f"/exams/attempts/{attempt_id}/submit", data={"csrf_token": token})
        upload = client.post(f"/exams/attempts/{attempt_id}/questions/{question}/upload", data={"csrf_token": token},
                             content_type="multipart/form-data")
        for answer in (answers, flag, submit, form, upload):
            assert answer.status_code == 403 and leaked(answer) == [], (attempt_id, answer.status_code)
    # The attacker's own attempt, naming one of the other's questions: not on the paper.
    flag = client.post(f"/exams/api/attempts/{own}/flag", headers=headers, json={"question": theirs, "flagged": True})
    assert flag.status_code == 404
    save = client.post(f"/exams/api/attempts/{own}/answers", headers=headers, json={"question": theirs, "seq": 1, "response": {"choice": 1}})
    assert save.status_code == 404 and save.get_json()["error"] == "not_on_paper"
    # Starting a part of the other's own session: not a candidate there.
    session_b = ctx["session_b"]
    part = db.session.execute(select(ExamAttempt.part_id).where(ExamAttempt.id == ctx["graded_b"])).scalar_one()
    assert client.post(f"/exams/sessions/{session_b}/parts/{part}/start", data={"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert {attempt_id: state_of(attempt_id) for attempt_id in (open_b, practical_b)} == before


def test_the_other_candidates_notice_cannot_be_marked_read(app, ctx):
    client = signed_in(app, ATTACKER)
    theirs = db.session.execute(select(Notice.id).where(Notice.staff_id == ctx["staff_id"][0])).scalars().first()
    assert theirs is not None
    token = Auth(client).csrf_token("/notifications/")
    assert client.post(f"/notifications/{theirs}/read", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notice, theirs).read_at is None


@pytest.mark.parametrize("path_of", [
    lambda ids: f"/exams/attempts/{ids['graded_b']}/result",
    lambda ids: f"/certificates/{ids['code'][0]}.pdf",
    lambda ids: f"/learn/practice/{ids['practice_id'][0]}/",
])
def test_the_victim_reaches_what_the_attacker_is_refused(app, ctx, path_of):
    """The pages the attack was refused do exist and hold the victim's data: the victim opens them."""
    answer = get(signed_in(app, B_PERSON["username"]), path_of(ctx))
    assert answer.status_code == 200
    staff = db.session.get(Staff, ctx["staff_id"][0])
    assert staff.full_name in leaked(answer)

"""Building exam data for the exam tests: a pool of approved exam questions, a session, a candidate."""
import io
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.catalogue.models import Module
from lms.exams import attempts, design, starting
from lms.exams.attempts import load_attempt
from lms.exams.models import AttemptAnswer, AttemptQuestion, ExamAttempt
from lms.extensions import db
from lms.models_base import utcnow
from lms.questionbank.models import Question, QuestionBank, QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import get_type

BASIC = ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")
SECRET = "BÍ-MẬT"  # in feedback and explanations: never sent to a candidate


def single_choice(key, module):
    return {
        "key": key, "type": "single_choice", "text": f"Câu hỏi {key}?", "module": module, "syllabus": f"{module}.1",
        "difficulty": "medium", "pool": "exam", "status": "approved", "explanation": f"{SECRET} giải thích {key}",
        "choices": [
            {"text": f"Phương án A {key}", "correct": False, "feedback": f"{SECRET} sai"},
            {"text": f"Phương án B {key}", "correct": True, "feedback": f"{SECRET} đúng"},
            {"text": f"Phương án C {key}", "correct": False, "feedback": ""},
            {"text": f"Phương án D {key}", "correct": False, "feedback": ""},
        ],
        "points": 1.0, "shuffle": True,
    }


def practical_task(key, module):
    return {"key": key, "type": "practical", "text": f"Bài thực hành {key}", "module": module, "syllabus": f"{module}.1",
            "difficulty": "medium", "pool": "exam", "status": "approved", "points": 10.0,
            "rubric": [{"criterion": "Định dạng", "points": 10}], "extensions": [".docx", ".pdf"]}


def add_question(bank, data):
    module_id = db.session.execute(select(Module.id).where(Module.code == data["module"])).scalar_one()
    question = Question(bank_id=bank.id, key=data["key"], type=data["type"], module_id=module_id, syllabus_code=data["syllabus"],
                        difficulty=data["difficulty"], pool=data["pool"], status=data["status"])
    db.session.add(question)
    db.session.flush()
    version = QuestionVersion(question_id=question.id, number=1, data=data)
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    return question


def make_pool(per_module=6, modules=BASIC, practical=()):
    """A bank of approved exam questions, owned by the demo trainer when there is one."""
    owner = find_user("trainer")
    bank = QuestionBank(name=f"Ngân hàng thi {utcnow().timestamp()}", owner_id=owner.id if owner else None)
    db.session.add(bank)
    db.session.flush()
    for module in modules:
        for index in range(per_module):
            add_question(bank, single_choice(f"{module}-{index}", module))
    for module in practical:
        add_question(bank, practical_task(f"{module}-TH", module))
    db.session.flush()
    return bank


def make_session(minutes=30, grace_seconds=30, closes_in=timedelta(days=1), practical=False, username="learner", **options):
    """A published basic session (theory only unless asked) with the demo learner as candidate."""
    now = utcnow()
    blueprint = design.default_basic_blueprint(name=f"Cấu trúc {now.timestamp()}", with_practical=False)
    blueprint.parts[0].minutes = minutes
    if practical:
        design.add_part(blueprint, "practical", "Thực hành", 90, [("IU03", 1)])
    session = design.create_session(blueprint, "Kỳ thi thử", now - timedelta(hours=1), now + closes_in,
                                    council="Hội đồng thi thử", grace_seconds=grace_seconds, **options)
    user = find_user(username)
    candidate = design.add_candidate(session, user.staff, user)
    db.session.commit()
    return session, candidate


def docx_bytes():
    """The smallest file that passes for a Word document (a zip with word/document.xml); the
    same bytes on every call (the members' times are fixed, not the clock's)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", date_time=(2026, 1, 1, 0, 0, 0)), "<Types/>")
        archive.writestr(zipfile.ZipInfo("word/document.xml", date_time=(2026, 1, 1, 0, 0, 0)), "<w:document/>")
    return buffer.getvalue()


def loaded(attempt_id, now=None):
    """The attempt as a request on it gets it first: locked and clocked (at `now`)."""
    return load_attempt(attempt_id, now or utcnow(), writes=True)


def module_codes(attempt):
    return dict(db.session.execute(
        select(AttemptQuestion.id, Module.code).join(Module, Module.id == AttemptQuestion.module_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
    ).all())


def answer(attempt, correct):
    """Answer every question: the first `correct[code]` of each module right (choice 1, the
    key in make_pool's questions), the others wrong (choice 0)."""
    codes = module_codes(attempt)
    seen, entries = {}, []
    for question in attempt.questions:
        code = codes[question.id]
        index = seen[code] = seen.get(code, 0) + 1
        entries.append({"question": question.id, "seq": 1, "response": {"choice": 1 if index <= correct.get(code, 0) else 0}})
    attempts.save_answers(attempt, entries, utcnow())


def sit(candidate, part, correct):
    """Start, answer and submit a theory attempt; committed. Returns the attempt's id."""
    attempt, created = starting.start_attempt(candidate, part, utcnow())
    assert created
    answer(attempt, correct)
    attempts.submit_attempt(attempt, utcnow())
    db.session.commit()
    return attempt.id


def answered(attempt_id, code, choice):
    """The attempt's questions of a module answered with `choice`."""
    codes = module_codes(db.session.get(ExamAttempt, attempt_id))
    questions = db.session.execute(
        select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id).order_by(AttemptQuestion.position)
    ).scalars().all()
    return [q for q in questions if codes[q.id] == code and q.answer is not None and q.answer.response == {"choice": choice}]


def correct_key(attempt_question, right):
    """A corrected version of the question shown, whose right option is `right` (original index)."""
    version = db.session.get(QuestionVersion, attempt_question.question_version_id)
    question = db.session.get(Question, version.question_id)
    number = db.session.execute(select(func.max(QuestionVersion.number)).where(QuestionVersion.question_id == question.id)).scalar_one()
    data = dict(version.data)
    data["choices"] = [dict(choice, correct=index == right) for index, choice in enumerate(data["choices"])]
    corrected = QuestionVersion(question_id=question.id, number=number + 1, data=data)
    db.session.add(corrected)
    db.session.flush()
    question.current_version_id = corrected.id
    db.session.flush()


def shown_answers(attempt_id):
    """{paper position: the stored answer as the exam page names it} (options by the
    position shown, as the page sends them: QuestionType.stored_to_shown)."""
    rows = db.session.execute(
        select(AttemptQuestion.position, AttemptQuestion.presentation, QuestionVersion.data, AttemptAnswer.response)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(AttemptAnswer, AttemptAnswer.attempt_question_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt_id)
    ).all()
    shown = {}
    for position, presentation, data, response in rows:
        question = QuestionData.from_dict(data)
        shown[position] = get_type(question.type).stored_to_shown(question, presentation, response)
    return shown

"""Demo seed step: a city-level session held about a month ago, taken, marked and released.

Everything goes through the exam services a real session goes through (the start with its
paper, the save the exam page's API uses, the practical upload, submit and its auto-grading,
practical marking as a trainer marks, release), each with the clock of its moment in the
past. So the results carry their result events and staff × module facts exactly as a real
session's do, and certificates can be issued from them. Writes flush, never commit.
"""
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from typing import Optional

from sqlalchemy import select

from lms.auth.models import User
from lms.auth.services import find_user
from lms.catalogue.models import Module
from lms.courses.practice_files import iu03, iu04, iu05
from lms.exams import attempts, design, papers, starting, uploads
from lms.exams.manage import marking, services
from lms.exams.models import AttemptQuestion, ExamAttempt, ExamCandidate, ExamRoom, ExamSession
from lms.extensions import db
from lms.localtime import from_local, local_today
from lms.org.models import Staff, Unit
from lms.questionbank.models import QuestionVersion
from lms.questionbank.schema import QuestionData
from lms.questionbank.types import get_type

SESSION_NAME = "Kỳ thi sát hạch chuẩn kỹ năng CNTT cơ bản – đợt 1/{year}"
BLUEPRINT_NAME = "Đề thi sát hạch chuẩn kỹ năng CNTT cơ bản – đợt 1/{year}"
COUNCIL = "Hội đồng thi chứng chỉ ứng dụng CNTT – Trường Đào tạo cán bộ Lê Hồng Phong"
LOCATION = "Trường Đào tạo cán bộ Lê Hồng Phong, phường Mễ Trì, quận Nam Từ Liêm, Hà Nội"
EXAM_NETWORK = "10.24.8.0/24"  # the school's computer rooms
ROOMS = (("Phòng máy A2.01", 30, "Nguyễn Văn Bình, Trần Thị Mai"), ("Phòng máy A2.02", 30, "Lê Quang Huy, Vũ Thị Thanh Tâm"))
DAYS_AGO = 30
# The staff the candidates come from, besides the demo learner (a ward of Bồ Đề): in this order.
CANDIDATE_UNITS = ("LB-BODE", "LB-NGOCLAM", "HK-HANGBAC", "NTL-MYDINH1")


@dataclass(frozen=True)
class Performance:
    """How one candidate does: right answers out of the 5 theory questions of each module, and
    the share of every rubric criterion's points the marker gives on the practical tasks."""

    theory: tuple  # right answers for IU01 … IU06
    practical: float

    def right_answers(self):
        return {f"IU0{number}": right for number, right in enumerate(self.theory, start=1)}


# The demo learner first. Theory scores are exact whatever paper is drawn (30 questions of 1 point);
# a practical share gives a part score within 0.05 of it on every task of the shipped banks.
PERFORMANCES = (
    Performance((4, 5, 4, 4, 5, 4), 0.85),  # learner: 8.66 and about 8.5, every module passed
    Performance((5, 5, 4, 5, 5, 4), 0.90),  # 9.33
    Performance((4, 4, 4, 3, 4, 4), 0.75),  # 7.66
    Performance((3, 4, 3, 4, 4, 3), 0.70),  # 7.00
    Performance((4, 3, 4, 4, 3, 4), 0.65),  # 7.33
    Performance((3, 3, 4, 3, 3, 3), 0.60),  # 6.33, just above the pass mark everywhere
    Performance((4, 4, 2, 4, 3, 4), 0.70),  # 7.00 with IU03 at 4.00 in theory: passed by the practical part
    Performance((2, 3, 2, 1, 3, 2), 0.70),  # theory 4.33: fails the theory part
    Performance((4, 3, 4, 4, 4, 3), 0.35),  # practical about 3.5: fails the practical part
    Performance((2, 2, 3, 2, 3, 2), 0.40),  # 4.66 and about 4: fails both
)


def seed_finished_session(now) -> tuple[Optional[ExamSession], list[str]]:
    """The finished session and summary lines; the session already seeded is returned as it is,
    and nothing is seeded (None) without the demo learner or without a pool to draw from."""
    learner, trainer = find_user("learner"), find_user("trainer")
    exam_day = local_today(now) - timedelta(days=DAYS_AGO)
    name = SESSION_NAME.format(year=exam_day.year)
    existing = db.session.execute(select(ExamSession).where(ExamSession.name == name)).scalars().first()
    if existing is not None:
        return existing, [f"Thi: kỳ thi «{name}» đã có; không tạo lại."]
    if learner is None or learner.staff is None:
        return None, ["Thi: bỏ qua kỳ thi đã kết thúc (chưa có tài khoản learner)."]
    blueprint = design.default_basic_blueprint(name=BLUEPRINT_NAME.format(year=exam_day.year), created_by=trainer)
    anybody = ExamCandidate(registered_modules=[])  # a basic paper depends on nobody's registration
    missing = [shortage for part in blueprint.parts for shortage in papers.shortages(part, anybody)]
    if missing:
        db.session.delete(blueprint)
        db.session.flush()
        detail = ", ".join(f"{s.quota.label()} thiếu {s.missing}" for s in missing)
        return None, [f"Thi: bỏ qua kỳ thi đã kết thúc (ngân hàng chưa đủ — {detail})."]

    def at(days, hour, minute=0):
        return from_local(datetime.combine(exam_day + timedelta(days=days), time(hour, minute)))

    city = db.session.execute(select(Unit).where(Unit.code == "HN")).scalar_one()
    session = design.create_session(blueprint, name, at(0, 7, 30), at(0, 11, 30), council=COUNCIL, location=LOCATION,
                                    organiser=city, allowed_networks=[EXAM_NETWORK], created_by_id=trainer.id if trainer else None)
    session.rooms.extend(ExamRoom(name=room, capacity=capacity, proctors=proctors) for room, capacity, proctors in ROOMS)
    db.session.flush()
    candidates = _register(session, learner.staff)
    theory, practical = (next(part for part in blueprint.parts if part.kind == kind) for kind in ("theory", "practical"))
    practical_attempts = []
    for index, (candidate, performance) in enumerate(zip(candidates, PERFORMANCES)):
        late = timedelta(seconds=20 * index)  # candidates sign in one after another
        address = f"10.24.8.{11 + index}"
        _sit_theory(candidate, theory, performance, at(0, 8) + late, address)
        practical_attempts.append((_sit_practical(candidate, practical, at(0, 9) + late, address), performance.practical))
    session.status = "closed"
    for index, (attempt_id, share) in enumerate(practical_attempts):
        _mark(attempt_id, share, at(3, 14) + timedelta(minutes=6 * index), trainer)
    services.release_results(session, at(7, 9), trainer)
    return session, [_summary(session, candidates)]


def _register(session, learner_staff):
    """The learner and a few colleagues of wards and communes across the city, with the accounts
    they have (only the learner, in the demo), numbered and seated as a council's list is."""
    rows = db.session.execute(
        select(Staff, Unit.code).join(Unit, Unit.id == Staff.unit_id)
        .where(Unit.code.in_(CANDIDATE_UNITS), Staff.status == "active", Staff.id != learner_staff.id).order_by(Staff.id)
    ).all()
    by_unit = {code: [person for person, unit_code in rows if unit_code == code] for code in CANDIDATE_UNITS}
    wanted = len(PERFORMANCES) - 1
    # Round robin over the units, so that the list mixes districts as a city session's does.
    others = [people[rank] for rank in range(wanted) for people in by_unit.values() if rank < len(people)][:wanted]
    people = [learner_staff, *others]
    users = dict(db.session.execute(select(User.staff_id, User.id).where(User.staff_id.in_([person.id for person in people]))).all())
    candidates = [ExamCandidate(session_id=session.id, staff_id=person.id, user_id=users.get(person.id), candidate_number=f"HN{number:03d}",
                                room_id=session.rooms[(number - 1) % len(session.rooms)].id)
                  for number, person in enumerate(people, start=1)]
    db.session.add_all(candidates)
    db.session.flush()
    return candidates


def _paper(attempt):
    """(attempt question id, module code, question) of the paper, in paper order: the key is read
    from the version shown, as only a seed may."""
    rows = db.session.execute(
        select(AttemptQuestion.id, Module.code, QuestionVersion.data)
        .join(QuestionVersion, QuestionVersion.id == AttemptQuestion.question_version_id)
        .join(Module, Module.id == AttemptQuestion.module_id)
        .where(AttemptQuestion.attempt_id == attempt.id).order_by(AttemptQuestion.position)
    ).all()
    return [(question_id, code, QuestionData.from_dict(data)) for question_id, code, data in rows]


def _sit_theory(candidate, part, performance, started, address):
    """Right answers to the first questions of each module as the performance says, wrong or
    blank answers to the others, saved in one batch as the page's buffer sends them; submitted."""
    attempt, _created = starting.start_attempt(candidate, part, started, address)
    right = performance.right_answers()
    seen, entries = {}, []
    for seq, (question_id, code, question) in enumerate(_paper(attempt), start=1):
        rank = seen[code] = seen.get(code, 0) + 1
        response = correct_response(question) if rank <= right.get(code, 0) else wrong_response(question)
        if response is not None:
            entries.append({"question": question_id, "seq": seq, "response": response})
    attempts.save_answers(attempt, entries, started + timedelta(minutes=21))
    attempts.submit_attempt(attempt, started + timedelta(minutes=24))


def correct_response(question):
    return get_type(question.type).correct_response(question)


def wrong_response(question):
    """An answer worth nothing (a wrong option, the opposite, a number off the key), or None
    (left blank) where a wrong one is not obvious."""
    kind = question.type
    if kind in ("single_choice", "multiple_response"):
        wrong = next((index for index, choice in enumerate(question.choices) if not choice.correct), None)
        if wrong is None:
            return None
        response = {"choice": wrong} if kind == "single_choice" else {"choices": [wrong]}
    elif kind == "true_false":
        response = {"value": not question.answer}
    elif kind == "numeric":
        response = {"value": question.answer + question.tolerance + 1}
    else:
        return None
    # A weighted option may still earn part of the points: then blank, so that scores stay exact.
    return response if get_type(kind).grade(question, response) == 0 else None


def _sit_practical(candidate, part, started, address):
    """A file handed in for every task (through the upload the exam page uses), then submitted."""
    attempt, _created = starting.start_attempt(candidate, part, started, address)
    tasks = {attempt_question.id: attempt_question for attempt_question in attempt.questions}
    for minutes, (question_id, _code, question) in enumerate(_paper(attempt), start=55):
        extension = (question.extensions or [".docx"])[0]
        uploads.store_upload(attempt, tasks[question_id], _file_name(question, extension, candidate.candidate_number),
                             handed_in_file(extension), started + timedelta(minutes=minutes), question.extensions or None)
    attempts.submit_attempt(attempt, started + timedelta(minutes=80))
    return attempt.id


def _file_name(question, extension, candidate_number):
    """The name the task asks for (`congvan_<số báo danh>.docx`), else a plain one."""
    asked = re.search(r"`(\w+)_<số báo danh>", question.text)
    return f"{asked.group(1) if asked else 'baithi'}_{candidate_number}{extension}"


@cache
def handed_in_file(extension) -> bytes:
    """Stand-ins for the work handed in: the lessons' practice files of the same kind (built once)."""
    builders = {".docx": iu03.build_cong_van_chua_dinh_dang, ".xlsx": iu04.build_bang_luong_thang, ".pptx": iu05.build_bao_cao_so_ket}
    if extension in builders:
        return builders[extension]()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, kind in (("bai-lam.docx", ".docx"), ("du-lieu.xlsx", ".xlsx"), ("trinh-chieu.pptx", ".pptx")):
            archive.writestr(name, handed_in_file(kind))
    return buffer.getvalue()


def _mark(attempt_id, share, moment, trainer):
    """The trainer marks every task criterion by criterion, under the attempt's lock as the
    marking page does; points in quarters, as a marker writes them."""
    attempt = attempts.load_attempt(attempt_id, moment, writes=True)
    scores = {question.id: [min(points, round(points * share * 4) / 4) for _criterion, points in marking.rubric_of(question)]
              for question in attempt.questions}
    marking.mark_practical(attempt, scores, moment, trainer)


def _summary(session, candidates):
    passed_by_candidate = {}
    for candidate_id, passed in db.session.execute(
        select(ExamAttempt.candidate_id, ExamAttempt.passed).where(ExamAttempt.candidate_id.in_([c.id for c in candidates]))
    ).all():
        passed_by_candidate[candidate_id] = passed_by_candidate.get(candidate_id, True) and bool(passed)
    passed = sum(1 for value in passed_by_candidate.values() if value)
    learner_line = "learner đạt cả hai phần" if passed_by_candidate.get(candidates[0].id) else "learner CHƯA đạt"
    return (f"Thi: kỳ thi «{session.name}» đã kết thúc, đã chấm và công bố kết quả: {len(candidates)} thí sinh, "
            f"{passed} đạt cả hai phần ({learner_line}), {len(candidates) - passed} không đạt.")

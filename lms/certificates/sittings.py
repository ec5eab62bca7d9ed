"""An exam sitting as the certificate rules read it: one candidate's latest attempt of each
part, the modules those attempts tested and passed, and the holder's valid certificates.
Reads only; a session's sittings in a fixed number of statements, whatever its size."""
from sqlalchemy import select

from lms.catalogue.models import CertificateRule, Module
from lms.certificates.models import VALID, Certificate
from lms.certificates.rules import Sitting
from lms.exams.core import engine
from lms.exams.manage.queries import candidate_in_scope, latest_attempts
from lms.exams.models import ExamAttempt, ExamCandidate, ExamSession
from lms.exams.result_models import ModuleResult
from lms.extensions import db


class SittingRecord:
    """A candidate, their latest attempts and the pure Sitting the rules decide on."""

    def __init__(self, candidate, attempts, sitting):
        self.candidate = candidate
        self.attempts = attempts  # the latest attempt of each part that has one, in part order
        self.sitting = sitting

    @property
    def exam_date(self):
        started = [attempt.started_at for attempt in self.attempts]
        return max(started) if started else None


def sittings_of_session(session: ExamSession, scope, candidate_ids=None):
    """{candidate id: SittingRecord} of the session's candidates in the scope (or only those
    of `candidate_ids`)."""
    condition = [ExamCandidate.session_id == session.id, candidate_in_scope(scope)]
    if candidate_ids is not None:
        condition.append(ExamCandidate.id.in_(list(candidate_ids)))
    candidates = db.session.execute(select(ExamCandidate).where(*condition).order_by(ExamCandidate.id)).scalars().all()
    if not candidates:
        return {}
    wanted = [candidate.id for candidate in candidates]
    attempts = db.session.execute(
        latest_attempts(session.id).where(ExamAttempt.candidate_id.in_(wanted)).order_by(ExamAttempt.id)
    ).scalars().all()
    by_candidate = {}
    for attempt in attempts:
        by_candidate.setdefault(attempt.candidate_id, {})[attempt.part_id] = attempt
    module_rows = db.session.execute(
        select(ExamAttempt.candidate_id, Module.code, ModuleResult.score, ModuleResult.passed)
        .join(ModuleResult, ModuleResult.attempt_id == ExamAttempt.id)
        .join(Module, Module.id == ModuleResult.module_id)
        .where(ExamAttempt.id.in_([attempt.id for attempt in attempts]), ExamAttempt.state == engine.GRADED)
        .order_by(Module.position)
    ).all()
    modules = {}
    for candidate_id, code, score, passed in module_rows:
        # A module tested by both parts counts as passed only when both passed it; its score
        # on the register is the lower of the two.
        known = modules.setdefault(candidate_id, {}).get(code)
        modules[candidate_id][code] = (score, passed) if known is None else (min(known[0], score), known[1] and passed)
    held = held_rules([candidate.staff_id for candidate in candidates])
    parts = list(session.blueprint.parts)
    released = session.results_released_at is not None
    records = {}
    for candidate in candidates:
        mine = by_candidate.get(candidate.id, {})
        part_scores = tuple(
            engine.PartScore(part.kind, _graded(mine.get(part.id)), part.pass_mark, part.max_score) for part in parts)
        sitting = Sitting(session.blueprint.kind, part_scores, modules.get(candidate.id, {}), released,
                          frozenset(held.get(candidate.staff_id, ())))
        records[candidate.id] = SittingRecord(candidate, [mine[part.id] for part in parts if part.id in mine], sitting)
    return records


def _graded(attempt):
    return attempt.score if attempt is not None and attempt.state == engine.GRADED else None


def held_rules(staff_ids):
    """{staff id: {rule code}} of the valid certificates these people hold."""
    rows = db.session.execute(
        select(Certificate.staff_id, CertificateRule.code)
        .join(CertificateRule, CertificateRule.id == Certificate.rule_id)
        .where(Certificate.staff_id.in_(list(staff_ids)), Certificate.status == VALID)
    ).all()
    held = {}
    for staff_id, code in rows:
        held.setdefault(staff_id, set()).add(code)
    return held

"""One official's competency profile for a year (the annual assessment): every module with
the best passing score and its date, or not yet passed; whether the title's path and the
basic / advanced standard are met; certificates; the path's courses and their progress.

A handful of queries for one person, each keyed by the staff id; the scope check comes first,
so a person outside the reader's units is "not found" whatever the id."""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Optional

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from lms.auth.models import User
from lms.catalogue.models import LearningPathModule, Module
from lms.certificates.models import Certificate
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db
from lms.localtime import local_today
from lms.messages import N_
from lms.org.models import Staff
from lms.reports.facts import ADVANCED_STANDARD_MODULES, best_results
from lms.reports.filters import Period, ReportScopeError


@dataclass
class Profile:
    staff: Staff
    year: Optional[int]
    as_at: datetime
    modules: list = field(default_factory=list)  # dicts: code, name, level, required, score, achieved_at
    certificates: list = field(default_factory=list)
    courses: list = field(default_factory=list)  # dicts: module_code, title, done, total

    def _passed(self, **conditions):
        return [m for m in self.modules if m["score"] is not None and all(m[k] == v for k, v in conditions.items())]

    @property
    def path_met(self):
        required = [m for m in self.modules if m["required"]]
        return bool(required) and all(m["score"] is not None for m in required)

    @property
    def basic_met(self):
        basic = [m for m in self.modules if m["level"] == "basic"]
        return bool(basic) and len(self._passed(level="basic")) == len(basic)

    @property
    def advanced_passed(self):
        return len(self._passed(level="advanced"))

    @property
    def advanced_met(self):
        return self.basic_met and self.advanced_passed >= ADVANCED_STANDARD_MODULES

    @property
    def mean_score(self):
        scores = [m["score"] for m in self._passed()]
        return sum(scores) / len(scores) if scores else None


def load_staff_in_scope(scope, staff_id):
    staff = db.session.execute(
        select(Staff).where(Staff.id == staff_id).options(joinedload(Staff.unit), joinedload(Staff.title))
    ).unique().scalar_one_or_none()
    if staff is None or not scope.contains_unit(staff.unit):
        raise ReportScopeError(N_("Không tìm thấy cán bộ %(id)s trong phạm vi của bạn."), id=staff_id)
    return staff


def competency_profile(scope, staff_id, year=None, now=None) -> Profile:
    staff = load_staff_in_scope(scope, staff_id)
    now = now or datetime.now(timezone.utc)
    as_at = min(Period(year).end, now) if year else now
    profile = Profile(staff, year, as_at)
    required = select(LearningPathModule.module_id).where(LearningPathModule.title_id == staff.title_id).subquery()
    best = best_results(SimpleNamespace(historical=as_at < now, as_at=as_at), staff_id=staff.id)
    rows = db.session.execute(
        select(Module.id, Module.code, Module.name, Module.level, required.c.module_id.is_not(None), best.c.score, best.c.achieved_at)
        .outerjoin(required, required.c.module_id == Module.id)
        .outerjoin(best, and_(best.c.module_id == Module.id, best.c.staff_id == staff.id))
        .order_by(Module.position)
    ).all()
    profile.modules = [
        {"module_id": r[0], "code": r[1], "name": r[2], "level": r[3], "required": bool(r[4]), "score": r[5], "achieved_at": r[6]}
        for r in rows
    ]
    profile.certificates = db.session.execute(
        select(Certificate).where(Certificate.staff_id == staff.id, Certificate.issue_date <= local_today(as_at))
        .order_by(Certificate.issue_date, Certificate.id)
    ).scalars().all()
    profile.courses = _course_progress(staff, as_at)
    return profile


def _course_progress(staff, as_at):
    """The path's published courses: lessons completed by the moment, of the published total."""
    user_id = db.session.execute(select(User.id).where(User.staff_id == staff.id)).scalar_one_or_none()
    done = (
        select(Lesson.course_id, func.count(LessonProgress.id).label("done"))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.user_id == (user_id or 0), LessonProgress.completed_at.is_not(None),
               LessonProgress.completed_at < as_at, Lesson.published.is_(True))
        .group_by(Lesson.course_id)
        .subquery()
    )
    total = (select(Lesson.course_id, func.count(Lesson.id).label("total")).where(Lesson.published.is_(True))
             .group_by(Lesson.course_id).subquery())
    rows = db.session.execute(
        select(Module.code, Course.id, Course.title, func.coalesce(done.c.done, 0), func.coalesce(total.c.total, 0))
        .join(Module, Module.id == Course.module_id)
        .join(LearningPathModule, and_(LearningPathModule.module_id == Module.id, LearningPathModule.title_id == staff.title_id))
        .outerjoin(done, done.c.course_id == Course.id)
        .outerjoin(total, total.c.course_id == Course.id)
        .where(Course.published.is_(True))
        .order_by(Module.position)
    ).all()
    return [{"module_code": r[0], "course_id": r[1], "title": r[2], "done": r[3], "total": r[4]} for r in rows]

"""The per-person facts every competency report aggregates, as one SQL subquery: who is counted
(in the scope, under the report's unit, of its title), and for each person whether they have an
account, have started their path's courses, how many lessons they completed, which modules they
passed, whether they hold the basic / advanced standard and a certificate, and how many
assignments they are overdue on.

Without a period the report is "now": active staff in their current unit and title. With a
period it is "as at the end of" it: whoever held a posting at that moment (staff who moved
count where they were), and only results, lessons and certificates dated before it. Results
are the staff × module fact (the best passing score of each module), so retakes count once.
"""
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import Float, Integer, and_, case, cast, false, func, literal, or_, select

from lms.auth.models import User
from lms.catalogue.models import LearningPathModule, Module, Title
from lms.certificates.models import VALID, Certificate
from lms.courses.models import Assignment, Course, Lesson, LessonProgress
from lms.courses.queries import assignment_targets, completed_counts, published_totals
from lms.exams.core import engine
from lms.exams.models import ExamAttempt, ExamCandidate
from lms.exams.result_models import ModuleResult, StaffModuleResult
from lms.extensions import db
from lms.localtime import local_today
from lms.messages import N_
from lms.org.models import Staff, StaffPosting, Unit
from lms.reports.filters import ReportFilters, ReportScopeError

ADVANCED_STANDARD_MODULES = 3  # TT 03/2014: the basic standard and three advanced modules


def unit_depth(unit_entity):
    """How deep a unit lies, from its materialised path ("/1/9/" → 2)."""
    return func.length(unit_entity.path) - func.length(func.replace(unit_entity.path, "/", "")) - 1


def unit_depth_of(unit):
    """The same depth, of a loaded unit."""
    return unit.path.count("/") - 1


@dataclass(frozen=True)
class ReportContext:
    """What a report is computed over: the scope, the unit it drills into (None: the scope's
    own roots), the moment it stands at and the day overdue deadlines are counted to."""

    scope: object
    filters: ReportFilters
    root: Optional[Unit]
    as_at: datetime
    today: object
    basic_module_ids: tuple  # every basic module: the basic standard needs them all
    modules: tuple  # (id, code) of the modules the report shows, in catalogue order

    @property
    def basic_module_count(self):
        return len(self.basic_module_ids)

    @property
    def historical(self):
        return self.filters.period is not None


def build_context(scope, filters, now=None) -> ReportContext:
    now = now or datetime.now(timezone.utc)
    root = None
    if filters.unit_code:
        root = db.session.execute(select(Unit).where(Unit.code == filters.unit_code)).scalar_one_or_none()
        if root is None or not scope.contains_unit(root):
            raise ReportScopeError(N_("Không tìm thấy đơn vị %(code)s trong phạm vi của bạn."), code=filters.unit_code)
    elif not scope.everything and len(scope.unit_paths) == 1:
        root = db.session.execute(select(Unit).where(Unit.path == scope.unit_paths[0])).scalar_one_or_none()
    elif scope.everything:
        root = db.session.execute(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)).scalar_one_or_none()
    as_at = min(filters.period.end, now) if filters.period else now
    catalogue = db.session.execute(select(Module.id, Module.code, Module.level).order_by(Module.position)).all()
    shown = tuple((module_id, code) for module_id, code, level in catalogue
                  if (not filters.module_code or code == filters.module_code) and (not filters.level or level == filters.level))
    basic_ids = tuple(module_id for module_id, _code, level in catalogue if level == "basic")
    return ReportContext(scope, filters, root, as_at, local_today(as_at) if filters.period else local_today(now), basic_ids, shown)


def counted_unit_condition(context, unit_entity):
    """The units whose people a report counts: inside the scope and under its root."""
    condition = context.scope.unit_condition(unit_entity)
    if context.root is not None:
        condition = and_(condition, unit_entity.path.startswith(context.root.path))
    return condition


def population(context):
    """(staff_id, unit_id, title_id) of everyone counted, before any fact is joined."""
    if context.historical:
        base = select(StaffPosting.staff_id.label("staff_id"), StaffPosting.unit_id.label("unit_id"),
                      StaffPosting.title_id.label("title_id")).where(
            StaffPosting.started_at < context.as_at,
            or_(StaffPosting.ended_at.is_(None), StaffPosting.ended_at >= context.as_at))
        unit_column, title_column = StaffPosting.unit_id, StaffPosting.title_id
    else:
        base = select(Staff.id.label("staff_id"), Staff.unit_id.label("unit_id"), Staff.title_id.label("title_id")).where(
            Staff.status == "active")
        unit_column, title_column = Staff.unit_id, Staff.title_id
    base = base.join(Unit, Unit.id == unit_column).where(counted_unit_condition(context, Unit))
    filters = context.filters
    if filters.title_code or filters.title_group:
        base = base.join(Title, Title.id == title_column)
        if filters.title_code:
            base = base.where(Title.code == filters.title_code)
        if filters.title_group:
            base = base.where(Title.group == filters.title_group)
    # Materialized: every per-person aggregate below starts from these people (a district's
    # drill-down reads its own people's results by index, not the whole city's).
    return base.cte("counted").prefix_with("MATERIALIZED")


def module_key(code):
    """The key of a module's column in every report row: people who passed it."""
    return f"module:{code}"


def best_results(context, staff_id=None):
    """(staff_id, module_id, score, achieved_at): each person's best passing result per module.
    Now: the staff × module fact the result events keep. As at a period's end: computed from
    the graded module results submitted before it with the fact's own rule (the module and
    its part passed), so that a better retake after the period does not hide the earlier
    pass; achieved_at is then the first pass."""
    if not context.historical:
        return StaffModuleResult.__table__
    query = (
        select(ExamCandidate.staff_id, ModuleResult.module_id, func.max(ModuleResult.score).label("score"),
               func.min(ExamAttempt.submitted_at).label("achieved_at"))
        .join(ExamAttempt, ExamAttempt.id == ModuleResult.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .where(ModuleResult.passed.is_(True), ExamAttempt.passed.is_(True), ExamAttempt.state == engine.GRADED,
               ExamAttempt.submitted_at < context.as_at)
        .group_by(ExamCandidate.staff_id, ModuleResult.module_id)
    )
    if staff_id is not None:  # one person's (the profile): through their candidacies
        query = query.where(ExamCandidate.staff_id == staff_id)
    return query.subquery("best_results")


def _results_per_staff(context, counted):
    """Per person: basic and advanced modules passed, and the score sum and count."""
    best = best_results(context)
    basic = best.c.module_id.in_(context.basic_module_ids) if context.basic_module_ids else false()
    return (
        select(counted.c.staff_id,
               func.sum(case((basic, 1), else_=0)).label("basic_passed"),
               func.sum(case((basic, 0), else_=1)).label("advanced_passed"),
               func.sum(best.c.score).label("score_sum"),
               func.count(best.c.score).label("score_count"))
        .join(best, best.c.staff_id == counted.c.staff_id)
        .group_by(counted.c.staff_id)
        .subquery("results")
    )


def _lessons_per_staff(context, counted):
    """Lessons of the person's path courses (their title's at the moment): started at all, and
    completed by the moment."""
    completed = and_(LessonProgress.completed_at.is_not(None), LessonProgress.completed_at < context.as_at)
    return (
        select(counted.c.staff_id,
               func.count(LessonProgress.id).label("lessons_started"),
               func.sum(case((completed, 1), else_=0)).label("lessons_done"))
        .join(User, User.staff_id == counted.c.staff_id)
        .join(LessonProgress, LessonProgress.user_id == User.id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .join(LearningPathModule, and_(LearningPathModule.title_id == counted.c.title_id, LearningPathModule.module_id == Course.module_id))
        .where(Lesson.published.is_(True), LessonProgress.started_at < context.as_at)
        .group_by(counted.c.staff_id)
        .subquery("lessons")
    )


def _certificates_per_staff(context, counted):
    return (
        select(counted.c.staff_id,
               func.max(case((Certificate.kind == "basic", 1), else_=0)).label("certificate_basic"),
               func.max(case((Certificate.kind == "advanced", 1), else_=0)).label("certificate_advanced"))
        .join(Certificate, Certificate.staff_id == counted.c.staff_id)
        .where(Certificate.status == VALID, Certificate.issue_date <= context.today)
        .group_by(counted.c.staff_id)
        .subquery("certificates")
    )


def _overdue_per_staff(context, counted):
    """Assignments past their deadline (by the report's day) whose published lessons are not all done."""
    targets = assignment_targets(context.scope, active_only=not context.historical).where(
        Assignment.deadline < context.today).subquery()
    totals, done = published_totals(), completed_counts(before=context.as_at)
    completed = func.coalesce(done.c.done, 0)
    return (
        select(targets.c.staff_id, func.count(targets.c.assignment_id).label("overdue"))
        .join(counted, counted.c.staff_id == targets.c.staff_id)
        .join(totals, totals.c.course_id == targets.c.course_id)
        .outerjoin(done, and_(done.c.user_id == targets.c.user_id, done.c.course_id == targets.c.course_id))
        .where(completed < totals.c.total)
        .group_by(targets.c.staff_id)
        .subquery("overdue")
    )


def staff_facts(context, holdings=True):
    """One row per counted person: their unit and title at the report's moment and every fact,
    as integers a GROUP BY can sum (and score_sum/score_count for a mean of best scores).
    `holdings=False` leaves out accounts and certificates (0 for everyone): the ranking needs
    neither, and the certificates' subquery is a tenth of the statement at city scale."""
    counted = population(context)
    results, lessons, overdue = _results_per_staff(context, counted), _lessons_per_staff(context, counted), _overdue_per_staff(context, counted)
    certificates = _certificates_per_staff(context, counted) if holdings else None
    basic_passed = func.coalesce(results.c.basic_passed, 0)
    advanced_passed = func.coalesce(results.c.advanced_passed, 0)
    basic_standard = and_(literal(context.basic_module_count) > 0, basic_passed >= context.basic_module_count)
    held = ((case((User.id.is_not(None), 1), else_=0), func.coalesce(certificates.c.certificate_basic, 0),
             func.coalesce(certificates.c.certificate_advanced, 0)) if holdings else (literal(0), literal(0), literal(0)))
    query = (
        select(
            counted.c.staff_id, counted.c.unit_id, counted.c.title_id,
            held[0].label("has_account"),
            case((func.coalesce(lessons.c.lessons_started, 0) > 0, 1), else_=0).label("enrolled"),
            func.coalesce(lessons.c.lessons_done, 0).label("lessons_done"),
            basic_passed.label("basic_passed"),
            advanced_passed.label("advanced_passed"),
            case((basic_standard, 1), else_=0).label("basic_standard"),
            case((and_(basic_standard, advanced_passed >= ADVANCED_STANDARD_MODULES), 1), else_=0).label("advanced_standard"),
            held[1].label("certificate_basic"),
            held[2].label("certificate_advanced"),
            func.coalesce(results.c.score_sum, 0).label("score_sum"),
            func.coalesce(results.c.score_count, 0).label("score_count"),
            func.coalesce(overdue.c.overdue, 0).label("overdue"),
        )
        .select_from(counted)
        .outerjoin(results, results.c.staff_id == counted.c.staff_id)
        .outerjoin(lessons, lessons.c.staff_id == counted.c.staff_id)
        .outerjoin(overdue, overdue.c.staff_id == counted.c.staff_id)
    )
    if holdings:
        query = (query.outerjoin(User, User.staff_id == counted.c.staff_id)
                 .outerjoin(certificates, certificates.c.staff_id == counted.c.staff_id))
    # Computed once per statement, however often the statement joins it: without this the
    # planners inline it into each join and compute it again per row of the other side.
    return query.cte("facts").prefix_with("MATERIALIZED")


# The sums a report row is made of, in the order reports show them.
MEASURES = ("staff", "accounts", "enrolled", "lessons", "basic", "advanced", "certified", "certified_advanced", "overdue")


# What a group of people adds up to, before any rate or mean: sums of sums roll up exactly.
PARTIAL_SUMS = (("staff", None), ("accounts", "has_account"), ("enrolled", "enrolled"), ("lessons", "lessons_done"),
                ("basic", "basic_standard"), ("advanced", "advanced_standard"), ("certified", "certificate_basic"),
                ("certified_advanced", "certificate_advanced"), ("overdue", "overdue"), ("score_sum", "score_sum"),
                ("score_count", "score_count"))


def _sum_names(context):
    return [name for name, _column in PARTIAL_SUMS] + [module_key(code) for _id, code in context.modules]


def partial_sums(facts):
    """The sums of `facts` per group (a unit, say): the MEASURES' sums, the score sum and count."""
    return [(func.count(facts.c.staff_id) if column is None else func.coalesce(func.sum(facts.c[column]), 0)).label(name)
            for name, column in PARTIAL_SUMS]


def shown_modules(context, best):
    """Results of the modules the report shows. "+ 0": so that the planner reaches results
    through their people (the staff_id index), never by scanning a module's index through
    the whole city for a district's report."""
    shown = [module_id for module_id, _code in context.modules]
    return (best.c.module_id + 0).in_(shown) if shown else false()


def group_partials(context, facts, group):
    """Per value of the facts' column `group` (unit_id, title_id): the partial sums and the
    people passed per module shown. The module counts come from the results grouped by group
    and module, then pivoted — a few rows per group, where a 0/1 column per module and person
    cost a CASE per module on every result."""
    best = best_results(context)
    passed = (select(facts.c[group].label("group_id"), best.c.module_id, func.count().label("passed"))
              .join(best, best.c.staff_id == facts.c.staff_id)
              .where(shown_modules(context, best))
              .group_by(facts.c[group], best.c.module_id)
              .subquery("passed_per_module"))
    pivot = (select(passed.c.group_id, *(func.sum(case((passed.c.module_id == module_id, passed.c.passed), else_=0)).label(module_key(code))
                                         for module_id, code in context.modules))
             .group_by(passed.c.group_id).subquery("passed_pivot"))
    sums = select(facts.c[group].label("group_id"), *partial_sums(facts)).group_by(facts.c[group]).subquery("group_sums")
    return (select(sums, *(func.coalesce(pivot.c[module_key(code)], 0).label(module_key(code)) for _id, code in context.modules))
            .outerjoin(pivot, pivot.c.group_id == sums.c.group_id)
            .cte(f"per_{group}").prefix_with("MATERIALIZED"))


def _with_rates(summed, context):
    return [
        *(summed[name].label(name) for name in MEASURES),
        *(summed[module_key(code)].label(module_key(code)) for _id, code in context.modules),
        case((summed["score_count"] > 0, cast(summed["score_sum"], Float) / summed["score_count"]), else_=None).label("mean_score"),
        case((summed["staff"] > 0, cast(summed["basic"], Float) / summed["staff"]), else_=None).label("basic_rate"),
    ]


def measures_from(partials, context):
    """MEASURES and module counts over rows of partial_sums, plus the mean best score and the basic rate."""
    # Cast: PostgreSQL's SUM of integers is numeric, which would reach a file as 17.0.
    summed = {name: func.coalesce(func.sum(partials.c[name]), 0) for name in _sum_names(context)}
    return _with_rates({name: (value if name == "score_sum" else cast(value, Integer)) for name, value in summed.items()}, context)


def measure_columns(facts):
    """MEASURES over `facts` directly (one GROUP BY), with the mean best score and the basic rate."""
    sums = {column.name: column for column in partial_sums(facts)}
    return [
        *(sums[name] for name in MEASURES),
        case((sums["score_count"] > 0, cast(sums["score_sum"], Float) / sums["score_count"]), else_=None).label("mean_score"),
        case((sums["staff"] > 0, cast(sums["basic"], Float) / sums["staff"]), else_=None).label("basic_rate"),
    ]

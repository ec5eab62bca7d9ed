"""Who is missing what: every counted person × every module their title's path requires that
they have not passed (by the report's moment), with the earliest deadline of an assignment
that reaches them for that module's course. One query, paginated, in the page's sort."""
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from lms.catalogue.models import LearningPathModule, Module, Title
from lms.courses.models import Course
from lms.courses.queries import assignment_targets
from lms.extensions import db
from lms.org.models import Staff, Unit
from lms.reports.facts import best_results, population


@dataclass
class GapPage:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def _deadlines(context):
    targets = assignment_targets(context.scope, active_only=not context.historical).subquery()
    return (
        select(targets.c.staff_id, Course.module_id, func.min(targets.c.deadline).label("deadline"))
        .join(Course, Course.id == targets.c.course_id)
        .group_by(targets.c.staff_id, Course.module_id)
        .subquery("deadlines")
    )


def gaps_query(context):
    """The gaps as a SELECT, sorted; the page, the exports and the API slice or stream it."""
    counted = population(context)
    deadlines = _deadlines(context)
    best = best_results(context)
    passed = and_(best.c.staff_id == counted.c.staff_id, best.c.module_id == LearningPathModule.module_id)
    query = (
        select(Unit.code.label("unit_code"), Unit.name.label("unit_name"), Staff.id.label("staff_id"),
               Staff.full_name.label("full_name"), Title.code.label("title_code"), Title.name.label("title_name"),
               Module.code.label("module_code"), Module.name.label("module_name"), Module.level.label("level"),
               deadlines.c.deadline.label("deadline"))
        .select_from(counted)
        .join(LearningPathModule, LearningPathModule.title_id == counted.c.title_id)
        .join(Module, Module.id == LearningPathModule.module_id)
        .join(Staff, Staff.id == counted.c.staff_id)
        .join(Unit, Unit.id == counted.c.unit_id)
        .join(Title, Title.id == counted.c.title_id)
        .outerjoin(best, passed)
        .outerjoin(deadlines, and_(deadlines.c.staff_id == counted.c.staff_id, deadlines.c.module_id == Module.id))
        .where(best.c.score.is_(None))
    )
    filters = context.filters
    if filters.module_code:
        query = query.where(Module.code == filters.module_code)
    if filters.level:
        query = query.where(Module.level == filters.level)
    if filters.deadline_before:
        query = query.where(deadlines.c.deadline <= filters.deadline_before)
    keys = {"deadline": deadlines.c.deadline, "unit": Unit.path, "name": Staff.full_name, "title": Title.position, "module": Module.position}
    key = keys[filters.sort]
    # People with no deadline come last either way: a gap without a deadline is the least urgent.
    ordered = [key.is_(None), key.desc() if filters.descending else key.asc()] if filters.sort == "deadline" else [
        key.desc() if filters.descending else key.asc()]
    return query.order_by(*ordered, Unit.path, Staff.full_name, Staff.id, Module.position)


def gap_page(context):
    query = gaps_query(context)
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    filters = context.filters
    rows = db.session.execute(query.limit(filters.per_page).offset((filters.page - 1) * filters.per_page)).mappings().all()
    return GapPage(rows, total, filters.page, filters.per_page)


def all_gaps(context):
    """Every gap, streamed, for the exports."""
    return db.session.execute(gaps_query(context).execution_options(yield_per=2000)).mappings()

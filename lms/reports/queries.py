"""The competency reports' aggregations: one SQL query per report level, used alike by the
pages, every export and the API. Each takes a ReportContext (scope, filters, the moment) and
returns rows as mappings; nothing here loops over people.

By unit, a row is a unit one level below the report's root (or, deeper, for the XLSX sheets
of every level) with everyone under it rolled up by path prefix; people attached to the root
itself form a row of their own. Closed and merged units stay in the list, marked, so that the
unit a merged one became shows its history through the period filter.
"""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Float, and_, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import aliased

from lms.catalogue.models import LearningPathModule, Module, Title
from lms.certificates.models import VALID, Certificate
from lms.exams.models import ExamAttempt, ExamCandidate
from lms.exams.result_models import ModuleResult
from lms.extensions import db
from lms.org.models import Staff, Unit
from lms.reports.facts import (
    MEASURES,
    best_results,
    build_context,
    counted_unit_condition,
    group_partials,
    measures_from,
    module_key,
    staff_facts,
    unit_depth,
    unit_depth_of,
)
from lms.reports.periods import period_table

__all__ = ["build_context", "unit_report", "unit_rows", "unit_totals", "direct_row", "unit_module_passes", "title_rows",
           "title_module_passes", "module_rows", "period_rows", "score_bins", "staff_rows", "deepest_level"]


def _ordered(query, columns, context, tiebreak):
    """ORDER BY the allow-listed sort key (already checked by the filters), then a tiebreak."""
    column = columns[context.filters.sort]
    ordered = column.desc() if context.filters.descending else column.asc()
    # Rows without a value (no score, no rate) last either way: left to the database, PostgreSQL
    # puts them first when descending and SQLite first when ascending.
    return query.order_by(ordered.nulls_last(), *tiebreak)


def _row_units(context, level):
    """The units that make the rows `level` levels below the root; without a root (a scope of
    several subtrees), the scope's own roots."""
    row_unit = aliased(Unit, name="row_unit")
    if context.root is None:
        return row_unit, row_unit.path.in_(context.scope.unit_paths)
    return row_unit, and_(row_unit.path.startswith(context.root.path), unit_depth(row_unit) == unit_depth_of(context.root) + level)


def _unit_map(context, level):
    """(row_id, member_id): each unit under a row's unit (itself included), computed once per
    statement — units against units, a few thousand pairs — so that the people's sums join it
    by id. Joined by path prefix inline, the planner scanned every unit per summed row."""
    row_unit, condition = _row_units(context, level)
    member_unit = aliased(Unit, name="member_unit")
    return (select(row_unit.id.label("row_id"), member_unit.id.label("member_id"))
            .join(member_unit, member_unit.path.startswith(row_unit.path))
            .where(condition, context.scope.unit_condition(row_unit))
            .cte(f"unit_map_{level}").prefix_with("MATERIALIZED"))


@dataclass
class UnitReport:
    rows: list  # one per unit `level` below the root
    direct: Optional[dict]  # people attached to the root itself, when there are any
    total: dict  # everyone counted


def unit_report(context, level=1) -> UnitReport:
    """The units report in one statement, so the people's facts are computed once: their sums
    per unit (a few thousand rows at city scale), rolled up to the rows through the unit map,
    to the total, and for the root's own people; rows in the allow-listed sort."""
    per_unit = group_partials(context, staff_facts(context), "unit_id")
    row_unit, condition = _row_units(context, level)
    unit_map = _unit_map(context, level)
    merged_into = aliased(Unit, name="merged_into")
    unit_columns = [row_unit.id.label("unit_id"), row_unit.code.label("code"), row_unit.name.label("name"), row_unit.kind.label("kind"),
                    row_unit.status.label("status"), row_unit.closed_on.label("closed_on"), row_unit.path.label("path"),
                    merged_into.code.label("merged_into_code"), merged_into.name.label("merged_into_name"),
                    # A merged unit sorts beside the unit it became.
                    func.coalesce(merged_into.code, row_unit.code).label("sort_code")]
    rows = (
        select(literal("row").label("part"), *unit_columns, *measures_from(per_unit, context))
        .select_from(row_unit)
        .outerjoin(merged_into, merged_into.id == row_unit.merged_into_id)
        .outerjoin(unit_map, unit_map.c.row_id == row_unit.id)
        .outerjoin(per_unit, per_unit.c.group_id == unit_map.c.member_id)
        .where(condition, context.scope.unit_condition(row_unit))
        .group_by(*(column.element if hasattr(column, "element") else column for column in unit_columns))
    )
    blanks = [null().label(column.name) for column in unit_columns]
    parts = [rows, select(literal("total").label("part"), *blanks, *measures_from(per_unit, context))]
    if context.root is not None:
        parts.append(select(literal("direct").label("part"), *blanks, *measures_from(per_unit, context))
                     .where(per_unit.c.group_id == context.root.id))
    report = union_all(*parts).subquery("unit_report")
    columns = {name: report.c[name] for name in ("name", *MEASURES, "mean_score", "basic_rate")}
    columns["code"] = report.c.sort_code
    query = _ordered(select(report), columns, context, (report.c.status == "merged", report.c.code))
    found = {"row": [], "total": [], "direct": []}
    for row in db.session.execute(query).mappings():
        found[row["part"]].append(row)
    direct = found["direct"][0] if found["direct"] and found["direct"][0]["staff"] else None
    return UnitReport(found["row"], direct, found["total"][0])


def unit_rows(context, level=1):
    return unit_report(context, level).rows


def unit_totals(context):
    return unit_report(context).total


def direct_row(context):
    """People attached to the root unit itself (a district's own offices), or None."""
    return unit_report(context).direct


def module_passes(rows, key, context):
    """{rows' `key`: {module id: people passed}} from rows carrying the module columns."""
    return {row[key]: {module_id: row[module_key(code)] for module_id, code in context.modules if row[module_key(code)]}
            for row in rows if any(row[module_key(code)] for _id, code in context.modules)}


def unit_module_passes(context, level=1):
    """{unit id: {module id: people passed}} for the rows of unit_rows(level): the heat map."""
    return module_passes(unit_rows(context, level), "unit_id", context)


def deepest_level(context):
    """How many levels the root's subtree has below it (for one export sheet per level)."""
    if context.root is None:
        return 1
    depth = db.session.execute(
        select(func.max(unit_depth(Unit))).where(Unit.path.startswith(context.root.path), context.scope.unit_condition(Unit))
    ).scalar_one()
    return max((depth or 0) - unit_depth_of(context.root), 1)


def _passes(context, facts):
    """The counted people's passed modules by the report's moment: staff, unit, title, module, score."""
    best = best_results(context)
    query = (select(best.c.staff_id, best.c.module_id, best.c.score, facts.c.unit_id, facts.c.title_id)
             .join(facts, facts.c.staff_id == best.c.staff_id))
    if context.filters.module_code or context.filters.level:
        query = query.join(Module, Module.id == best.c.module_id).where(*_module_conditions(context))
    return query.subquery("counted_passes")


def title_rows(context):
    """One row per title with people counted: the MEASURES and module counts of its holders."""
    per_title = group_partials(context, staff_facts(context), "title_id")
    measures = measures_from(per_title, context)  # one row per title: its sums as they are
    columns = {column.name: column for column in measures}
    columns.update(position=Title.position, name=Title.name)
    query = (
        select(Title.id.label("title_id"), Title.code.label("code"), Title.name.label("name"), Title.group.label("group"),
               Title.active.label("active"), *measures)
        .join(per_title, per_title.c.group_id == Title.id)
        .group_by(Title.id, Title.code, Title.name, Title.group, Title.active, Title.position)
    )
    return db.session.execute(_ordered(query, columns, context, (Title.position, Title.code))).mappings().all()


def title_module_passes(context):
    """{title id: {module id: people passed}}."""
    return module_passes(title_rows(context), "title_id", context)


def _module_conditions(context):
    conditions = []
    if context.filters.module_code:
        conditions.append(Module.code == context.filters.module_code)
    if context.filters.level:
        conditions.append(Module.level == context.filters.level)
    return conditions


def module_rows(context):
    """Per module: people whose path requires it, how many of them passed, how many passed in
    all (required or not), the pass rate among those required, and the mean best score."""
    facts, best = staff_facts(context), best_results(context)
    required = (
        select(LearningPathModule.module_id, func.count(facts.c.staff_id).label("required"),
               func.count(best.c.score).label("passed_required"))
        .select_from(facts)
        .join(LearningPathModule, LearningPathModule.title_id == facts.c.title_id)
        .outerjoin(best, and_(best.c.staff_id == facts.c.staff_id, best.c.module_id == LearningPathModule.module_id))
        .group_by(LearningPathModule.module_id)
        .subquery("required")
    )
    passed = (
        select(best.c.module_id, func.count(best.c.score).label("passed"), func.avg(best.c.score).label("mean_score"))
        .join(facts, facts.c.staff_id == best.c.staff_id)
        .group_by(best.c.module_id)
        .subquery("passed")
    )
    required_count = func.coalesce(required.c.required, 0)
    passed_required = func.coalesce(required.c.passed_required, 0)
    columns = {
        "position": Module.position, "code": Module.code, "required": required_count, "passed_required": passed_required,
        "passed": func.coalesce(passed.c.passed, 0),
        "pass_rate": case((required_count > 0, cast(passed_required, Float) / required_count), else_=None),
        "mean_score": passed.c.mean_score,
    }
    query = (
        select(Module.id.label("module_id"), Module.code.label("code"), Module.name.label("name"), Module.level.label("level"),
               *(column.label(name) for name, column in columns.items() if name not in ("position", "code")))
        .outerjoin(required, required.c.module_id == Module.id)
        .outerjoin(passed, passed.c.module_id == Module.id)
        .where(*_module_conditions(context))
    )
    return db.session.execute(_ordered(query, columns, context, (Module.position,))).mappings().all()


def period_rows(context):
    """Per quarter or year: module exams graded, passed, the pass rate, people who passed at
    least one, the mean score, and certificates issued — for people now in the report's units."""
    periods = period_table(context)
    if periods is None:
        return []
    sittings = (
        select(ModuleResult.score, ModuleResult.passed, ExamCandidate.staff_id, ExamAttempt.started_at)
        .join(ExamAttempt, ExamAttempt.id == ModuleResult.attempt_id)
        .join(ExamCandidate, ExamCandidate.id == ExamAttempt.candidate_id)
        .join(Staff, Staff.id == ExamCandidate.staff_id)
        .join(Unit, Unit.id == Staff.unit_id)
        .where(counted_unit_condition(context, Unit))
    )
    if context.filters.module_code or context.filters.level:
        sittings = sittings.join(Module, Module.id == ModuleResult.module_id).where(*_module_conditions(context))
    sittings = sittings.subquery("sittings")
    exams = (
        select(periods.c.label, func.count(sittings.c.score).label("graded"),
               func.coalesce(func.sum(case((sittings.c.passed.is_(True), 1), else_=0)), 0).label("passed"),
               func.count(func.distinct(case((sittings.c.passed.is_(True), sittings.c.staff_id)))).label("people_passed"),
               func.avg(sittings.c.score).label("mean_score"))
        .select_from(periods)
        .outerjoin(sittings, and_(sittings.c.started_at >= periods.c.start, sittings.c.started_at < periods.c.end))
        .group_by(periods.c.label)
        .subquery("exams")
    )
    certificate_unit = aliased(Unit)
    issued = (
        select(periods.c.label, func.count(Certificate.id).label("certificates"))
        .select_from(periods)
        .join(Certificate, and_(Certificate.issue_date >= periods.c.first_day, Certificate.issue_date < periods.c.after_day,
                                Certificate.status == VALID))
        .join(certificate_unit, certificate_unit.id == Certificate.unit_id)
        .where(counted_unit_condition(context, certificate_unit))
        .group_by(periods.c.label)
        .subquery("issued")
    )
    query = (
        select(periods.c.label.label("period"), exams.c.graded, exams.c.passed, exams.c.people_passed, exams.c.mean_score,
               case((exams.c.graded > 0, cast(exams.c.passed, Float) / exams.c.graded), else_=None).label("pass_rate"),
               func.coalesce(issued.c.certificates, 0).label("certificates"))
        .join(exams, exams.c.label == periods.c.label)
        .outerjoin(issued, issued.c.label == periods.c.label)
        .order_by(periods.c.label.desc() if context.filters.descending else periods.c.label)
    )
    return db.session.execute(query).mappings().all()


SCORE_BINS = ((5, "< 5"), (6, "5–6"), (7, "6–7"), (8, "7–8"), (9, "8–9"), (None, "9–10"))


def score_bins(context):
    """How many best module scores (out of 10) fall in each band: the score distribution."""
    passes = _passes(context, staff_facts(context))
    band = case(*((passes.c.score < upper, label) for upper, label in SCORE_BINS if upper is not None), else_=SCORE_BINS[-1][1])
    counts = dict(db.session.execute(select(band, func.count()).group_by(band)).all())
    return [(label, counts.get(label, 0)) for _upper, label in SCORE_BINS]


def staff_rows(context):
    """Everyone the report counts, one row each with their facts, in unit then name order:
    the last sheet of the units export. A streaming result: rows are fetched as written."""
    facts = staff_facts(context)
    query = (
        select(Unit.code.label("unit_code"), Unit.name.label("unit_name"), Staff.id.label("staff_id"),
               Staff.full_name.label("full_name"), Title.name.label("title_name"), facts.c.has_account, facts.c.enrolled,
               facts.c.lessons_done, facts.c.basic_passed, facts.c.advanced_passed, facts.c.basic_standard,
               facts.c.advanced_standard, facts.c.certificate_basic, facts.c.certificate_advanced,
               case((facts.c.score_count > 0, facts.c.score_sum / facts.c.score_count), else_=None).label("mean_score"),
               facts.c.overdue)
        .select_from(facts)
        .join(Staff, Staff.id == facts.c.staff_id)
        .join(Unit, Unit.id == facts.c.unit_id)
        .outerjoin(Title, Title.id == facts.c.title_id)
        .order_by(Unit.path, Staff.full_name, Staff.id)
    )
    return db.session.execute(query.execution_options(yield_per=2000)).mappings()

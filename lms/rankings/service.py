"""Rankings per period and bloc: computed now from the current inputs, or as published.

Computing gathers every input in two statements (lms.rankings.inputs), groups the units by
bloc and hands each bloc to the pure computation. A reader outside the city sees only the
rows of the units in their scope (chosen by a WHERE clause); ranks, bests and minima stay
the whole bloc's, since that is what the ranking is.
"""
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from lms.catalogue.models import EmulationBloc, Indicator
from lms.extensions import db
from lms.messages import N_, MessageError
from lms.org.models import Unit
from lms.rankings.compute import UnitInput, rank_bloc
from lms.rankings.document import document_inputs, ranking_document
from lms.rankings.formula import formula_document, parse_formula
from lms.rankings.inputs import gather_inputs
from lms.rankings.models import RankingPublication


class RankingError(MessageError):
    pass


@dataclass
class BlocRankingView:
    bloc: EmulationBloc
    document: dict
    inputs: dict  # frozen inputs, as a publication keeps them


def find_bloc(code):
    bloc = db.session.execute(select(EmulationBloc).where(EmulationBloc.code == code)).scalar_one_or_none()
    if bloc is None:
        raise RankingError(N_("Không có khối thi đua %(code)s."), code=str(code)[:40])
    return bloc


def compute_rankings(period, bloc=None, now=None):
    """[BlocRankingView] of every bloc that has units (or of `bloc`), computed from today's data."""
    now = now or datetime.now(timezone.utc)
    document, _own = formula_document(period.year)
    indicators = {row.code: row for row in db.session.execute(select(Indicator)).scalars()}
    formula = parse_formula(document, indicators)
    units, values = gather_inputs(period, bloc.id if bloc else None, now)
    blocs = [bloc] if bloc else db.session.execute(select(EmulationBloc).order_by(EmulationBloc.id)).scalars().all()
    views = []
    for current in blocs:
        members = [unit for unit in units if unit.bloc_id == current.id]
        if not members and bloc is None:
            continue
        ranking = rank_bloc([UnitInput(unit.id, values[unit.id]) for unit in members], formula)
        views.append(BlocRankingView(current, ranking_document(
            period=period, bloc=current, formula_document=document, formula=formula, indicators=indicators, ranking=ranking,
            units={unit.id: unit for unit in members}, computed_at=now),
            {"formula": document, "units": document_inputs(members, values)}))
    return views


def visible_unit_ids(scope, unit_ids):
    """Which of `unit_ids` the scope reaches."""
    if not unit_ids:
        return set()
    return set(db.session.execute(select(Unit.id).where(Unit.id.in_(unit_ids), scope.unit_condition())).scalars())


def scoped(document, scope):
    """The document with only the rows the scope reaches; `hidden_units` counts the others."""
    if scope.everything:
        return {**document, "hidden_units": 0}
    visible = visible_unit_ids(scope, [unit["unit_id"] for unit in document["units"]])
    rows = [unit for unit in document["units"] if unit["unit_id"] in visible]
    return {**document, "units": rows, "hidden_units": len(document["units"]) - len(rows)}


def latest_publication(period, bloc):
    return db.session.execute(
        select(RankingPublication).where(RankingPublication.period == period.label, RankingPublication.bloc_id == bloc.id)
        .order_by(RankingPublication.version.desc()).limit(1)).scalar_one_or_none()


def publications(period, bloc):
    return db.session.execute(
        select(RankingPublication).where(RankingPublication.period == period.label, RankingPublication.bloc_id == bloc.id)
        .order_by(RankingPublication.version.desc())).scalars().all()


def publication_document(publication):
    """A published version's frozen document, marked with its version and date."""
    return {**publication.results, "version": publication.version, "published_at": publication.published_at.isoformat()}


def _input_changes(before, after):
    changes = []
    for unit_id, unit in after["units"].items():
        old = before["units"].get(unit_id, {}).get("values", {})
        for code, value in unit["values"].items():
            if old.get(code) != value:
                changes.append({"code": unit["code"], "name": unit["name"], "indicator": code, "before": old.get(code), "after": value})
    return changes


def _result_changes(before, after):
    old = {unit["unit_id"]: unit for unit in before["units"]}
    changes = []
    for unit in after["units"]:
        previous = old.pop(unit["unit_id"], None)
        keys = ("rank", "index", "band")
        if previous is None or any(previous[key] != unit[key] for key in keys):
            changes.append({"code": unit["code"], "name": unit["name"], **{f"{key}_before": previous and previous[key] for key in keys},
                            **{f"{key}_after": unit[key] for key in keys}})
    changes += [{"code": unit["code"], "name": unit["name"], "rank_before": unit["rank"], "index_before": unit["index"],
                 "band_before": unit["band"], "rank_after": None, "index_after": None, "band_after": None} for unit in old.values()]
    return changes


def changes_between(previous, view):
    """What a new version changes against `previous` (a RankingPublication)."""
    return {"formula": previous.inputs["formula"] != view.inputs["formula"],
            "inputs": _input_changes(previous.inputs, view.inputs),
            "results": _result_changes(previous.results, view.document)}


def publish(period, bloc, user=None, note="", now=None):
    """Freeze the bloc's ranking as its next version. Refused when nothing differs from the
    current version (a new version must say what changed)."""
    now = now or datetime.now(timezone.utc)
    view = compute_rankings(period, bloc, now)[0]
    previous = latest_publication(period, bloc)
    changes = changes_between(previous, view) if previous else {}
    if previous and not (changes["formula"] or changes["inputs"] or changes["results"]):
        raise RankingError(N_("Không có gì thay đổi so với phiên bản %(version)d đã công bố; không tạo phiên bản mới."), version=previous.version)
    version = (db.session.execute(select(func.max(RankingPublication.version)).where(
        RankingPublication.period == period.label, RankingPublication.bloc_id == bloc.id)).scalar() or 0) + 1
    publication = RankingPublication(period=period.label, bloc_id=bloc.id, version=version, formula=view.inputs["formula"],
                                     inputs=view.inputs, results=view.document, changes=changes, note=note or "",
                                     published_by_id=getattr(user, "id", None), published_at=now)
    db.session.add(publication)
    db.session.flush()
    return publication

"""Reading a ranking for a reader: the period and bloc asked for (checked), the version (the
ranking computed now, or a published one), restricted to the reader's scope. Shared by the
pages, the exports, the API and the commands' callers."""
import re
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from lms.catalogue.models import EmulationBloc
from lms.extensions import db
from lms.localtime import local_today
from lms.messages import N_, MessageError
from lms.org.models import Unit
from lms.rankings.service import changes_between, compute_rankings, publication_document, publications, scoped
from lms.reports.filters import ReportFilterError, parse_period


class RankingRequestError(MessageError):
    """A malformed request (400)."""


class RankingNotFound(MessageError):
    """A bloc, version or unit that does not exist or lies outside the reader's scope (404)."""


@dataclass
class RankingSelection:
    period: object
    bloc: EmulationBloc
    version: Optional[int]
    document: dict  # scoped to the reader
    publications: list  # newest first
    pending_changes: Optional[dict]  # computed now: what differs from the current version

    @property
    def current(self):
        return self.publications[0] if self.publications else None


def read_period(text):
    """The period of the request; the current year (Hanoi time) when not given."""
    try:
        period = parse_period(text)
    except ReportFilterError as error:
        raise RankingRequestError(error.message.template, **error.message.params) from None
    return period or parse_period(str(local_today().year))


def read_version(text):
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= 1_000_000:
        raise RankingRequestError(N_("Phiên bản không hợp lệ: %(value)s."), value=text[:20])
    return int(text)


def scope_blocs(scope):
    """The blocs with at least one unit in the scope, in catalogue order."""
    units = select(Unit.bloc_id).where(Unit.bloc_id.is_not(None), scope.unit_condition())
    return db.session.execute(select(EmulationBloc).where(EmulationBloc.id.in_(units)).order_by(EmulationBloc.id)).scalars().all()


def read_bloc(scope, code):
    """The bloc asked for, or the reader's default: the bloc of their own unit, else the first
    bloc they have units in. A bloc without units in the scope is not found."""
    blocs = scope_blocs(scope)
    if code:
        for bloc in blocs:
            if bloc.code == code:
                return bloc
        raise RankingNotFound(N_("Không có khối thi đua %(code)s trong phạm vi của bạn."), code=str(code)[:40])
    if not blocs:
        raise RankingNotFound(N_("Phạm vi của bạn không có đơn vị nào thuộc khối thi đua."))
    if not scope.everything and len(scope.unit_paths) == 1:
        own = db.session.execute(select(Unit.bloc_id).where(Unit.path == scope.unit_paths[0])).scalar()
        for bloc in blocs:
            if bloc.id == own:
                return bloc
    return blocs[0]


def read_ranking(scope, period, bloc, version=None):
    versions = publications(period, bloc)
    if version is not None:
        chosen = next((publication for publication in versions if publication.version == version), None)
        if chosen is None:
            raise RankingNotFound(N_("Bảng xếp hạng %(bloc)s kỳ %(period)s không có phiên bản %(version)d."),
                                  bloc=bloc.code, period=period.label, version=version)
        return RankingSelection(period, bloc, version, scoped(publication_document(chosen), scope), versions, None)
    view = compute_rankings(period, bloc)[0]
    pending = changes_between(versions[0], view) if versions else None
    return RankingSelection(period, bloc, None, scoped(view.document, scope), versions, pending)


def unit_row(selection, unit_id):
    """The reader's row of the unit in the selection, or RankingNotFound."""
    for unit in selection.document["units"]:
        if unit["unit_id"] == unit_id:
            return unit
    raise RankingNotFound(N_("Đơn vị không có trong bảng xếp hạng này hoặc ngoài phạm vi của bạn."))


def unit_bloc(scope, unit_id):
    """The bloc of a unit the reader may see, or RankingNotFound."""
    unit = db.session.execute(select(Unit).where(Unit.id == unit_id, scope.unit_condition())).scalar_one_or_none()
    if unit is None or unit.bloc is None:
        raise RankingNotFound(N_("Đơn vị không có trong bảng xếp hạng này hoặc ngoài phạm vi của bạn."))
    return unit.bloc

"""Indicator values reported by units, the ranking formula of each year, published rankings.

Values are never overwritten: entering or importing a figure adds a row and marks the one it
replaces as no longer current, so the history of every figure (who, when, what before) stays.
A publication freezes a bloc's ranking with the formula and every input it was computed from.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalogue.models import EmulationBloc, Indicator
from lms.extensions import db
from lms.i18n import N_
from lms.models_base import UTCDateTime, label_of, utcnow
from lms.org.models import Unit

VALUE_SOURCES = {"form": N_("Nhập trên biểu mẫu"), "import": N_("Nhập từ tệp Excel"), "command": N_("Lệnh quản trị"),
                 "demo": N_("Dữ liệu mẫu")}


class IndicatorValue(db.Model):
    """A unit's figure for an indicator in a period ("2017" or "2017-Q2"). `value` None: cleared."""

    __tablename__ = "indicator_value"
    __table_args__ = (Index("ix_indicator_value_current", "period", "current", "unit_id"),
                      Index("ix_indicator_value_history", "unit_id", "indicator_id", "period"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[Optional[float]] = mapped_column(Float)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(20), default="form")
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    indicator: Mapped[Indicator] = relationship()
    entered_by = relationship("User")

    source_label = label_of("source", VALUE_SOURCES)


class RankingFormula(db.Model):
    """The formula of a year's ranking (components, weights, normalisations, targets, the
    missing-data rule, bands) as the document lms.rankings.formula reads."""

    __tablename__ = "ranking_formula"
    year: Mapped[int] = mapped_column(Integer, unique=True)
    definition: Mapped[dict] = mapped_column(JSON)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    updated_by = relationship("User")


class RankingPublication(db.Model):
    """A bloc's ranking for a period as published: version n+1 never replaces version n.
    `formula`, `inputs` and `results` are frozen copies; `changes` what differs from n."""

    __tablename__ = "ranking_publication"
    __table_args__ = (UniqueConstraint("period", "bloc_id", "version"),)
    period: Mapped[str] = mapped_column(String(7))
    bloc_id: Mapped[int] = mapped_column(ForeignKey("emulation_bloc.id"))
    version: Mapped[int] = mapped_column(Integer)
    formula: Mapped[dict] = mapped_column(JSON)
    inputs: Mapped[dict] = mapped_column(JSON)
    results: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bloc: Mapped[EmulationBloc] = relationship()
    published_by = relationship("User")

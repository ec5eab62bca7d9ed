"""The catalogues kept as data: modules of the standard and their syllabus tree, job titles
with their learning paths, emulation blocs. Loaded from the YAML files beside this module
(lms.catalogue.loader) and editable by administrators; and the rules that qualify an exam
sitting for a certificate."""
from typing import Optional

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.messages import N_
from lms.models_base import label_of

TITLE_GROUPS = {
    "commune_civil_servant": N_("Công chức cấp xã"),
    "commune_leader": N_("Cán bộ cấp xã"),
    "teacher": N_("Giáo viên"),
    "other": N_("Khác"),
}
MODULE_LEVELS = {"basic": N_("Cơ bản"), "advanced": N_("Nâng cao")}


class EmulationBloc(db.Model):
    """Khối thi đua: units are ranked within their bloc."""

    __tablename__ = "emulation_bloc"
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


INDICATOR_KINDS = {
    "percent": N_("Tỉ lệ phần trăm (0–100)"),
    "boolean": N_("Có/không (0 hoặc 1)"),
    "ratio": N_("Tỉ số"),
    "count": N_("Số người (không quá số cán bộ của đơn vị)"),
}
INDICATOR_SOURCES = {"reported": N_("Đơn vị báo cáo"), "learning": N_("Hệ thống tính từ kết quả học tập")}
INDICATOR_DIRECTIONS = {"higher": N_("Càng cao càng tốt"), "lower": N_("Càng thấp càng tốt")}


class Indicator(db.Model):
    """An indicator the unit ranking can weigh: reported by units per period (IT deployment)
    or computed by this system from learning results. Targets and weights are per year, in
    the ranking formula."""

    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    measure: Mapped[str] = mapped_column(String(40), default="")  # unit of measure as shown: "%", "máy/người"
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="reported")
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    min_value: Mapped[Optional[float]] = mapped_column(Float)
    max_value: Mapped[Optional[float]] = mapped_column(Float)  # a count's bound is the unit's staff instead
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    kind_label = label_of("kind", INDICATOR_KINDS)
    source_label = label_of("source", INDICATOR_SOURCES)
    direction_label = label_of("direction", INDICATOR_DIRECTIONS)

    @property
    def reported(self):
        return self.source == "reported"


class Module(db.Model):
    """A module of the IT-skills standard (IU01–IU15)."""

    __tablename__ = "module"
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)


class SyllabusNode(db.Model):
    """A topic, sub-topic or requirement of a module, by its stable code (IU04.3.1)."""

    __tablename__ = "syllabus_node"
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    module: Mapped[Module] = relationship()

    @property
    def depth(self):
        return self.code.count(".")


class Title(db.Model):
    """A job title (chức danh) with its learning path."""

    __tablename__ = "title"
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    path_modules: Mapped[list["LearningPathModule"]] = relationship(back_populates="title", cascade="all, delete-orphan")

    group_label = label_of("group", TITLE_GROUPS)


class LearningPathModule(db.Model):
    """A module required by a title's learning path."""

    __tablename__ = "learning_path_module"
    __table_args__ = (UniqueConstraint("title_id", "module_id"),)
    title_id: Mapped[int] = mapped_column(ForeignKey("title.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    title: Mapped[Title] = relationship(back_populates="path_modules")
    module: Mapped[Module] = relationship()


CERTIFICATE_KINDS = {"basic": N_("Cơ bản"), "advanced": N_("Nâng cao")}


class CertificateRule(db.Model):
    """What qualifies an exam sitting for a certificate (certificate_rules.yaml explains each field)."""

    __tablename__ = "certificate_rule"
    code: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    exam_kind: Mapped[str] = mapped_column(String(20))
    all_parts_passed: Mapped[bool] = mapped_column(Boolean, default=True)
    required_modules: Mapped[list] = mapped_column(JSON, default=list)
    module_pool: Mapped[list] = mapped_column(JSON, default=list)
    min_modules: Mapped[int] = mapped_column(Integer, default=0)
    requires: Mapped[Optional[str]] = mapped_column(String(30))
    serial_pattern: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    kind_label = label_of("kind", CERTIFICATE_KINDS)

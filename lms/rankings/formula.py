"""The ranking formula of a year as a document (YAML or JSON: components, weights,
normalisations, targets, the missing-data rule, bands) and its reading into the pure
computation's Formula. A year without a saved formula uses formula_default.yaml."""
import math
from fractions import Fraction
from pathlib import Path

import yaml
from sqlalchemy import select

from lms.catalogue.models import Indicator
from lms.extensions import db
from lms.messages import N_, MessageError
from lms.rankings.compute import BAND_BY, MISSING_RULES, NORMALISATIONS, Band, ComponentRule, Formula, FormulaError, IndicatorRule
from lms.rankings.models import RankingFormula
from lms.text import nfc

DEFAULT_FORMULA = Path(__file__).with_name("formula_default.yaml")


class FormulaDocumentError(MessageError):
    pass


def default_document():
    return yaml.safe_load(nfc(DEFAULT_FORMULA.read_text(encoding="utf-8")))


def formula_document(year):
    """(the year's formula document, whether it is the year's own or the default)."""
    saved = db.session.execute(select(RankingFormula).where(RankingFormula.year == year)).scalar_one_or_none()
    return (saved.definition, True) if saved else (default_document(), False)


def fraction(value, where):
    """An exact number from a document value (1, 0.85, "0.85"); floats through their shortest text."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FormulaDocumentError(N_("%(where)s: cần một số."), where=where)
    try:
        number = Fraction(str(value).strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise FormulaDocumentError(N_("%(where)s: «%(value)s» không phải là số."), where=where, value=str(value)[:40]) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise FormulaDocumentError(N_("%(where)s: cần một số."), where=where)
    return number


def _optional(entry, key, where):
    return None if entry.get(key) is None else fraction(entry[key], where)


def _indicator_rule(entry, indicators, component_code):
    if not isinstance(entry, dict) or not entry.get("code"):
        raise FormulaDocumentError(N_("Thành phần %(component)s: mỗi chỉ tiêu cần có mã (code)."), component=component_code)
    code = str(entry["code"])
    indicator = indicators.get(code)
    if indicator is None:
        raise FormulaDocumentError(N_("Chỉ tiêu %(code)s không có trong danh mục chỉ tiêu."), code=code[:60])
    normalisation = entry.get("normalisation", "best")
    if normalisation not in NORMALISATIONS:
        raise FormulaDocumentError(N_("Chỉ tiêu %(code)s: cách chuẩn hóa «%(value)s» không hợp lệ (best, minmax hoặc target)."),
                                   code=code, value=str(normalisation)[:40])
    return IndicatorRule(code=code, weight=fraction(entry.get("weight", 1), code), normalisation=normalisation,
                         direction=indicator.direction, target=_optional(entry, "target", code))


def _bands(document):
    bands = []
    for position, entry in enumerate(document.get("bands") or [], start=1):
        if not isinstance(entry, dict) or not str(entry.get("label") or "").strip():
            raise FormulaDocumentError(N_("Mức xếp loại thứ %(n)d cần có tên (label)."), n=position)
        max_rank = entry.get("max_rank")
        if max_rank is not None and (isinstance(max_rank, bool) or not isinstance(max_rank, int) or max_rank < 1):
            raise FormulaDocumentError(N_("Mức «%(label)s»: thứ hạng cuối (max_rank) phải là số nguyên dương."), label=entry["label"])
        bands.append(Band(label=str(entry["label"]).strip(), min_index=_optional(entry, "min_index", entry["label"]), max_rank=max_rank))
    return tuple(bands)


def parse_formula(document, indicators=None) -> Formula:
    """The Formula a document describes, checked; any fault is a FormulaDocumentError saying where."""
    if not isinstance(document, dict) or not isinstance(document.get("components"), list):
        raise FormulaDocumentError(N_("Công thức cần có danh sách thành phần (components)."))
    if indicators is None:
        indicators = {row.code: row for row in db.session.execute(select(Indicator)).scalars()}
    components = []
    for entry in document["components"]:
        if not isinstance(entry, dict) or not entry.get("code") or not isinstance(entry.get("indicators"), list):
            raise FormulaDocumentError(N_("Mỗi thành phần cần có mã (code) và danh sách chỉ tiêu (indicators)."))
        code = str(entry["code"])
        rules = tuple(_indicator_rule(item, indicators, code) for item in entry["indicators"])
        components.append(ComponentRule(code=code, weight=fraction(entry.get("weight", 1), code), indicators=rules))
    missing_rule, band_by = document.get("missing_rule", "exclude"), document.get("band_by", "index")
    if missing_rule not in MISSING_RULES:
        raise FormulaDocumentError(N_("Quy tắc thiếu số liệu «%(value)s» không hợp lệ (exclude, lowest hoặc zero)."), value=str(missing_rule)[:40])
    if band_by not in BAND_BY:
        raise FormulaDocumentError(N_("Cách xếp loại «%(value)s» không hợp lệ (index hoặc rank)."), value=str(band_by)[:40])
    precision = document.get("precision", 4)
    if isinstance(precision, bool) or not isinstance(precision, int):
        raise FormulaDocumentError(N_("Độ chính xác (precision) phải là số nguyên."))
    formula = Formula(components=tuple(components), missing_rule=missing_rule, precision=precision, band_by=band_by, bands=_bands(document))
    try:
        formula.check()
    except FormulaError as error:
        raise FormulaDocumentError(N_("Công thức không hợp lệ: %(reason)s"), reason=str(error)) from None
    return formula


def read_document_text(text):
    """A formula document from YAML (JSON is YAML too)."""
    try:
        document = yaml.safe_load(nfc(text))
    except yaml.YAMLError as error:
        raise FormulaDocumentError(N_("Không đọc được công thức: %(error)s"), error=str(error)[:200]) from None
    parse_formula(document)
    return document


def save_formula(year, document, user=None):
    """Save a checked document as the year's formula (replacing the year's previous one)."""
    parse_formula(document)
    saved = db.session.execute(select(RankingFormula).where(RankingFormula.year == year)).scalar_one_or_none()
    if saved is None:
        saved = RankingFormula(year=year)
        db.session.add(saved)
    saved.definition, saved.updated_by_id = document, getattr(user, "id", None)
    db.session.flush()
    return saved

"""A bloc's ranking as a plain JSON-safe document: what the pages, the exports and the API
show and what a publication freezes. Numbers are decimal text (exact, never a float that
would reach a file as 0.30000000000000004)."""
from decimal import ROUND_HALF_UP, Decimal

from lms.rankings.compute_numbers import units_at

RAW_PLACES = 4  # a raw figure as text: up to four decimals, trailing zeros dropped


def _digits(units, places):
    sign, digits = ("-" if units < 0 else ""), str(abs(units)).rjust(places + 1, "0")
    return sign + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)


def decimal_text(value, places=RAW_PLACES):
    """Exact Fraction (or int) as decimal text, at most `places` decimals, no trailing zeros."""
    if value is None:
        return None
    text = _digits(units_at(value, places), places)
    return text.rstrip("0").rstrip(".") if "." in text else text


def fixed_text(value, precision):
    """A Fraction or Decimal at exactly `precision` decimals ("0.8500")."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        if value.as_tuple().exponent == -precision:  # the computation's shown values already are
            return format(value, "f")
        return format(value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP), "f")
    return _digits(units_at(value, precision), precision)


def _components(document, formula, indicators, precision):
    names = {entry["code"]: entry.get("name") or entry["code"] for entry in document["components"]}
    total = sum(component.weight for component in formula.components)
    shown = []
    for component in formula.components:
        inner = sum(rule.weight for rule in component.indicators)
        share = component.weight / total
        shown.append({"code": component.code, "name": names[component.code], "weight": fixed_text(share, precision), "indicators": [
            {"code": rule.code, "name": indicators[rule.code].name, "name_en": indicators[rule.code].name_en,
             "measure": indicators[rule.code].measure, "direction": rule.direction, "normalisation": rule.normalisation,
             "weight": fixed_text(share * rule.weight / inner, precision), "target": decimal_text(rule.target)}
            for rule in component.indicators]})
    return shown


def _next_band(next_band, precision):
    if next_band is None:
        return None
    return {"label": next_band.label, "index_needed": fixed_text(next_band.index_needed, precision), "gap": fixed_text(next_band.gap, precision),
            "improvements": [{"code": item.code, "normalised_needed": fixed_text(item.normalised_needed, precision),
                              "raw_needed": decimal_text(item.raw_needed), "raw_change": decimal_text(item.raw_change)}
                             for item in next_band.improvements]}


def _unit(result, unit, precision):
    return {
        "unit_id": unit.id, "code": unit.code, "name": unit.name, "rank": result.rank,
        "index": fixed_text(result.shown_index, precision), "band": result.band, "excluded": result.excluded,
        "missing": list(result.missing),
        "scores": [{"code": score.code, "component": score.component, "raw": decimal_text(score.raw), "missing": score.missing,
                    "normalised": fixed_text(score.normalised, precision), "weight": fixed_text(score.weight, precision),
                    "contribution": fixed_text(score.shown_contribution, precision)} for score in result.scores],
        "next_band": _next_band(result.next_band, precision),
    }


def ranking_document(*, period, bloc, formula_document, formula, indicators, ranking, units, computed_at):
    """The document of `ranking` (a BlocRanking) over `units` ({id: RankedUnit})."""
    precision = formula.precision
    return {
        "period": period.label, "bloc": {"code": bloc.code, "name": bloc.name},
        "version": None, "published_at": None, "computed_at": computed_at.isoformat(),
        "missing_rule": formula.missing_rule, "precision": precision, "band_by": formula.band_by,
        "bands": [{"label": band.label, "min_index": fixed_text(band.min_index, precision), "max_rank": band.max_rank} for band in formula.bands],
        "components": _components(formula_document, formula, indicators, precision),
        "stats": {code: {"reported": stat.reported, "best": decimal_text(stat.best), "worst": decimal_text(stat.worst),
                         "target": decimal_text(stat.target)} for code, stat in ranking.stats.items()},
        "units": [_unit(result, units[result.unit_id], precision) for result in ranking.results],
    }


def document_inputs(units, values):
    """The frozen inputs of a publication: every ranked unit's raw figures, as decimal text."""
    return {str(unit.id): {"code": unit.code, "name": unit.name,
                           "values": {code: decimal_text(value) for code, value in sorted(values[unit.id].items())}}
            for unit in units}

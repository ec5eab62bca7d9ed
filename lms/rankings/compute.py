"""The annual emulation ranking of one bloc (Văn bản 3718/UBND-KGVX) as a pure function.

Units are ranked within their bloc on an index in [0, 1]: weighted components, each a
weighted mean of normalised indicators. Every step is exact (Fraction) so that float noise
can never split or make a tie; indices are compared and shown quantised at the formula's
precision (Decimal, half up). No Flask, no database: the caller gathers the inputs.

The arithmetic (quantising, ranks, normalisations and their inverses) lives in
compute_numbers and is importable from here.
"""
import numbers
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Mapping, Optional, Sequence

from lms.rankings.compute_numbers import HIGHER, LOWER, ceiling, competition_ranks, invert, normalise, quantise, rounded_parts

NORMALISATIONS = ("best", "minmax", "target")
DIRECTIONS = (HIGHER, LOWER)
MISSING_RULES = ("exclude", "lowest", "zero")
BAND_BY = ("index", "rank")
MAX_PRECISION = 9

ZERO, ONE = Fraction(0), Fraction(1)

__all__ = [
    "HIGHER", "LOWER", "NORMALISATIONS", "MISSING_RULES", "BAND_BY", "FormulaError", "IndicatorRule", "ComponentRule", "Band", "Formula",
    "UnitInput", "IndicatorStats", "IndicatorScore", "Improvement", "NextBand", "UnitResult", "BlocRanking", "rank_bloc",
    "competition_ranks", "quantise", "rounded_parts", "normalise", "invert",
]


class FormulaError(ValueError):
    """A formula that cannot be computed. args: (message, the code or value at fault, ...)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    weight: Fraction
    normalisation: str
    direction: str
    target: Optional[Fraction] = None


@dataclass(frozen=True)
class ComponentRule:
    code: str
    weight: Fraction
    indicators: tuple


@dataclass(frozen=True)
class Band:
    label: str
    min_index: Optional[Fraction] = None
    max_rank: Optional[int] = None


def exact(value, what):
    """`value` as a Fraction; floats are refused since their noise is what exactness avoids."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Rational, Decimal)):
        raise FormulaError(f"{what}: an exact number is needed, not {value!r}", what, value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise FormulaError(f"{what}: {value} is not a finite number", what, value)
    return Fraction(value)


def _weight(value, what):
    weight = exact(value, f"weight of {what}")
    if weight < 0:
        raise FormulaError(f"weight of {what} is negative ({value})", what, value)
    return weight


def _check_rule(rule):
    _weight(rule.weight, rule.code)
    if rule.normalisation not in NORMALISATIONS:
        raise FormulaError(f"{rule.code}: unknown normalisation {rule.normalisation!r}", rule.code, rule.normalisation)
    if rule.direction not in DIRECTIONS:
        raise FormulaError(f"{rule.code}: unknown direction {rule.direction!r}", rule.code, rule.direction)
    if rule.target is None:
        if rule.normalisation == "target":
            raise FormulaError(f"{rule.code}: normalisation 'target' needs a target", rule.code)
        return
    target = exact(rule.target, f"target of {rule.code}")
    # x / target for a higher-is-better target: a zero target would make every unit meet it.
    positive = rule.normalisation == "target" and rule.direction == HIGHER
    if target < 0 or (target == 0 and positive):
        raise FormulaError(f"{rule.code}: target {rule.target} must be {'positive' if positive else 'at least 0'}", rule.code, rule.target)


def _check_bands(bands, band_by):
    last = len(bands) - 1
    previous = None
    for position, band in enumerate(bands):
        if not isinstance(band.label, str) or not band.label.strip():
            raise FormulaError(f"band {position + 1} has no label", position + 1)
        bound = band.min_index if band_by == "index" else band.max_rank
        name = "min_index" if band_by == "index" else "max_rank"
        if bound is None:
            if position != last:
                raise FormulaError(f"band {band.label!r}: only the last band may have no {name}", band.label)
            continue
        if band_by == "index":
            bound = exact(bound, f"min_index of band {band.label!r}")
        elif isinstance(bound, bool) or not isinstance(bound, int) or bound < 1:
            raise FormulaError(f"band {band.label!r}: max_rank must be a positive integer", band.label, bound)
        if previous is not None and (bound >= previous if band_by == "index" else bound <= previous):
            order = "strictly decreasing" if band_by == "index" else "strictly increasing"
            raise FormulaError(f"band {band.label!r}: {name} must be {order} from the best band down", band.label, bound)
        previous = bound


@dataclass(frozen=True)
class Formula:
    components: tuple
    missing_rule: str = "exclude"
    precision: int = 4
    band_by: str = "index"
    bands: tuple = ()

    def check(self) -> None:
        """Raise FormulaError on the first fault found."""
        if isinstance(self.precision, bool) or not isinstance(self.precision, int) or not 0 <= self.precision <= MAX_PRECISION:
            raise FormulaError(f"precision must be an integer from 0 to {MAX_PRECISION}, not {self.precision!r}", self.precision)
        if self.missing_rule not in MISSING_RULES:
            raise FormulaError(f"unknown missing-data rule {self.missing_rule!r}", self.missing_rule)
        if self.band_by not in BAND_BY:
            raise FormulaError(f"unknown band_by {self.band_by!r}", self.band_by)
        if not self.components:
            raise FormulaError("the formula has no components")
        components, indicators = set(), set()
        for component in self.components:
            if component.code in components:
                raise FormulaError(f"component {component.code} appears twice", component.code)
            components.add(component.code)
            _weight(component.weight, component.code)
            for rule in component.indicators:
                if rule.code in indicators:
                    raise FormulaError(f"indicator {rule.code} appears twice", rule.code)
                indicators.add(rule.code)
                _check_rule(rule)
            if sum((Fraction(rule.weight) for rule in component.indicators), ZERO) == 0:
                raise FormulaError(f"component {component.code}: no indicator, or its indicators' weights are all 0", component.code)
        if sum(Fraction(component.weight) for component in self.components) == 0:
            raise FormulaError("the components' weights are all 0")
        _check_bands(self.bands, self.band_by)

    def weighted_rules(self):
        """[(component code, rule, effective share of the index)] in formula order."""
        total = sum(Fraction(component.weight) for component in self.components)
        shares = []
        for component in self.components:
            inner = sum(Fraction(rule.weight) for rule in component.indicators)
            shares.extend((component.code, rule, Fraction(component.weight) / total * Fraction(rule.weight) / inner)
                          for rule in component.indicators)
        return shares


@dataclass(frozen=True)
class UnitInput:
    unit_id: int
    values: Mapping[str, Optional[Fraction]]


@dataclass(frozen=True)
class IndicatorStats:
    code: str
    reported: int
    best: Optional[Fraction]
    worst: Optional[Fraction]
    target: Optional[Fraction]


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    component: str
    raw: Optional[Fraction]
    missing: bool
    normalised: Optional[Fraction]
    weight: Fraction
    contribution: Fraction
    shown_contribution: Optional[Decimal]


@dataclass(frozen=True)
class Improvement:
    code: str
    normalised_needed: Fraction
    raw_needed: Fraction
    raw_change: Fraction


@dataclass(frozen=True)
class NextBand:
    label: str
    index_needed: Decimal
    gap: Decimal
    improvements: tuple


@dataclass(frozen=True)
class UnitResult:
    unit_id: int
    index: Optional[Fraction]
    shown_index: Optional[Decimal]
    rank: Optional[int]
    band: Optional[str]
    missing: tuple
    excluded: bool
    scores: tuple
    next_band: Optional[NextBand]


@dataclass(frozen=True)
class BlocRanking:
    results: tuple
    stats: Mapping[str, IndicatorStats]
    missing_rule: str
    precision: int


def band_position(formula, shown_index, rank) -> Optional[int]:
    """The position in formula.bands (best first) of a ranked unit's band; None if no band takes it."""
    for position, band in enumerate(formula.bands):
        if formula.band_by == "index":
            if band.min_index is None or Fraction(shown_index) >= Fraction(band.min_index):
                return position
        elif band.max_rank is None or rank <= band.max_rank:
            return position
    return None


def _index_needed(formula, band, standings):
    if formula.band_by == "index":
        # Rounded up, not half up: a threshold finer than the precision must still be reached, never just approached.
        return ceiling(Fraction(band.min_index), formula.precision)
    # Reaching the shown index of the band's last unit ties it, and a tie shares its rank.
    return min(shown for rank, shown in standings if rank <= band.max_rank)


def next_band(formula, rules, stats, scores, shown_index, position, standings) -> Optional[NextBand]:
    """The next better band of a ranked unit in band `position` (None: below every band) and the
    indicators that alone could take it there. `rules` is formula.weighted_rules(), `scores` the
    unit's in that order, `standings` [(rank, shown index)] of the ranked units. Raw values are
    inverted with the bloc's current stats: raising one figure may move the bloc's best, so
    they are a guide, not a promise."""
    if not formula.bands or position == 0:
        return None
    band = formula.bands[(len(formula.bands) if position is None else position) - 1]
    index_needed = _index_needed(formula, band, standings)
    gap = index_needed - shown_index
    if gap <= 0:
        return None
    improvements, exact_gap = [], Fraction(gap)
    for (_, rule, weight), score in zip(rules, scores):
        if weight == 0 or score.normalised is None:
            continue
        needed = score.normalised + exact_gap / weight
        if needed > ONE:
            continue
        raw_needed = invert(rule, stats[rule.code], needed)
        if raw_needed is None:
            continue
        raw_change = raw_needed if score.raw is None else raw_needed - score.raw
        improvements.append((needed - score.normalised, rule.code, Improvement(rule.code, needed, raw_needed, raw_change)))
    improvements.sort(key=lambda entry: entry[:2])  # the smallest rise of a normalised value first, then by code
    return NextBand(band.label, index_needed, gap, tuple(entry[2] for entry in improvements))


def _raw(value, unit_id, code):
    if value is None or type(value) is Fraction:  # the common cases, before the slower ABC checks
        return value
    if isinstance(value, bool) or not isinstance(value, (numbers.Rational, Decimal)):
        raise TypeError(f"unit {unit_id}, {code}: raw values must be exact numbers, not {value!r}")
    return Fraction(value)


def _stats(rule, reported):
    target = None if rule.target is None else Fraction(rule.target)
    if not reported:
        return IndicatorStats(rule.code, 0, None, None, target)
    best, worst = (max(reported), min(reported)) if rule.direction == HIGHER else (min(reported), max(reported))
    return IndicatorStats(rule.code, len(reported), best, worst, target)


def _scores(formula, rules, raws, normalised_values, lowest):
    """(scores without shown contributions, missing codes, excluded) of one unit."""
    scores, missing = [], []
    for component, rule, weight in rules:
        raw = raws[rule.code]
        if raw is None:
            missing.append(rule.code)
            normalised = {"exclude": None, "lowest": lowest[rule.code], "zero": ZERO}[formula.missing_rule]
        else:
            normalised = normalised_values[rule.code]
        contribution = ZERO if normalised is None else weight * normalised
        scores.append(IndicatorScore(rule.code, component, raw, raw is None, normalised, weight, contribution, None))
    return scores, tuple(missing), bool(missing) and formula.missing_rule == "exclude"


def rank_bloc(units: Sequence[UnitInput], formula: Formula) -> BlocRanking:
    """Rank the bloc's units under `formula` (checked first)."""
    formula.check()
    rules = formula.weighted_rules()
    raws = [{rule.code: _raw(unit.values.get(rule.code), unit.unit_id, rule.code) for _, rule, _ in rules} for unit in units]
    # Stats count every reported value, an excluded unit's too: its figures are real.
    stats = {rule.code: _stats(rule, [values[rule.code] for values in raws if values[rule.code] is not None]) for _, rule, _ in rules}
    normalised = [{rule.code: normalise(rule, stats[rule.code], values[rule.code]) for _, rule, _ in rules if values[rule.code] is not None}
                  for values in raws]
    lowest = {rule.code: min((values[rule.code] for values in normalised if rule.code in values), default=ZERO) for _, rule, _ in rules}

    drafts = [_scores(formula, rules, values, normal, lowest) for values, normal in zip(raws, normalised)]
    indices = [None if excluded else sum((score.contribution for score in scores), ZERO) for scores, _, excluded in drafts]
    shown = [None if index is None else quantise(index, formula.precision) for index in indices]
    ranked = [position for position, index in enumerate(indices) if index is not None]
    ranks = dict(zip(ranked, competition_ranks([shown[position] for position in ranked])))
    standings = [(ranks[position], shown[position]) for position in ranked]  # what a rank band's threshold is read from

    results = []
    for position, (unit, (scores, missing, excluded)) in enumerate(zip(units, drafts)):
        rank, band_at, advice = ranks.get(position), None, None
        if not excluded:
            band_at = band_position(formula, shown[position], rank)
            parts = rounded_parts([score.contribution for score in scores], shown[position], formula.precision)
            scores = [IndicatorScore(score.code, score.component, score.raw, score.missing, score.normalised, score.weight,
                                     score.contribution, part) for score, part in zip(scores, parts)]
            advice = next_band(formula, rules, stats, scores, shown[position], band_at, standings)
        band = None if band_at is None else formula.bands[band_at].label
        results.append(UnitResult(unit.unit_id, indices[position], shown[position], rank, band, missing, excluded, tuple(scores), advice))

    order = sorted((result for result in results if not result.excluded), key=lambda result: result.rank)  # stable: ties keep input order
    order += [result for result in results if result.excluded]
    return BlocRanking(tuple(order), stats, formula.missing_rule, formula.precision)

"""The ranking's exact arithmetic: quantising, rounding parts to a total, competition ranks,
and each normalisation with its inverse. Part of lms.rankings.compute (import from there)."""
import functools
from decimal import Decimal
from fractions import Fraction
from typing import Sequence

HIGHER, LOWER = "higher", "lower"
ZERO, ONE = Fraction(0), Fraction(1)


def _decimal(units, precision):
    """The Decimal `units` * 10^-precision, built from its digits so no context can round it."""
    sign = 1 if units < 0 else 0
    return Decimal((sign, tuple(int(digit) for digit in str(abs(units))), -precision))


def units_at(value, places: int) -> int:
    """`value` (a Fraction or an int) in units of 10^-places, halves away from zero
    (ROUND_HALF_UP), in integers only."""
    numerator, denominator = value.numerator, value.denominator
    units, remainder = divmod(abs(numerator) * 10 ** places, denominator)
    if 2 * remainder >= denominator:
        units += 1
    return -units if numerator < 0 else units


def quantise(value: Fraction, precision: int) -> Decimal:
    """`value` at `precision` decimals, halves away from zero (ROUND_HALF_UP), in integers only."""
    return _decimal(units_at(Fraction(value), precision), precision)


def ceiling(value: Fraction, precision: int) -> Decimal:
    """The smallest number at `precision` decimals that is >= `value`."""
    value = Fraction(value)
    return _decimal(-((-value.numerator * 10 ** precision) // value.denominator), precision)


def rounded_parts(parts: Sequence[Fraction], total: Decimal, precision: int) -> list:
    """`parts` at `precision` decimals adding up exactly to `total` (largest remainder): each is
    floored, then the units of 10^-precision still missing go to the largest remainders, the
    earlier part first on equal remainders. In integers: a bloc rounds thousands of parts."""
    scale = 10 ** precision
    floors, remainders = [], []
    for part in parts:
        part = part if type(part) is Fraction else Fraction(part)
        units, rest = divmod(part.numerator * scale, part.denominator)
        floors.append(units)
        remainders.append((rest, part.denominator))
    wanted = Decimal(total).scaleb(precision)
    if wanted != wanted.to_integral_value():
        raise ValueError(f"total {total} has more than {precision} decimals")
    left = int(wanted) - sum(floors)
    if not 0 <= left <= len(parts):
        raise ValueError(f"parts cannot be rounded to the total {total}")
    if left:
        # Remainders compared by cross-multiplication (rest_a / den_a vs rest_b / den_b), exact and without gcds.
        order = sorted(range(len(parts)), key=functools.cmp_to_key(lambda a, b: _by_remainder(remainders, a, b)))
        for position in order[:left]:
            floors[position] += 1
    return [_decimal(units, precision) for units in floors]


def _by_remainder(remainders, a, b):
    """The larger remainder first, the earlier part on equal ones."""
    (rest_a, den_a), (rest_b, den_b) = remainders[a], remainders[b]
    difference = rest_b * den_a - rest_a * den_b
    return difference if difference else a - b


def competition_ranks(keys: Sequence) -> list:
    """Standard competition ("1224") ranks, the highest key first: a unit's rank is one more
    than the number of keys strictly better than its own."""
    order = sorted(range(len(keys)), key=lambda position: keys[position], reverse=True)
    ranks = [0] * len(keys)
    for place, position in enumerate(order):
        previous = order[place - 1] if place else None
        ranks[position] = ranks[previous] if previous is not None and keys[previous] == keys[position] else place + 1
    return ranks


def _clamp(value):
    return min(max(value, ZERO), ONE)


def _bounds(rule, stats):
    """(max, min) of the reported raw values, whichever direction is better."""
    return (stats.best, stats.worst) if rule.direction == HIGHER else (stats.worst, stats.best)


def normalise(rule, stats, raw):
    """The normalised value in [0, 1] of a reported `raw` value, against the bloc's `stats`."""
    if rule.normalisation == "target":
        target = Fraction(rule.target)
        if rule.direction == HIGHER:
            return ONE if target == 0 else _clamp(raw / target)
        return ONE if raw <= target else _clamp(target / raw)
    high, low = _bounds(rule, stats)
    if rule.normalisation == "minmax":
        if high == low:  # everyone who reported is the bloc's best
            return ONE
        return _clamp((raw - low) / (high - low) if rule.direction == HIGHER else (high - raw) / (high - low))
    if rule.direction == HIGHER:
        return ZERO if high == 0 else _clamp(raw / high)
    if raw == 0:
        return ONE
    return ZERO if low == 0 else _clamp(low / raw)


def invert(rule, stats, normalised):
    """The raw value whose normalisation is `normalised` (> 0) with these stats; None where the
    normalisation cannot be inverted (nobody reported, max == min, a best of 0)."""
    if rule.normalisation == "target":  # the target is known even when nobody reported
        target = Fraction(rule.target)
        return normalised * target if rule.direction == HIGHER else target / normalised
    if stats.best is None:
        return None
    high, low = _bounds(rule, stats)
    if rule.normalisation == "minmax":
        if high == low:
            return None
        return low + normalised * (high - low) if rule.direction == HIGHER else high - normalised * (high - low)
    if rule.direction == HIGHER:
        return None if high == 0 else normalised * high
    return None if low == 0 else low / normalised

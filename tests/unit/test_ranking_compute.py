"""The bloc ranking's pure computation: exact indices, ties, missing data, bands and the
next-band advice. Every expectation is worked out by hand (the arithmetic in comments)."""
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from lms.rankings.compute import (
    HIGHER,
    LOWER,
    Band,
    ComponentRule,
    Formula,
    FormulaError,
    Improvement,
    IndicatorRule,
    UnitInput,
    competition_ranks,
    quantise,
    rank_bloc,
    rounded_parts,
)

F, D = Fraction, Decimal


def rule(code, weight=1, normalisation="best", direction=HIGHER, target=None):
    return IndicatorRule(code, F(weight), normalisation, direction, None if target is None else F(target))


def formula(*rules, **options):
    """One component holding `rules`."""
    return Formula((ComponentRule("c", F(1), tuple(rules)),), **options)


def units(*rows):
    """UnitInput 1, 2, ... from {code: decimal text or None}."""
    return [UnitInput(number, {code: None if value is None else F(value) for code, value in row.items()})
            for number, row in enumerate(rows, start=1)]


def ranked(units_, formula_):
    """{unit id: result}, after checking what every ranking must hold."""
    ranking = rank_bloc(units_, formula_)
    for result in ranking.results:
        shown = [score.shown_contribution for score in result.scores]
        if result.excluded:
            assert (result.index, result.shown_index, result.rank, result.band, result.next_band) == (None,) * 5
            assert shown == [None] * len(shown)
        else:
            assert sum(shown) == result.shown_index  # the breakdown adds up to the shown index, to the last digit
            assert result.shown_index == quantise(result.index, formula_.precision)
    return {result.unit_id: result for result in ranking.results}, ranking


def shown(results):
    return {unit_id: (result.shown_index, result.rank) for unit_id, result in results.items()}


# --- the exact arithmetic -------------------------------------------------------------------

@pytest.mark.parametrize("keys, expected", [
    ([F("0.9"), F("0.8"), F("0.8"), F("0.7")], [1, 2, 2, 4]),
    ([D("0.7"), D("0.9"), D("0.8"), D("0.8")], [4, 1, 2, 2]),  # the input order is kept
    ([5, 5, 5], [1, 1, 1]),
    ([3, 1, 3, 1, 2], [1, 4, 1, 4, 3]),
    ([7], [1]),
    ([], []),
])
def test_competition_ranks_share_a_rank_and_skip(keys, expected):
    assert competition_ranks(keys) == expected


@pytest.mark.parametrize("value, precision, expected", [
    (F(12345, 100000), 4, "0.1235"),  # an exact half goes up
    (F(12344999, 100000000), 4, "0.1234"),  # just under a half
    (F(1, 3), 4, "0.3333"),
    (F(2, 3), 4, "0.6667"),
    (F(5, 2), 0, "3"),  # half up, not to even
    (F(1), 4, "1.0000"),
    (F(0), 2, "0.00"),
    (F(-12345, 100000), 4, "-0.1235"),  # halves go away from zero, as ROUND_HALF_UP does
    (F(-1, 100000), 4, "0.0000"),  # no "-0.0000"
    (F(1, 7), 9, "0.142857143"),
    (F(10 ** 40 + 1, 2), 0, str(10 ** 40 // 2 + 1)),  # more digits than a Decimal context holds
])
def test_quantise_is_half_up_on_the_exact_value(value, precision, expected):
    assert str(quantise(value, precision)) == expected


@pytest.mark.parametrize("parts, total, precision, expected", [
    ([F(1, 3)] * 3, "1.0000", 4, ["0.3334", "0.3333", "0.3333"]),  # naive rounding gives 0.9999
    ([F(2, 9)] * 3, "0.6667", 4, ["0.2223", "0.2222", "0.2222"]),  # floors 0.6666, one unit to the first of equal remainders
    ([F(1, 6)] * 6, "1.0000", 4, ["0.1667"] * 4 + ["0.1666"] * 2),  # floors 0.9996: four units left
    ([F(1, 10), F(17, 100), F(3, 1000)], "0.27", 2, ["0.10", "0.17", "0.00"]),  # floors 0.27 already
    ([F(1, 8), F(3, 8)], "0.5", 1, ["0.1", "0.4"]),  # floors 0.1 + 0.3; remainders 0.025 < 0.075
])
def test_rounded_parts_add_up_to_the_total(parts, total, precision, expected):
    assert rounded_parts(parts, D(total), precision) == [D(value) for value in expected]


@pytest.mark.parametrize("total", ["0.33335", "0.5", "-0.1"])
def test_rounded_parts_refuse_a_total_they_cannot_reach(total):
    with pytest.raises(ValueError):
        rounded_parts([F(1, 3)], D(total), 4)


# --- indices and ranks ----------------------------------------------------------------------

def test_ties_share_a_rank_and_keep_the_input_order():
    # best, higher: x / 90 -> 70/90 = 0.7778, 80/90 = 0.8889 (twice), 1
    results, ranking = ranked(units({"a": "70"}, {"a": "80"}, {"a": "80"}, {"a": "90"}), formula(rule("a")))
    assert shown(results) == {1: (D("0.7778"), 4), 2: (D("0.8889"), 2), 3: (D("0.8889"), 2), 4: (D("1.0000"), 1)}
    assert [result.unit_id for result in ranking.results] == [4, 2, 3, 1]


def test_precision_decides_what_ties():
    # 0.804 and 0.796 (target 1: normalised = raw) both show 0.80 at two decimals
    results, _ = ranked(units({"a": "0.804"}, {"a": "0.796"}), formula(rule("a", normalisation="target", target=1), precision=2))
    assert shown(results) == {1: (D("0.80"), 1), 2: (D("0.80"), 1)}


def test_float_noise_cannot_split_a_tie():
    # Three indicators of 1/3 each, normalised = raw (target 1). Both indices are exactly 0.37035 / 3 = 0.12345 -> 0.1235.
    rules = [rule(code, normalisation="target", target=1) for code in "xyz"]
    rows = ({"x": "0.1", "y": "0.2", "z": "0.07035"}, {"x": "0.3", "y": "0", "z": "0.07035"})
    in_floats = [Decimal(repr(sum(float(value) / 3 for value in row.values()))).quantize(D("0.0001"), ROUND_HALF_UP) for row in rows]
    assert in_floats == [D("0.1235"), D("0.1234")]  # what float arithmetic would have ranked apart
    results, _ = ranked(units(*rows), formula(*rules))
    assert results[1].index == results[2].index == F(12345, 100000)
    assert shown(results) == {1: (D("0.1235"), 1), 2: (D("0.1235"), 1)}


@pytest.mark.parametrize("indicator, expected", [
    (rule("a"), F(1)),  # its own best
    (rule("a", normalisation="minmax"), F(1)),  # max == min
    (rule("a", normalisation="target", target=80), F(1, 2)),  # 40 / 80
])
def test_a_unit_alone_in_its_bloc(indicator, expected):
    results, _ = ranked(units({"a": "40"}), formula(indicator))
    assert (results[1].index, results[1].rank) == (expected, 1)


@pytest.mark.parametrize("normalisation, direction, target, raws, expected", [
    ("best", HIGHER, None, ["2", "4", "8"], [F(1, 4), F(1, 2), F(1)]),  # x / 8
    ("best", HIGHER, None, ["0", "0"], [F(0), F(0)]),  # nobody has any
    ("best", LOWER, None, ["2", "4", "8"], [F(1), F(1, 2), F(1, 4)]),  # 2 / x
    ("best", LOWER, None, ["0", "5"], [F(1), F(0)]),  # none is best; with a best of 0 anything else is 0
    ("minmax", HIGHER, None, ["2", "4", "8"], [F(0), F(1, 3), F(1)]),  # (x - 2) / 6
    ("minmax", LOWER, None, ["2", "4", "8"], [F(1), F(2, 3), F(0)]),  # (8 - x) / 6
    ("minmax", LOWER, None, ["5", "5"], [F(1), F(1)]),  # max == min: all are the best
    ("target", HIGHER, "4", ["2", "4", "8"], [F(1, 2), F(1), F(1)]),  # x / 4, at most 1
    ("target", LOWER, "4", ["2", "4", "8"], [F(1), F(1), F(1, 2)]),  # 1 up to the target, then 4 / x
    ("target", LOWER, "0", ["0", "2"], [F(1), F(0)]),  # 0 / 2
])
def test_normalisations(normalisation, direction, target, raws, expected):
    results, ranking = ranked(units(*({"a": raw} for raw in raws)), formula(rule("a", 1, normalisation, direction, target)))
    assert [results[number].scores[0].normalised for number in sorted(results)] == expected
    high, low = max(F(raw) for raw in raws), min(F(raw) for raw in raws)
    stats = ranking.stats["a"]
    assert (stats.reported, stats.best, stats.worst) == (len(raws), *((high, low) if direction == HIGHER else (low, high)))


def test_all_units_equal_share_rank_one():
    results, _ = ranked(units({"a": "3", "b": "7"}, {"a": "3", "b": "7"}, {"a": "3", "b": "7"}),
                        formula(rule("a", normalisation="minmax"), rule("b", direction=LOWER)))
    assert shown(results) == {number: (D("1.0000"), 1) for number in (1, 2, 3)}


def test_weights_are_shares_of_the_index():
    # c1 (2) = a (1) + b (3); c2 (1) = d; c3 (0) = e: a 2/3 * 1/4, b 2/3 * 3/4, d 1/3, e 0
    components = (ComponentRule("c1", F(2), (rule("a"), rule("b", 3))), ComponentRule("c2", F(1), (rule("d"),)),
                  ComponentRule("c3", F(0), (rule("e"),)))
    results, _ = ranked(units({"a": "1", "b": "1", "d": "1", "e": "1"}), Formula(components))
    assert [(score.code, score.component, score.weight) for score in results[1].scores] == [
        ("a", "c1", F(1, 6)), ("b", "c1", F(1, 2)), ("d", "c2", F(1, 3)), ("e", "c3", F(0))]
    assert [score.shown_contribution for score in results[1].scores] == [D("0.1667"), D("0.5000"), D("0.3333"), D("0.0000")]


# --- missing data ---------------------------------------------------------------------------

MISSING_ROWS = ({"a": "10", "b": "4"}, {"a": "5", "b": None}, {"b": "1"}, {"a": "2", "b": "2"})


@pytest.mark.parametrize("missing_rule, expected", [
    # a: x / 10 (3/4 of the index), b: x / 4 (1/4). Unit 1: 1; unit 4: 3/4 * 1/5 + 1/4 * 1/2 = 11/40 = 0.275.
    ("exclude", {1: (D("1.0000"), 1), 4: (D("0.2750"), 2), 2: (None, None), 3: (None, None)}),
    # lowest reported: a 1/5 (unit 4), b 1/4 (unit 3). Unit 2: 3/4 * 1/2 + 1/4 * 1/4 = 7/16; unit 3: 3/4 * 1/5 + 1/16 = 17/80.
    ("lowest", {1: (D("1.0000"), 1), 2: (D("0.4375"), 2), 4: (D("0.2750"), 3), 3: (D("0.2125"), 4)}),
    # zero: unit 2: 3/4 * 1/2 = 3/8; unit 3: 1/4 * 1/4 = 1/16
    ("zero", {1: (D("1.0000"), 1), 2: (D("0.3750"), 2), 4: (D("0.2750"), 3), 3: (D("0.0625"), 4)}),
])
def test_missing_rules(missing_rule, expected):
    results, ranking = ranked(units(*MISSING_ROWS), formula(rule("a", 3), rule("b", 1), missing_rule=missing_rule))
    assert shown(results) == expected
    assert [result.unit_id for result in ranking.results] == list(expected)
    assert (results[2].missing, results[3].missing, results[1].missing) == (("b",), ("a",), ())
    # excluded units' figures still count: a's best is 10, worst 2, over units 1, 2, 4
    assert [(stat.reported, stat.best, stat.worst) for stat in ranking.stats.values()] == [(3, F(10), F(2)), (3, F(4), F(1))]
    score = results[2].scores[1]
    assert (score.raw, score.missing, score.normalised) == (None, True, {"exclude": None, "lowest": F(1, 4), "zero": F(0)}[missing_rule])
    assert results[2].scores[0].normalised == F(1, 2)  # a present value is normalised even for an excluded unit


@pytest.mark.parametrize("missing_rule, expected", [
    ("exclude", {1: (None, None), 2: (None, None)}),
    ("lowest", {1: (D("0.5000"), 1), 2: (D("0.2500"), 2)}),  # nobody reported c: it counts 0 for all; a: 1/2 * (1, 1/2)
    ("zero", {1: (D("0.5000"), 1), 2: (D("0.2500"), 2)}),
])
def test_an_indicator_nobody_reported(missing_rule, expected):
    results, ranking = ranked(units({"a": "4"}, {"a": "2"}), formula(rule("a"), rule("c"), missing_rule=missing_rule))
    assert shown(results) == expected
    stats = ranking.stats["c"]
    assert (stats.reported, stats.best, stats.worst, stats.target) == (0, None, None, None)


def test_an_empty_bloc():
    ranking = rank_bloc([], formula(rule("a", target=5)))
    assert (ranking.results, ranking.stats["a"].reported, ranking.stats["a"].target) == ((), 0, F(5))


def test_raw_values_must_be_exact():
    with pytest.raises(TypeError):
        rank_bloc([UnitInput(1, {"a": 0.3})], formula(rule("a")))


# --- bands and the next band ----------------------------------------------------------------

INDEX_BANDS = (Band("A", F("0.85")), Band("B", F("0.70")), Band("C", F("0.50")), Band("D"))
RAW = rule("a", normalisation="target", target=1)  # normalised = raw, so a unit's index is its raw value


def test_bands_by_index_compare_the_shown_index():
    # 0.84995 shows 0.8500 and is an A; 0.84994 shows 0.8499
    rows = [{"a": value} for value in ("0.9", "0.84995", "0.84994", "0.7", "0.2")]
    results, _ = ranked(units(*rows), formula(RAW, bands=INDEX_BANDS))
    assert [result.band for result in results.values()] == ["A", "A", "B", "B", "D"]


def test_bands_by_rank():
    # ranks 1, 2, 3, 3, 5
    rows = [{"a": value} for value in ("0.9", "0.8", "0.7", "0.7", "0.6")]
    bands = (Band("top", max_rank=1), Band("good", max_rank=3), Band("rest"))
    results, _ = ranked(units(*rows), formula(RAW, band_by="rank", bands=bands))
    assert [(result.rank, result.band) for result in results.values()] == [(1, "top"), (2, "good"), (3, "good"), (3, "good"), (5, "rest")]
    # rank 5 needs the shown index of the last unit ranked 3 or better: 0.7, a gap of 0.1
    advice = results[5].next_band
    assert (advice.label, advice.index_needed, advice.gap) == ("good", D("0.7000"), D("0.1000"))
    assert advice.improvements == (Improvement("a", F("0.7"), F("0.7"), F("0.1")),)
    assert (results[2].next_band.label, results[2].next_band.index_needed) == ("top", D("0.9000"))
    assert results[1].next_band is None


def test_no_band_below_the_last_threshold_and_no_bands_at_all():
    results, _ = ranked(units({"a": "0.3"}), formula(RAW, bands=(Band("A", F("0.8")), Band("B", F("0.5")))))
    assert (results[1].band, results[1].next_band.label, results[1].next_band.gap) == (None, "B", D("0.2000"))
    results, _ = ranked(units({"a": "0.3"}), formula(RAW))
    assert (results[1].band, results[1].next_band) == (None, None)


def test_a_threshold_finer_than_the_precision_is_rounded_up():
    # 0.85554 at four decimals: 0.8555 falls short, so 0.8556 is what it takes
    results, _ = ranked(units({"a": "0.8555"}), formula(RAW, bands=(Band("A", F("0.85554")), Band("B"))))
    assert (results[1].band, results[1].next_band.index_needed, results[1].next_band.gap) == ("B", D("0.8556"), D("0.0001"))


TWO_BANDS = (Band("good", F("0.8")), Band("rest"))


@pytest.mark.parametrize("normalisation, direction, target, raws, normalised, raw_needed, raw_change", [
    # unit 1 needs normalised 0.8 (gap 0.8 - its index); the inverse with the bloc's stats:
    ("best", HIGHER, None, ["50", "100"], F(1, 2), F(80), F(30)),  # 0.8 * 100
    ("best", LOWER, None, ["5", "2"], F(2, 5), F(5, 2), F(-5, 2)),  # 2 / 0.8
    ("minmax", HIGHER, None, ["40", "20", "100"], F(1, 4), F(84), F(44)),  # 20 + 0.8 * 80
    ("minmax", LOWER, None, ["40", "20", "100"], F(3, 4), F(36), F(-4)),  # 100 - 0.8 * 80
    ("target", HIGHER, "50", ["20"], F(2, 5), F(40), F(20)),  # 0.8 * 50
    ("target", LOWER, "4", ["10"], F(2, 5), F(5), F(-5)),  # 4 / 0.8
    ("best", HIGHER, None, [None, "50", "100"], F(1, 2), F(80), F(80)),  # missing: the lowest reported (1/2); the change is all of it
])
def test_next_band_raw_needed_for_each_normalisation(normalisation, direction, target, raws, normalised, raw_needed, raw_change):
    indicator = rule("a", 1, normalisation, direction, target)
    results, _ = ranked(units(*({"a": raw} for raw in raws)), formula(indicator, missing_rule="lowest", bands=TWO_BANDS))
    advice = results[1].next_band
    assert (results[1].index, advice.label, advice.index_needed, F(advice.gap)) == (normalised, "good", D("0.8000"), F("0.8") - normalised)
    assert advice.improvements == (Improvement("a", F("0.8"), raw_needed, raw_change),)


@pytest.mark.parametrize("threshold, expected", [
    # a (3/4) and b (1/4) both at 1/2 (50 of 100): index 0.5. a needs 1/2 + gap / (3/4), b 1/2 + gap / (1/4).
    ("0.6", [("a", F(19, 30), F(190, 3)), ("b", F(9, 10), F(90))]),  # gap 0.1: a 1/2 + 2/15, b 1/2 + 2/5
    ("0.7", [("a", F(23, 30), F(230, 3))]),  # gap 0.2: b would need 1.3
    ("0.9", []),  # gap 0.4: a would need 31/30; no indicator alone can reach it
])
def test_next_band_improvements_smallest_rise_first(threshold, expected):
    bands = (Band("up", F(threshold)), Band("rest"))
    results, _ = ranked(units({"a": "50", "b": "50"}, {"a": "100", "b": "100"}), formula(rule("a", 3), rule("b", 1), bands=bands))
    assert [(item.code, item.normalised_needed, item.raw_needed) for item in results[1].next_band.improvements] == expected


def test_next_band_ties_by_code_and_skips_what_cannot_be_inverted():
    # b and a weigh the same and stand at 1/2: the same rise (0.6 - 0.5) / (1/2), listed by code
    bands = (Band("up", F("0.6")), Band("rest"))
    rows = ({"b": "1", "a": "1", "x": "0"}, {"b": "2", "a": "2", "x": "1"})  # x weighs nothing: no advice from it
    results, _ = ranked(units(*rows), formula(rule("b"), rule("a"), rule("x", 0), bands=bands))
    assert [item.code for item in results[1].next_band.improvements] == ["a", "b"]
    # m: min-max where all who reported have 5 (unit 1 missing: 0 under "zero"); z: best-higher, best 0; w: best-lower, best 0;
    # n: nobody reported. Unit 1: (0 + 0 + 0 + 0 + 50/100) / 5 = 0.1, gap 0.1: each needs +1/2, only b (x / 100) can be inverted.
    rules = (rule("m", normalisation="minmax"), rule("z"), rule("w", direction=LOWER), rule("n"), rule("b"))
    rows = ({"m": None, "z": "0", "w": "5", "b": "50"}, {"m": "5", "z": "0", "w": "0", "b": "100"})
    results, _ = ranked(units(*rows), formula(*rules, missing_rule="zero", bands=(Band("up", F("0.2")), Band("rest"))))
    assert [score.normalised for score in results[1].scores] == [F(0), F(0), F(0), F(0), F(1, 2)]
    assert results[1].next_band.improvements == (Improvement("b", F(1), F(100), F(50)),)


def test_no_next_band_for_the_top_band_or_an_excluded_unit():
    results, _ = ranked(units({"a": "0.9", "b": "1"}, {"a": "0.4"}), formula(RAW, rule("b"), bands=INDEX_BANDS))
    assert (results[1].band, results[1].next_band) == ("A", None)
    assert results[2].excluded and results[2].next_band is None


# --- formula faults -------------------------------------------------------------------------

def one(*rules):
    return (ComponentRule("c", F(1), tuple(rules)),)


@pytest.mark.parametrize("bad, code", [
    (Formula(()), None),
    (Formula((ComponentRule("c", F(-1), (rule("a"),)),)), "c"),
    (Formula(one(rule("a", -1))), "a"),
    (Formula((ComponentRule("c", F(0), (rule("a"),)), ComponentRule("d", F(0), (rule("b"),)))), None),
    (Formula(one(rule("a", 0), rule("b", 0))), "c"),
    (Formula((ComponentRule("c", F(1), ()),)), "c"),
    (Formula(one(rule("a", normalisation="zscore"))), "a"),
    (Formula(one(rule("a", direction="up"))), "a"),
    (Formula(one(rule("a")), missing_rule="ignore"), "ignore"),
    (Formula(one(rule("a")), band_by="score"), "score"),
    (Formula((ComponentRule("c", F(1), (rule("a"),)), ComponentRule("d", F(1), (rule("a"),)))), "a"),
    (Formula((ComponentRule("c", F(1), (rule("a"),)), ComponentRule("c", F(1), (rule("b"),)))), "c"),
    (Formula(one(rule("a", normalisation="target"))), "a"),
    (Formula(one(rule("a", normalisation="target", target=0))), "a"),
    (Formula(one(rule("a", target=-1))), "a"),
    (Formula(one(IndicatorRule("a", 0.5, "best", HIGHER))), "weight of a"),  # a float's noise is what exactness avoids
    (Formula(one(IndicatorRule("a", D("NaN"), "best", HIGHER))), "weight of a"),
    (Formula(one(rule("a")), bands=(Band("A", F("0.8")), Band("B", F("0.8")))), "B"),
    (Formula(one(rule("a")), bands=(Band("A"), Band("B", F("0.5")))), "A"),
    (Formula(one(rule("a")), band_by="rank", bands=(Band("A", max_rank=3), Band("B", max_rank=2))), "B"),
    (Formula(one(rule("a")), band_by="rank", bands=(Band("A", max_rank=0), Band("B"))), "A"),
    (Formula(one(rule("a")), bands=(Band(" ", F("0.5")),)), 1),
    (Formula(one(rule("a")), precision=-1), -1),
    (Formula(one(rule("a")), precision=10), 10),
    (Formula(one(rule("a")), precision=True), True),
])
def test_formula_faults(bad, code):
    with pytest.raises(FormulaError) as raised:
        bad.check()
    assert str(raised.value) == raised.value.args[0]  # a plain message for the page that shows it
    assert raised.value.args[1:2] == (() if code is None else (code,))
    with pytest.raises(FormulaError):
        rank_bloc([], bad)


@pytest.mark.parametrize("good", [
    Formula(one(IndicatorRule("a", D("0.5"), "best", HIGHER)), precision=0),  # a Decimal is exact too
    Formula(one(rule("a")), precision=9),
    Formula(one(rule("a", normalisation="target", direction=LOWER, target=0))),  # "at most 0" is a fair target
    Formula((ComponentRule("c", F(0), (rule("a"),)), ComponentRule("d", F(1), (rule("b", 0), rule("e"))))),
    Formula(one(rule("a")), bands=(Band("A", F("0.8")), Band("B", F("0.5")))),
    Formula(one(rule("a")), band_by="rank", bands=(Band("A", max_rank=1), Band("B", max_rank=2), Band("C"))),
])
def test_formulas_that_hold(good):
    good.check()

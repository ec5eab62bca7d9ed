"""The certificate rules decide one sitting against one rule, as data (pure)."""
import pytest

from lms.certificates.rules import Rule, Sitting, decide, register_number, serial_for
from lms.exams.core.engine import PartScore

BASIC = Rule("basic", "basic", "basic", True, ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06"))
ADVANCED = Rule("advanced", "advanced", "advanced", True, (), ("IU07", "IU08", "IU09", "IU10", "IU14"), 3, "basic")
SIX = {code: (6.0, True) for code in BASIC.required_modules}


def parts(*scores):
    return tuple(PartScore(kind, score, 5.0, 10.0) for kind, score in zip(("theory", "practical"), scores))


@pytest.mark.parametrize("sitting, reason", [
    (Sitting("basic", parts(6.0, 7.5), SIX), "ok"),
    (Sitting("basic", parts(5.0, 5.0), SIX), "ok"),  # the pass mark itself passes
    (Sitting("basic", parts(4.99, 9.0), SIX), "part_not_passed"),
    (Sitting("basic", parts(9.0, 4.0), SIX), "part_not_passed"),
    (Sitting("basic", parts(9.0, None), SIX), "part_not_passed"),  # the practical not marked yet
    (Sitting("basic", parts(6.0, 6.0), SIX, released=False), "not_released"),
    (Sitting("advanced", parts(6.0, 6.0), SIX), "exam_kind"),
    (Sitting("basic", parts(6.0, 6.0), {code: SIX[code] for code in ("IU01", "IU02", "IU03", "IU04", "IU05")}), "module_missing"),
    # The basic pass is the parts' pass: a module scored below 5 within a passed exam still counts.
    (Sitting("basic", parts(6.0, 6.0), {**SIX, "IU06": (2.0, False)}), "ok"),
])
def test_the_basic_certificate_needs_an_exam_of_all_six_modules_with_both_parts_passed(sitting, reason):
    decision = decide(BASIC, sitting)
    assert decision.reason == reason
    assert decision.qualifies is (reason == "ok")
    if decision.qualifies:
        assert decision.modules == BASIC.required_modules


def test_the_advanced_certificate_needs_the_basic_one_and_names_its_three_passed_modules():
    modules = {"IU07": (7.0, True), "IU08": (5.5, True), "IU14": (6.0, True), "IU09": (3.0, False)}
    decision = decide(ADVANCED, Sitting("advanced", parts(6.0, 6.0), modules, held=frozenset({"basic"})))
    assert decision.qualifies and decision.modules == ("IU07", "IU08", "IU14")
    assert decide(ADVANCED, Sitting("advanced", parts(6.0, 6.0), modules)).reason == "prerequisite"
    two = {code: value for code, value in modules.items() if code != "IU14"}
    assert decide(ADVANCED, Sitting("advanced", parts(6.0, 6.0), two, held=frozenset({"basic"}))).reason == "too_few_modules"


def test_serial_and_register_number_follow_the_pattern():
    assert serial_for("CB{yy}{seq:06d}", "BASIC", 2026, 42) == "CB26000042"
    assert serial_for("{prefix}-{year}-{seq}", "NC", 2027, 7) == "NC-2027-7"
    assert register_number(2026, 42) == "0042/2026"

"""Blueprint checks against pool counts: structure, missing counts, overlapping quotas, advanced exams."""
import pytest

from lms.exams.core.blueprint_rules import (
    PRACTICAL,
    THEORY,
    PartRule,
    PoolCount,
    QuotaRule,
    check_blueprint,
    check_structure,
    default_advanced_parts,
    default_basic_parts,
)

BASIC = ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")
KNOWN = BASIC + ("IU07", "IU08", "IU09", "IU14")


def full_pools(per_module=8):
    theory = [PoolCount(module, f"{module}.1", "medium", per_module) for module in BASIC]
    practical = [PoolCount(module, "", "medium", 2) for module in ("IU03", "IU04", "IU05")]
    return {THEORY: theory, PRACTICAL: practical}


def test_default_basic_blueprint_is_30_questions_5_per_module_in_30_minutes_and_a_90_minute_practical():
    theory, practical = default_basic_parts()
    assert theory.question_count == 30 and theory.minutes == 30
    assert [(q.module, q.count) for q in theory.quotas] == [(m, 5) for m in BASIC]
    assert practical.minutes == 90
    assert theory.pass_mark == practical.pass_mark == 5 and theory.max_score == practical.max_score == 10


def test_default_blueprint_passes_on_a_sufficient_pool():
    assert check_blueprint(default_basic_parts(), full_pools(), KNOWN).ok


def test_a_short_module_is_reported_with_its_missing_count():
    pools = full_pools()
    pools[THEORY] = [entry for entry in pools[THEORY] if entry.module != "IU02"] + [PoolCount("IU02", "IU02.3", "easy", 3)]
    result = check_blueprint(default_basic_parts(), pools, KNOWN)
    assert not result.ok
    assert [(m.module, m.required, m.matching, m.missing) for m in result.missing] == [("IU02", 5, 3, 2)]
    assert result.messages == ["Phần lý thuyết – IU02: cần 5 câu, kho đề thi đã duyệt có 3 câu phù hợp, thiếu 2."]


def test_the_practical_part_is_checked_against_practical_tasks_only():
    pools = full_pools()
    pools[PRACTICAL] = [PoolCount("IU03", "", "medium", 1)]
    result = check_blueprint(default_basic_parts(), pools, KNOWN)
    assert sorted((m.part, m.module, m.missing) for m in result.missing) == [(PRACTICAL, "IU04", 1), (PRACTICAL, "IU05", 1)]


def test_syllabus_prefix_and_difficulty_narrow_a_quota():
    part = PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU04", "IU04.3", "hard"),))
    pool = {THEORY: [PoolCount("IU04", "IU04.3.1", "hard", 1), PoolCount("IU04", "IU04.30", "hard", 5), PoolCount("IU04", "IU04.3", "easy", 5)]}
    result = check_blueprint([part], pool, KNOWN)
    assert [(m.matching, m.missing) for m in result.missing] == [(1, 1)]
    assert "IU04 · IU04.3 · Khó" in result.messages[0]


def test_overlapping_quotas_are_satisfied_when_some_assignment_exists():
    # A greedy draw could give the only IU01.1 hard question to the "hard" quota and
    # leave "IU01.1" empty; the exact check finds the assignment that works.
    part = PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU01", None, "hard"), QuotaRule(1, "IU01", "IU01.1")))
    pool = {THEORY: [PoolCount("IU01", "IU01.1", "hard", 1), PoolCount("IU01", "IU01.1", "easy", 1), PoolCount("IU01", "IU01.2", "hard", 1)]}
    assert check_blueprint([part], pool, KNOWN).ok


def test_overlapping_quotas_share_the_questions_they_both_match():
    # 5 of the module plus 3 hard ones need 8 distinct questions; there are 4.
    part = PartRule(THEORY, THEORY, 30, (QuotaRule(5, "IU01"), QuotaRule(3, "IU01", None, "hard")))
    pool = {THEORY: [PoolCount("IU01", "IU01.1", "hard", 3), PoolCount("IU01", "IU01.2", "easy", 1)]}
    result = check_blueprint([part], pool, KNOWN)
    assert sum(m.missing for m in result.missing) == 4


def test_a_quota_whose_questions_went_to_another_says_so():
    part = PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU01", "IU01.1"), QuotaRule(2, "IU01", None, "hard")))
    pool = {THEORY: [PoolCount("IU01", "IU01.1", "hard", 2)]}
    result = check_blueprint([part], pool, KNOWN)
    assert sum(m.missing for m in result.missing) == 2
    assert all("đã dùng cho tiêu chí khác" in message for message in result.messages)


def test_empty_pool_groups_are_ignored():
    part = PartRule(THEORY, THEORY, 30, (QuotaRule(1, "IU06"),))
    result = check_blueprint([part], {THEORY: [PoolCount("IU06", "IU06.1", "easy", 0)]}, KNOWN)
    assert [(m.matching, m.missing) for m in result.missing] == [(0, 1)]


def test_advanced_quotas_are_checked_for_every_offered_module():
    parts = default_advanced_parts(per_module=10)
    pools = {
        THEORY: [PoolCount("IU07", "IU07.1", "medium", 12), PoolCount("IU08", "IU08.2", "medium", 4), PoolCount("IU14", "IU14.1", "hard", 10)],
        PRACTICAL: [PoolCount(m, "", "medium", 1) for m in ("IU07", "IU08", "IU14")],
    }
    result = check_blueprint(parts, pools, KNOWN, offered_modules=("IU07", "IU08", "IU14"))
    assert [(m.part, m.module, m.missing) for m in result.missing] == [(THEORY, "IU08", 6)]
    assert "IU08" in result.messages[0]


def test_advanced_quotas_overlapping_a_fixed_quota_of_the_same_module():
    parts = [PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU07"), QuotaRule(3, None)))]
    pools = {THEORY: [PoolCount("IU07", "IU07.1", "medium", 4), PoolCount("IU08", "", "medium", 3), PoolCount("IU09", "", "easy", 3)]}
    result = check_blueprint(parts, pools, KNOWN, offered_modules=("IU07", "IU08", "IU09"))
    # IU07 must serve 2 + 3 = 5 questions from 4.
    assert sum(m.missing for m in result.missing) == 1


@pytest.mark.parametrize(
    "parts, offered, expected",
    [
        ([], (), "ít nhất một phần thi"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(5, "IU01"),), pass_mark=11)], (), "điểm đạt phải nằm trong khoảng 0 – 10"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(5, "IU01"),), pass_mark=-1)], (), "điểm đạt"),
        ([PartRule(THEORY, THEORY, 0, (QuotaRule(5, "IU01"),))], (), "thời gian làm bài"),
        ([PartRule(THEORY, THEORY, 30, ())], (), "ít nhất một tiêu chí"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(0, "IU01"),))], (), "ít nhất 1 câu"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU01"), QuotaRule(3, "IU01")))], (), "bị lặp"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU01", "IU02.1"),))], (), "không thuộc mô đun IU01"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU01", None, "impossible"),))], (), "mức độ"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(2, "IU99"),))], (), "không có mô đun «IU99»"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(5, "IU01"),), question_count=30)], (), "khác số câu của đề (30)"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(5, None),))], (), "cần danh sách mô đun nâng cao"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(5, None),))], ("IU07", "IU08"), "ít nhất 3 mô đun"),
        ([PartRule(THEORY, "oral", 30, (QuotaRule(5, "IU01"),))], (), "loại phần thi"),
        ([PartRule(THEORY, THEORY, 30, (QuotaRule(5, "IU01"),)), PartRule(THEORY, THEORY, 30, (QuotaRule(5, "IU02"),))], (), "một lần"),
    ],
)
def test_structural_errors(parts, offered, expected):
    errors = check_structure(parts, KNOWN, offered)
    assert any(expected in error for error in errors), errors


def test_structural_errors_stop_before_the_pool_is_consulted():
    result = check_blueprint([PartRule(THEORY, THEORY, 0, (QuotaRule(5, "IU01"),))], {}, KNOWN)
    assert result.errors and not result.missing and not result.ok


def test_a_pass_mark_at_the_bounds_is_accepted():
    for mark in (0, 10):
        assert check_structure([PartRule(THEORY, THEORY, 30, (QuotaRule(5, "IU01"),), pass_mark=mark)], KNOWN) == []

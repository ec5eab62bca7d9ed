"""Item analysis on small fixed datasets whose figures were worked out by hand."""
import math

import pytest

from lms.exams.core.analysis import (
    FLAG_NEGATIVE,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    ItemResponse,
    analyse,
    flags_for,
    group_size,
    option_letter,
    option_rows,
    pearson,
)

# Four candidates, three one-point questions; every paper holds all three.
#            Q10 Q20 Q30  paper score
#   att 1     1   1   0      2/3
#   att 2     1   0   1      2/3
#   att 3     0   0   1      1/3
#   att 4     1   1   1      3/3
SCORES = {1: (1, 1, 0), 2: (1, 0, 1), 3: (0, 0, 1), 4: (1, 1, 1)}
OPTIONS = {1: ((2,), (0,), (1,)), 2: ((2,), (1,), ()), 3: ((3,), (1,), (0,)), 4: ((2,), (0,), (0,))}


def fixed_dataset():
    rows = []
    for attempt_id, marks in SCORES.items():
        for question_id, mark, options in zip((10, 20, 30), marks, OPTIONS[attempt_id]):
            rows.append(ItemResponse(attempt_id, question_id, float(mark), 1.0, options))
    return rows


@pytest.fixture()
def stats():
    return analyse(fixed_dataset())


def test_facility_is_the_mean_fraction_scored(stats):
    assert stats[10].facility == 0.75
    assert stats[20].facility == 0.5
    assert stats[30].facility == 0.75


def test_point_biserial_correlates_the_item_with_the_rest_of_the_paper(stats):
    # Q10: item [1,1,0,1], rest score (out of 2) [.5,.5,.5,1]: sxy=.125, sxx=.75, syy=.1875 → 1/3
    assert stats[10].point_biserial == pytest.approx(1 / 3, abs=1e-4)
    # Q20: item [1,0,0,1], rest [.5,1,.5,1]: sxy = 0
    assert stats[20].point_biserial == 0.0
    # Q30: item [0,1,1,1], rest [1,.5,0,1]: sxy=-.375, sxx=.75, syy=.6875
    assert stats[30].point_biserial == pytest.approx(-0.375 / math.sqrt(0.75 * 0.6875), abs=1e-4)


def test_upper_lower_uses_the_top_and_bottom_27_percent(stats):
    # n=4 → groups of round(1.08)=1: lower = attempt 3 (1/3), upper = attempt 4 (3/3)
    assert stats[10].group_size == 1
    assert stats[10].upper_lower == 1.0
    assert stats[20].upper_lower == 1.0
    assert stats[30].upper_lower == 0.0


def test_option_counts_and_blanks(stats):
    assert stats[10].option_counts == {2: 3, 3: 1}
    assert stats[10].blank == 0
    assert stats[30].option_counts == {0: 2, 1: 1}
    assert stats[30].blank == 1


def test_negative_discrimination_flags_the_question_as_doubtful(stats):
    assert stats[30].flags == (FLAG_NEGATIVE,)
    assert stats[30].doubtful
    assert stats[10].flags == ()
    assert not stats[20].doubtful
    assert stats[30].flag_labels == ("Độ phân biệt âm",)


@pytest.mark.parametrize(
    "facility, point_biserial, upper_lower, expected",
    [
        (0.5, 0.3, 0.2, ()),
        (0.5, -0.01, 0.2, (FLAG_NEGATIVE,)),
        (0.5, 0.3, -0.5, (FLAG_NEGATIVE,)),
        (0.5, None, None, ()),
        (0.2, 0.1, 0.1, ()),  # the border itself is not doubtful
        (0.1999, 0.1, 0.1, (FLAG_TOO_HARD,)),
        (0.95, 0.1, 0.1, ()),
        (0.9501, 0.1, 0.1, (FLAG_TOO_EASY,)),
        (0.1, -0.2, -0.1, (FLAG_NEGATIVE, FLAG_TOO_HARD)),
        (None, None, None, ()),
    ],
)
def test_flags_at_and_around_each_threshold(facility, point_biserial, upper_lower, expected):
    assert flags_for(facility, point_biserial, upper_lower) == expected


@pytest.mark.parametrize(
    "count, expected",
    [(0, 0), (1, 0), (2, 1), (3, 1), (4, 1), (5, 1), (7, 2), (10, 3), (11, 3), (100, 27), (370, 100)],
)
def test_group_size_is_27_percent_rounded_at_least_one(count, expected):
    assert group_size(count) == expected


def test_a_question_everybody_answered_right_is_too_easy_and_has_no_correlation():
    rows = [ItemResponse(a, 1, 1.0, 1.0, (0,)) for a in (1, 2, 3)] + [ItemResponse(a, 2, float(a == 1), 1.0, (0,)) for a in (1, 2, 3)]
    stats = analyse(rows)
    assert stats[1].facility == 1.0
    assert stats[1].point_biserial is None  # the item does not vary
    assert stats[1].flags == (FLAG_TOO_EASY,)


def test_a_question_nobody_answered_is_too_hard_and_all_blank():
    rows = [ItemResponse(a, 5, None, 1.0, ()) for a in (1, 2, 3)]
    stats = analyse(rows)[5]
    assert stats.facility == 0.0
    assert stats.blank == 3
    assert stats.option_counts == {}
    assert stats.flags == (FLAG_TOO_HARD,)


def test_ties_at_the_group_border_are_broken_by_attempt_id_whatever_the_row_order():
    # Every paper scores 1/2, so the ranking is by attempt id: lower = 1, upper = 4.
    rows = [
        ItemResponse(1, 7, 0.0), ItemResponse(1, 8, 1.0),
        ItemResponse(2, 7, 1.0), ItemResponse(2, 8, 0.0),
        ItemResponse(3, 7, 0.0), ItemResponse(3, 8, 1.0),
        ItemResponse(4, 7, 1.0), ItemResponse(4, 8, 0.0),
    ]
    forward = analyse(rows)
    backward = analyse(list(reversed(rows)))
    assert forward[7].upper_lower == backward[7].upper_lower == 1.0
    assert forward[8].upper_lower == -1.0


def test_question_points_weigh_the_paper_score():
    # Attempt 1 scores the 3-point question, attempt 2 only the 1-point one: attempt 1 ranks above.
    rows = [
        ItemResponse(1, 1, 1.0, 3.0, (0,)), ItemResponse(1, 2, 0.0, 1.0, (1,)),
        ItemResponse(2, 1, 0.0, 3.0, (1,)), ItemResponse(2, 2, 1.0, 1.0, (0,)),
    ]
    stats = analyse(rows)
    assert stats[1].upper_lower == 1.0
    assert stats[2].upper_lower == -1.0


def test_partial_credit_counts_as_a_fraction():
    rows = [ItemResponse(1, 3, 0.5), ItemResponse(2, 3, 1.0), ItemResponse(3, 3, 0.0), ItemResponse(4, 3, 0.5)]
    assert analyse(rows)[3].facility == 0.5


def test_each_question_is_analysed_over_the_attempts_that_drew_it():
    rows = fixed_dataset() + [ItemResponse(5, 99, 1.0), ItemResponse(5, 10, 1.0)]
    stats = analyse(rows)
    assert stats[99].responses == 1
    assert stats[99].point_biserial is None and stats[99].upper_lower is None
    assert stats[10].responses == 5
    assert stats[20].responses == 4


@pytest.mark.parametrize(
    "xs, ys, expected",
    [
        ([1, 2, 3], [2, 4, 6], 1.0),
        ([1, 2, 3], [3, 2, 1], -1.0),
        ([1, 1, 1], [1, 2, 3], None),
        ([1], [1], None),
    ],
)
def test_pearson(xs, ys, expected):
    result = pearson(xs, ys)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_options_are_lettered_like_the_candidates_page():
    assert [option_letter(index) for index in (0, 1, 3, 25, 26, 27)] == ["A", "B", "D", "Z", "AA", "AB"]


def test_option_rows_name_every_option_with_its_count_and_share(stats):
    options = [(index, option_letter(index), f"Lựa chọn {index}", index == 2) for index in range(4)]
    rows = option_rows(stats[10], options)  # Q10: three chose C (index 2), one chose D
    assert [(row.label, row.text, row.count, row.share, row.correct) for row in rows] == [
        ("A", "Lựa chọn 0", 0, 0.0, False), ("B", "Lựa chọn 1", 0, 0.0, False),
        ("C", "Lựa chọn 2", 3, 0.75, True), ("D", "Lựa chọn 3", 1, 0.25, False)]


def test_an_option_the_listed_options_do_not_name_still_shows_by_its_letter(stats):
    rows = option_rows(stats[10], [(2, "C", "Lựa chọn 2", True)])  # an older version had a fourth option
    assert [(row.label, row.count) for row in rows] == [("C", 3), ("D", 1)]

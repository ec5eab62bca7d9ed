"""The maximum assignment behind blueprint checks and crossing quotas."""
import pytest

from lms.exams.core.flow import filled, max_flow_assignment


@pytest.mark.parametrize(
    "demands, edges, supplies, expected",
    [
        ([2, 3], [[0], [1]], [5, 5], [2, 3]),  # separate groups: everyone served
        ([2, 3], [[0], [0]], [4], [2, 2]),  # one shared group of 4: 5 asked, 4 given (the order decides who waits)
        ([2, 2], [[0, 1], [0]], [2, 2], [2, 2]),  # the first quota must leave group 0 to the second
        ([3], [[]], [], [0]),  # nothing matches
        ([0, 1], [[0], [0]], [1], [0, 1]),
    ],
)
def test_filled_is_the_largest_total_a_pool_can_give(demands, edges, supplies, expected):
    assert filled(demands, edges, supplies) == expected


def test_the_assignment_respects_every_capacity_and_edge():
    demands, edges, supplies = [3, 2, 2], [[0, 1, 2], [1], [2, 3]], [1, 1, 2, 1]
    assignment = max_flow_assignment(demands, edges, supplies)
    assert sum(sum(taken.values()) for taken in assignment) == 5  # the four groups hold five questions
    for demand, allowed, taken in zip(demands, edges, assignment):
        assert set(taken) <= set(allowed) and sum(taken.values()) <= demand
    for j, supply in enumerate(supplies):
        assert sum(taken.get(j, 0) for taken in assignment) <= supply


def test_groups_are_preferred_in_their_order():
    # Unit groups and one quota: the first groups in order are taken, so a caller that
    # shuffles the groups draws at random.
    assert max_flow_assignment([2], [[0, 1, 2, 3]], [1, 1, 1, 1]) == [{0: 1, 1: 1}]

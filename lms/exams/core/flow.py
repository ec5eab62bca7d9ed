"""Filling quotas from a pool when quotas may overlap: a maximum flow (Edmonds–Karp).

Quota i asks for demands[i] questions; pool group j holds supplies[j] of them; quota i
may take from group j when j is in edges[i]; a question serves one quota only. Blueprint
checks call it with groups of counted questions, the paper draw (in the rare case where
quotas cross) with one group per question. Pure Python.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Sequence


def max_flow_assignment(demands: Sequence[int], edges: Sequence[Sequence[int]], supplies: Sequence[int]) -> list:
    """A maximum assignment as [{group j: how many quota i takes from it}] per quota.

    Breadth-first augmenting paths visit groups in index order, so a caller that orders
    the groups at random gets a random maximum assignment, and the same order gives the
    same assignment.
    """
    quota_count, group_count = len(demands), len(supplies)
    source, sink = 0, 1 + quota_count + group_count
    capacity: dict = {}
    neighbours: list = [[] for _ in range(sink + 1)]

    def add(u, v, amount):
        if (u, v) not in capacity:
            neighbours[u].append(v)
            neighbours[v].append(u)
            capacity[(v, u)] = 0
        capacity[(u, v)] = amount

    for i, demand in enumerate(demands):
        add(source, 1 + i, demand)
        for j in edges[i]:
            add(1 + i, 1 + quota_count + j, demand)
    for j, supply in enumerate(supplies):
        add(1 + quota_count + j, sink, supply)
    for listed in neighbours:
        listed.sort()

    while True:
        parent = {source: None}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v in neighbours[u]:
                if v not in parent and capacity[(u, v)] > 0:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            break
        path, v = [], sink
        while parent[v] is not None:
            path.append((parent[v], v))
            v = parent[v]
        bottleneck = min(capacity[edge] for edge in path)
        for u, v in path:
            capacity[(u, v)] -= bottleneck
            capacity[(v, u)] += bottleneck

    # The flow on quota i → group j is what the reverse edge has accumulated.
    return [{j: capacity[(1 + quota_count + j, 1 + i)] for j in edges[i] if capacity[(1 + quota_count + j, 1 + i)] > 0}
            for i in range(quota_count)]


def filled(demands: Sequence[int], edges: Sequence[Sequence[int]], supplies: Sequence[int]) -> list:
    """How many questions each quota gets in a maximum assignment."""
    return [sum(taken.values()) for taken in max_flow_assignment(demands, edges, supplies)]

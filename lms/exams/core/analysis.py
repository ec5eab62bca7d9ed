"""Item analysis of an exam session: pure Python, no Flask and no SQLAlchemy.

Fed with one row per (attempt, question of its paper); returns per question:

- facility index: the mean score on the question as a fraction of its points (0–1);
- discrimination by point-biserial: the Pearson correlation between the score on the
  question and the candidate's score on the REST of the paper (the question itself
  removed, so that it does not correlate with itself; Moodle's "discrimination index");
- discrimination by upper/lower groups: candidates ranked by their whole-paper score,
  the top and bottom 27% (at least one each), D = mean fraction in the upper group −
  mean fraction in the lower group. Ties at a group border are broken by attempt id so
  that the figure never depends on the order rows arrive in;
- how often each option was chosen (and how many left the question blank), named by the
  option's letter and text (`option_rows`);
- flags: negative discrimination (by either index), facility < 0.2 (too hard) or
  > 0.95 (too easy).

Papers are drawn at random, so each question is analysed over the attempts that had
it; a candidate's paper score is taken as a fraction of the paper's points so that
papers of different sizes compare.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Hashable, Optional

from lms.messages import N_

GROUP_SHARE = 0.27
TOO_HARD = 0.2
TOO_EASY = 0.95

FLAG_NEGATIVE = "negative_discrimination"
FLAG_TOO_HARD = "too_hard"
FLAG_TOO_EASY = "too_easy"
FLAG_LABELS = {
    FLAG_NEGATIVE: N_("Độ phân biệt âm"),
    FLAG_TOO_HARD: N_("Quá khó (độ khó < 0,2)"),
    FLAG_TOO_EASY: N_("Quá dễ (độ khó > 0,95)"),
}


@dataclass(frozen=True)
class ItemResponse:
    """One question of one attempt's paper, as graded."""

    attempt_id: int
    question_id: int
    fraction: Optional[float]  # 0–1 of the question's points; None = not graded / blank
    points: float = 1.0
    options: tuple = ()  # the option keys chosen (original order indexes, "true"/"false" …); () = blank


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    responses: int
    facility: Optional[float]
    point_biserial: Optional[float]
    upper_lower: Optional[float]
    group_size: int
    option_counts: Mapping[Hashable, int] = field(default_factory=dict)
    blank: int = 0
    flags: tuple = ()

    @property
    def doubtful(self) -> bool:
        return bool(self.flags)

    @property
    def flag_labels(self) -> tuple:
        return tuple(FLAG_LABELS[flag] for flag in self.flags)


def pearson(xs, ys) -> Optional[float]:
    """The correlation of two equally long sequences; None when either does not vary."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    return sxy / math.sqrt(sxx * syy)


def group_size(count: int, share: float = GROUP_SHARE) -> int:
    """Size of the upper and the lower group: round(27% of n), at least 1, at most n // 2."""
    if count < 2:
        return 0
    return max(1, min(count // 2, int(math.floor(count * share + 0.5))))


def flags_for(facility: Optional[float], point_biserial: Optional[float], upper_lower: Optional[float]) -> tuple:
    flags = []
    if (point_biserial is not None and point_biserial < 0) or (upper_lower is not None and upper_lower < 0):
        flags.append(FLAG_NEGATIVE)
    if facility is not None and facility < TOO_HARD:
        flags.append(FLAG_TOO_HARD)
    if facility is not None and facility > TOO_EASY:
        flags.append(FLAG_TOO_EASY)
    return tuple(flags)


def analyse(responses: Iterable[ItemResponse], share: float = GROUP_SHARE) -> dict:
    """{question id: ItemStats} for every question that appears in `responses`."""
    rows = list(responses)
    earned: dict = defaultdict(float)
    possible: dict = defaultdict(float)
    for row in rows:
        earned[row.attempt_id] += (row.fraction or 0.0) * row.points
        possible[row.attempt_id] += row.points
    by_question: dict = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    return {question_id: item_stats(question_id, items, earned, possible, share) for question_id, items in sorted(by_question.items())}


def item_stats(question_id, items, earned: Mapping, possible: Mapping, share: float = GROUP_SHARE) -> ItemStats:
    """The statistics of one question from its rows (`items`, one per attempt that had it) and
    each of those attempts' whole-paper points (`earned`, `possible` by attempt id)."""
    items = sorted(items, key=lambda row: row.attempt_id)
    fractions = [row.fraction or 0.0 for row in items]
    count = len(items)
    facility = sum(fractions) / count if count else None

    rest = []
    for row, fraction in zip(items, fractions):
        rest_possible = possible[row.attempt_id] - row.points
        rest_earned = earned[row.attempt_id] - fraction * row.points
        rest.append(rest_earned / rest_possible if rest_possible > 0 else 0.0)
    point_biserial = pearson(fractions, rest)

    size = group_size(count, share)
    upper_lower = None
    if size:
        ranked = sorted(
            zip(items, fractions),
            key=lambda pair: (earned[pair[0].attempt_id] / possible[pair[0].attempt_id] if possible[pair[0].attempt_id] else 0.0, pair[0].attempt_id),
        )
        lower = [fraction for _, fraction in ranked[:size]]
        upper = [fraction for _, fraction in ranked[-size:]]
        upper_lower = sum(upper) / size - sum(lower) / size

    options: Counter = Counter()
    blank = 0
    for row in items:
        if row.options:
            options.update(row.options)
        else:
            blank += 1
    return ItemStats(
        question_id=question_id,
        responses=count,
        facility=_round(facility),
        point_biserial=_round(point_biserial),
        upper_lower=_round(upper_lower),
        group_size=size,
        option_counts=dict(sorted(options.items(), key=lambda pair: str(pair[0]))),
        blank=blank,
        flags=flags_for(facility, point_biserial, upper_lower),
    )


@dataclass(frozen=True)
class OptionRow:
    """One option of a question as item analysis shows it: named by its letter and text."""

    key: Hashable
    label: str  # "A", "B" … for a choice; the value's name otherwise ("Đúng", "Sai")
    text: str
    count: int
    share: Optional[float]  # of the responses (0–1)
    correct: bool = False


def option_letter(index: int) -> str:
    """A, B, … Z, then AA, AB … (the letters a candidate reads beside the options)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def option_rows(stats: ItemStats, options: Iterable[tuple]) -> list:
    """The counts of `stats` against the question's options [(key, label, text, correct)], in
    the question's own order, options nobody chose included; a key chosen that the options
    do not name (an option of an older version) follows under its own name."""
    counts = dict(stats.option_counts)
    rows = []
    for key, label, text, correct in options:
        count = counts.pop(key, 0)
        rows.append(OptionRow(key, label, text, count, _share(count, stats.responses), bool(correct)))
    for key, count in counts.items():
        rows.append(OptionRow(key, option_letter(key) if isinstance(key, int) else str(key), "", count, _share(count, stats.responses)))
    return rows


def _share(count: int, responses: int) -> Optional[float]:
    return round(count / responses, 4) if responses else None


def _round(value: Optional[float], digits: int = 4) -> Optional[float]:
    return None if value is None else round(value, digits)

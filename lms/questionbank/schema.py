"""The format-independent shape of a question, shared by the importers, the database
(QuestionVersion.data holds `QuestionData.to_dict()`), the type registry and the exams.

Pure Python: no Flask, no SQLAlchemy.

Responses, as the exam and practice pages send them and the type registry grades them
(choice and pair indexes refer to the ORIGINAL order of `choices`/`pairs`; the
shuffled order a candidate saw is stored separately with the attempt):
- single_choice:      {"choice": int}
- multiple_response:  {"choices": [int, ...]}
- true_false:         {"value": bool}
- matching:           {"pairs": {"<left index>": <right index>, ...}}
- short_answer:       {"text": str}
- numeric:            {"value": number or str}
- practical:          {"upload_id": int}   (graded by a person against the rubric)

Graded answers, as Moodle keeps them (lms.questionbank.graded_answers):
- short_answer `answers`: each a text worth 100 %, or {"text", "fraction", "feedback"}
  for partial credit or a per-answer feedback; `*` is Moodle's wildcard.
- numeric: `answer` ± `tolerance` is the 100 % answer; `answers` holds the further ones,
  {"value" (None: any other answer), "tolerance", "fraction", "feedback"}.
- `correct_feedback` / `incorrect_feedback`: shown when a response earns full marks /
  nothing (true/false feedback, the feedback of numeric's main and "any other" answers,
  Moodle's combined feedback).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Optional

from lms.text import nfc  # noqa: F401  (the formats and types import it from here)

TYPES = ("single_choice", "multiple_response", "true_false", "matching", "short_answer", "numeric", "practical")
DIFFICULTIES = ("easy", "medium", "hard")
POOLS = ("exam", "practice")
STATUSES = ("draft", "review", "approved", "retired")
TEXT_FORMATS = ("markdown", "html", "plain")


@dataclass
class Choice:
    text: str
    correct: bool = False
    feedback: str = ""
    # Moodle/GIFT weight in [-1, 1]; None means "derived from `correct`".
    fraction: Optional[float] = None


@dataclass
class QuestionData:
    key: str
    type: str
    text: str
    module: Optional[str] = None  # IU01 … IU15
    syllabus: Optional[str] = None  # IU04.3.1
    difficulty: str = "medium"
    pool: str = "exam"
    status: str = "approved"
    tags: list = field(default_factory=list)
    title: str = ""
    text_format: str = "markdown"
    explanation: str = ""
    points: float = 1.0
    category: str = ""  # GIFT $CATEGORY / Moodle category path, kept for round trips
    # single_choice, multiple_response
    choices: list = field(default_factory=list)  # list[Choice]
    shuffle: bool = True
    # true_false (bool) and numeric (float)
    answer: Any = None
    tolerance: float = 0.0
    # short_answer: accepted answers; numeric: the further graded answers (see above)
    answers: list = field(default_factory=list)
    case_sensitive: bool = False
    # matching: [[left, right], ...]
    pairs: list = field(default_factory=list)
    # practical: [{"criterion": str, "points": float}], accepted extensions
    rubric: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    # auto-graded types: feedback for a response worth full marks / nothing
    correct_feedback: str = ""
    incorrect_feedback: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["pairs"] = [list(pair) for pair in self.pairs]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "QuestionData":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["choices"] = [c if isinstance(c, Choice) else Choice(**c) for c in values.get("choices", [])]
        values["pairs"] = [list(p) for p in values.get("pairs", [])]
        return cls(**values)

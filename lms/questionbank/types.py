"""The question types: one strategy class per type (see type_base.QuestionType), in a
registry keyed by type name. Pure Python: no Flask, no SQLAlchemy. Response shapes: see
lms.questionbank.schema. Problems are Messages (Vietnamese strings that keep their
template) for the page to translate.
"""
from __future__ import annotations

from lms.messages import N_, Message
from lms.questionbank import markup
from lms.questionbank.responses import ResponseError, normalize_text, parse_number, permutation, response_index
from lms.questionbank.schema import QuestionData, nfc
from lms.questionbank.type_base import QuestionType, answer_field
from lms.questionbank.types_answers import Numeric, ShortAnswer

__all__ = ["PRACTICAL_EXTENSIONS", "ResponseError", "QuestionType", "Numeric", "ShortAnswer", "all_types", "get_type", "normalize_text",
           "parse_number", "validate_question"]

PRACTICAL_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".pdf", ".zip")
_EPSILON = 1e-9
# What a response names in its messages (Message values, translated with them).
OPTION, LEFT_SIDE, RIGHT_SIDE = Message(N_("Phương án")), Message(N_("Vế trái")), Message(N_("Vế phải"))


class _ChoiceType(QuestionType):
    def validate_specific(self, q):
        problems = []
        texts = [normalize_text(c.text) for c in q.choices]
        if len(q.choices) < 2:
            problems.append(Message(N_("Cần ít nhất 2 phương án.")))
        if any(not t for t in texts):
            problems.append(Message(N_("Có phương án để trống.")))
        if len(set(texts)) != len(texts):
            problems.append(Message(N_("Có hai phương án trùng nhau.")))
        for number, choice in enumerate(q.choices, start=1):
            if choice.fraction is not None and not -1 - _EPSILON <= choice.fraction <= 1 + _EPSILON:
                problems.append(Message(N_("Trọng số của phương án %(number)d phải trong khoảng -100%% … 100%%."), number=number))
        return problems

    def presentation_order(self, q, rng):
        order = list(range(len(q.choices)))
        if q.shuffle:
            rng.shuffle(order)
        return {"choices": order}

    def candidate_view(self, q, order=None):
        view = super().candidate_view(q, order)
        view["choices"] = [{"index": i, "text": q.choices[i].text, "html": markup.render_inline(q.choices[i].text, q.text_format)}
                           for i in permutation(order, "choices", len(q.choices))]
        return view

    # map_options(response, convert), each subclass's: the response with each option value
    # converted, any other shape unchanged.
    def shown_to_stored(self, q, order, raw):
        shown = permutation(order, "choices", len(q.choices))
        return self.map_options(raw, lambda value: shown[response_index(value, len(shown), OPTION)])

    def stored_to_shown(self, q, order, response):
        position = {index: place for place, index in enumerate(permutation(order, "choices", len(q.choices)))}
        return self.map_options(response, position.__getitem__)

    def describe_response(self, q, response, inline, gettext):
        chosen = [response["choice"]] if "choice" in response else response.get("choices", [])
        return [inline(q.choices[i].text) for i in chosen]

    def answer_feedback(self, q, response):
        chosen = [response["choice"]] if "choice" in response else response.get("choices", [])
        return [q.choices[i].feedback for i in chosen]


class SingleChoice(_ChoiceType):
    name = "single_choice"
    label = N_("Một lựa chọn đúng")
    page_response = {"choice": 2}

    def validate_specific(self, q):
        problems = super().validate_specific(q)
        if sum(1 for c in q.choices if c.correct) != 1:
            problems.append(Message(N_("Câu một lựa chọn phải có đúng một phương án đúng.")))
        return problems

    def normalize_answer(self, q, raw):
        if "choice" not in raw or raw["choice"] in (None, ""):
            return {}
        return {"choice": response_index(raw["choice"], len(q.choices), OPTION)}

    def score(self, q, response):
        choice = q.choices[response["choice"]]
        return choice.fraction if choice.fraction is not None else (1.0 if choice.correct else 0.0)

    def correct_response(self, q):
        return {"choice": next(i for i, c in enumerate(q.choices) if c.correct)}

    def form_response(self, form):
        return {"choice": form.get("choice")}

    def option_keys(self, response):
        return (response["choice"],) if response else ()

    def map_options(self, response, convert):
        if not isinstance(response, dict) or response.get("choice") in (None, ""):
            return response
        return {**response, "choice": convert(response["choice"])}


class MultipleResponse(_ChoiceType):
    name = "multiple_response"
    label = N_("Nhiều lựa chọn đúng")
    page_response = {"choices": [0, 2]}

    def validate_specific(self, q):
        problems = super().validate_specific(q)
        correct = sum(1 for c in q.choices if c.correct)
        if correct < 2:
            problems.append(Message(N_("Câu nhiều lựa chọn phải có ít nhất 2 phương án đúng.")))
        if correct == len(q.choices) and q.choices:
            problems.append(Message(N_("Câu nhiều lựa chọn cần ít nhất một phương án sai.")))
        if any(c.fraction is not None for c in q.choices):
            positive = sum(max(0.0, self.weight(q, c)) for c in q.choices)
            if abs(positive - 1.0) > 1e-4:
                problems.append(Message(N_("Tổng trọng số các phương án đúng phải bằng 100%.")))
        return problems

    @staticmethod
    def weight(q, choice) -> float:
        """Explicit Moodle/GIFT weight, else +1/k for a correct choice and −1/k for a wrong one."""
        if choice.fraction is not None:
            return choice.fraction
        k = sum(1 for c in q.choices if c.correct) or 1
        return 1.0 / k if choice.correct else -1.0 / k

    def normalize_answer(self, q, raw):
        chosen = answer_field(raw, "choices", list, N_("Danh sách phương án không hợp lệ."))
        indexes = sorted({response_index(value, len(q.choices), OPTION) for value in chosen or ()})
        return {"choices": indexes} if indexes else {}

    def score(self, q, response):
        return sum(self.weight(q, q.choices[i]) for i in response["choices"])

    def correct_response(self, q):
        return {"choices": [i for i, c in enumerate(q.choices) if c.correct]}

    def form_response(self, form):
        return {"choices": form.getlist("choices")}

    def option_keys(self, response):
        return tuple(sorted(response["choices"])) if response else ()

    def map_options(self, response, convert):
        if not isinstance(response, dict) or not isinstance(response.get("choices"), list):
            return response
        return {**response, "choices": sorted(convert(value) for value in response["choices"])}


class TrueFalse(QuestionType):
    name = "true_false"
    label = N_("Đúng/Sai")
    page_response = {"value": False}

    def validate_specific(self, q):
        return [] if isinstance(q.answer, bool) else [Message(N_("Câu Đúng/Sai cần đáp án true hoặc false."))]

    def normalize_answer(self, q, raw):
        value = raw.get("value")
        if value is None or value == "":
            return {}
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise ResponseError(N_("Câu trả lời phải là Đúng hoặc Sai."))
        return {"value": value}

    def score(self, q, response):
        return 1.0 if response["value"] == q.answer else 0.0

    def correct_response(self, q):
        return {"value": q.answer}

    def form_response(self, form):
        return {"value": form.get("value")}

    def option_keys(self, response):
        return ("true" if response["value"] else "false",) if response else ()

    def describe_response(self, q, response, inline, gettext):
        return [gettext("Đúng") if response["value"] else gettext("Sai")]


class Matching(QuestionType):
    name = "matching"
    label = N_("Ghép cặp")
    page_response = {"pairs": {"0": 1, "1": 0}}

    def validate_specific(self, q):
        problems = []
        if any(not isinstance(p, (list, tuple)) or len(p) != 2 for p in q.pairs):
            return [Message(N_("Mỗi cặp ghép phải gồm đúng hai vế [trái, phải]."))]
        lefts = [normalize_text(left) for left, _ in q.pairs if normalize_text(left)]
        if len(q.pairs) < 3 or len(lefts) < 2:
            problems.append(Message(N_("Câu ghép cặp cần ít nhất 3 cặp.")))
        if any(not normalize_text(right) for _, right in q.pairs):
            problems.append(Message(N_("Có vế phải để trống.")))
        if len(set(lefts)) != len(lefts):
            problems.append(Message(N_("Có hai vế trái trùng nhau.")))
        return problems

    @staticmethod
    def _lefts(q) -> list:
        # A pair with an empty left is an extra distractor on the right (as in Moodle).
        return [i for i, (left, _) in enumerate(q.pairs) if nfc(left).strip()]

    @staticmethod
    def _first_with_right(q, index: int) -> int:
        right = normalize_text(q.pairs[index][1], True)
        return next(i for i, (_, r) in enumerate(q.pairs) if normalize_text(r, True) == right)

    def presentation_order(self, q, rng):
        lefts = self._lefts(q)
        if q.shuffle:
            rng.shuffle(lefts)
        rights = list(range(len(q.pairs)))
        rng.shuffle(rights)  # always: rights in the lefts' order would give the answer away
        return {"lefts": lefts, "rights": rights}

    def _shown_sides(self, q, order):
        """The pairs' indexes of the lefts and of the rights in the order the candidate sees them."""
        lefts = (order or {}).get("lefts") or self._lefts(q)
        if sorted(lefts) != self._lefts(q):
            raise ValueError("presentation order 'lefts' does not match the question's left items")
        # Equal right texts are shown once, under the index of their first pair.
        rights = [i for i in permutation(order, "rights", len(q.pairs)) if self._first_with_right(q, i) == i]
        return lefts, rights

    def candidate_view(self, q, order=None):
        view = super().candidate_view(q, order)
        lefts, rights = self._shown_sides(q, order)
        view["lefts"] = [{"index": i, "text": q.pairs[i][0], "html": markup.render_inline(q.pairs[i][0], q.text_format)} for i in lefts]
        view["rights"] = [{"index": i, "text": q.pairs[i][1], "html": markup.render_inline(q.pairs[i][1], q.text_format)} for i in rights]
        return view

    def shown_to_stored(self, q, order, raw):
        if not isinstance(raw, dict) or not isinstance(raw.get("pairs"), dict):
            return raw
        lefts, rights = self._shown_sides(q, order)
        return {**raw, "pairs": {str(lefts[response_index(left, len(lefts), LEFT_SIDE)]): rights[response_index(right, len(rights), RIGHT_SIDE)]
                                 for left, right in raw["pairs"].items() if right not in (None, "")}}

    def stored_to_shown(self, q, order, response):
        if not isinstance(response, dict) or not isinstance(response.get("pairs"), dict):
            return response
        lefts, rights = self._shown_sides(q, order)
        left_place = {index: place for place, index in enumerate(lefts)}
        right_place = {index: place for place, index in enumerate(rights)}
        return {**response, "pairs": {str(left_place[int(left)]): right_place[self._first_with_right(q, right)]
                                      for left, right in response["pairs"].items()}}

    def normalize_answer(self, q, raw):
        pairs = answer_field(raw, "pairs", dict, N_("Các cặp ghép không đúng định dạng.")) or {}
        lefts = set(self._lefts(q))
        result = {}
        for left, right in pairs.items():
            if right is None or right == "":
                continue
            left_index = response_index(left, len(q.pairs), LEFT_SIDE)
            if left_index not in lefts:
                raise ResponseError(N_("%(what)s nằm ngoài phạm vi."), what=LEFT_SIDE)
            result[str(left_index)] = response_index(right, len(q.pairs), RIGHT_SIDE)
        return {"pairs": result} if result else {}

    def score(self, q, response):
        lefts = self._lefts(q)
        right_text = [normalize_text(r, True) for _, r in q.pairs]
        matched = sum(1 for left, right in response["pairs"].items() if right_text[right] == right_text[int(left)])
        return matched / len(lefts)

    def correct_response(self, q):
        return {"pairs": {str(i): self._first_with_right(q, i) for i in self._lefts(q)}}

    def form_response(self, form):
        return {"pairs": {key[len("pair-"):]: value for key, value in form.items() if key.startswith("pair-")}}

    def describe_response(self, q, response, inline, gettext):
        return [f"{inline(q.pairs[int(left)][0])} → {inline(q.pairs[right][1])}" for left, right in response["pairs"].items()]


class Practical(QuestionType):
    name = "practical"
    label = N_("Thực hành (nộp tệp)")
    auto_graded = False

    def validate_specific(self, q):
        problems = []
        if not q.rubric:
            problems.append(Message(N_("Bài thực hành cần thang chấm (rubric).")))
        for number, item in enumerate(q.rubric, start=1):
            if not isinstance(item, dict) or not nfc(str(item.get("criterion", ""))).strip():
                problems.append(Message(N_("Tiêu chí chấm %(number)d thiếu nội dung."), number=number))
            elif isinstance(item.get("points"), bool) or not isinstance(item.get("points"), (int, float)) or not item["points"] > 0:
                problems.append(Message(N_("Tiêu chí chấm %(number)d cần số điểm dương."), number=number))
        unknown = [e for e in q.extensions if e not in PRACTICAL_EXTENSIONS]
        if unknown:
            problems.append(Message(N_("Loại tệp không được nhận: %(types)s."), types=", ".join(map(str, unknown))))
        return problems

    def candidate_view(self, q, order=None):
        view = super().candidate_view(q, order)
        view["extensions"] = list(q.extensions or PRACTICAL_EXTENSIONS)
        return view

    def normalize_answer(self, q, raw):
        upload = raw.get("upload_id")
        if upload is None:
            return {}
        if isinstance(upload, bool) or not isinstance(upload, int) or upload <= 0:
            raise ResponseError(N_("Tệp nộp không hợp lệ."))
        return {"upload_id": upload}

    def grade(self, q, response):
        self.normalize_response(q, response)
        return None  # a person grades it against the rubric


_REGISTRY = {t.name: t for t in (SingleChoice(), MultipleResponse(), TrueFalse(), Matching(), ShortAnswer(), Numeric(), Practical())}


def shown_images(q: QuestionData) -> set:
    """Ids of the stored images a paper shows of the question: those of what the candidate
    sees (`candidate_view`), never its key, feedback, rubric or any field added later."""
    return markup.question_data_images(get_type(q.type).candidate_view(q))


def get_type(name: str) -> QuestionType:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown question type {name!r}") from None


def all_types() -> list:
    return list(_REGISTRY.values())


def validate_question(q: QuestionData) -> list:
    """Problems with a question (Messages, in Vietnamese); an unknown type is one of them."""
    if q.type not in _REGISTRY:
        return [Message(N_("Loại câu hỏi không hợp lệ: %(value)r."), value=q.type)]
    return get_type(q.type).validate(q)

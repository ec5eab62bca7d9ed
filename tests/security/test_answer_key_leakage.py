"""Answer-key leakage: nothing a candidate's browser receives before the review policy
allows tells the key — not the options' values, not a script, not a JSON answer — and a
result before its release time is refused even when asked for directly."""
import re
from datetime import timedelta

import pytest
from exam_support import BASIC, SECRET, add_question, make_pool, make_session, shown_answers, single_choice

from lms.exams.models import ExamAttempt
from lms.extensions import db
from lms.models_base import utcnow

MATCHING_PAIRS = [["SUM", "Tính tổng"], ["AVERAGE", "Tính trung bình cộng"], ["COUNTIF", "Đếm ô thỏa điều kiện"], ["VLOOKUP", "Tra cứu theo cột đầu"]]


def matching(key):
    return {"key": key, "type": "matching", "text": "Ghép hàm với công dụng của nó.", "module": "IU04", "syllabus": "IU04.1",
            "difficulty": "medium", "pool": "exam", "status": "approved", "points": 1.0, "shuffle": True,
            "explanation": f"{SECRET} ghép", "pairs": MATCHING_PAIRS}


def multiple(key):
    return {"key": key, "type": "multiple_response", "text": "Những tệp nào là bảng tính?", "module": "IU04", "syllabus": "IU04.1",
            "difficulty": "medium", "pool": "exam", "status": "approved", "points": 1.0, "shuffle": True,
            "choices": [{"text": "baocao.xlsx", "correct": True, "feedback": f"{SECRET} a"}, {"text": "thu.docx", "correct": False},
                        {"text": "so-lieu.ods", "correct": True}, {"text": "anh.png", "correct": False}]}


def whole_pool_on_the_paper():
    """Five questions per module, every one drawn: IU04 with a matching and a multiple-response question among them."""
    bank = make_pool(per_module=5, modules=[code for code in BASIC if code != "IU04"])
    for index in range(3):
        add_question(bank, single_choice(f"IU04-{index}", "IU04"))
    add_question(bank, matching("IU04-GHEP"))
    add_question(bank, multiple("IU04-NHIEU"))


def unreleased_session():
    """A session whose results, answers included after submit, are released in two days."""
    session, _ = make_session(review_policy={"after_submit": "answers"}, results_released_at=utcnow() + timedelta(days=2))
    return session


@pytest.fixture()
def paper_session(demo):
    whole_pool_on_the_paper()
    return unreleased_session()


def start(auth, session, username="learner"):
    auth.login(username)
    page = auth.post(f"/exams/sessions/{session.id}/parts/{session.blueprint.parts[0].id}/start", token_page=f"/exams/sessions/{session.id}")
    assert page.status_code == 200
    return int(re.search(r'data-attempt="(\d+)"', page.get_data(as_text=True)).group(1))


def sections(page_html):
    """{question type: [section html]} of the exam page."""
    found = {}
    for match in re.finditer(r'<section [^>]*data-type="(\w+)"[^>]*>.*?</section>', page_html, re.S):
        found.setdefault(match.group(1), []).append(match.group(0))
    return found


def choice_values(section):
    """[(value, option text)] in the order shown."""
    return [(int(value), text) for value, text in re.findall(r'value="(\d+)"> <span class="letter"></span> <span>(.*?)</span>', section)]


def matching_rows(section):
    """[(data-left, left text, [(option value, right text)])] in the order shown."""
    rows = re.findall(r'<span>(.*?)</span>\s*<select data-left="(\d+)">(.*?)</select>', section, re.S)
    return [(int(left), text, [(int(value), right) for value, right in re.findall(r'<option value="(\d+)">(.*?)</option>', options)])
            for text, left, options in rows]


def api(client, attempt_id, action, body, token):
    return client.post(f"/exams/api/attempts/{attempt_id}/{action}", json=body, headers={"X-CSRFToken": token})


def test_option_values_are_the_positions_shown_and_say_nothing_of_the_key(paper_session, auth, client):
    attempt_id = start(auth, paper_session)
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    found = sections(page)
    assert set(found) == {"single_choice", "matching", "multiple_response"}
    for section in found["single_choice"] + found["multiple_response"]:
        assert [value for value, _ in choice_values(section)] == [0, 1, 2, 3]
    (rows,) = [matching_rows(section) for section in found["matching"]]
    assert [left for left, _, _ in rows] == [0, 1, 2, 3]
    for _, _, options in rows:
        assert [value for value, _ in options] == [0, 1, 2, 3]
    assert sorted(text for _, text in rows[0][2]) == sorted(right for _, right in MATCHING_PAIRS)


def test_no_value_is_common_to_every_candidate_or_pairs_a_left_with_its_right(demo, auth, client):
    """With the question's own indexes as values, every candidate's correct option of a
    question had the same value (one candidate could tell the others "2"), and a matching
    question's left i went with the option of value i. Positions follow each paper's shuffle."""
    whole_pool_on_the_paper()
    auth.login("learner")
    correct_values, matching_keyed_by_value = {}, []
    for _ in range(4):  # four papers of the same pool
        session = unreleased_session()
        page = auth.post(f"/exams/sessions/{session.id}/parts/{session.blueprint.parts[0].id}/start", token_page=f"/exams/sessions/{session.id}")
        found = sections(page.get_data(as_text=True))
        for section in found["single_choice"]:
            (text,) = re.findall(r'<div class="q-text"><p>(.*?)</p>', section)
            correct_values.setdefault(text, set()).update(value for value, option in choice_values(section) if option.startswith("Phương án B"))
        key = dict(MATCHING_PAIRS)
        (rows,) = [matching_rows(section) for section in found["matching"]]
        matching_keyed_by_value.append(all(dict((right, value) for value, right in options)[key[text]] == left for left, text, options in rows))
    assert len(correct_values) == 28  # every single-choice question of the pool
    assert any(len(values) > 1 for values in correct_values.values())
    assert not all(matching_keyed_by_value)


def test_answers_by_position_are_stored_by_the_questions_own_indexes_and_graded_right(paper_session, auth, client):
    attempt_id = start(auth, paper_session)
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    token = client.get(f"/exams/api/attempts/{attempt_id}/state").get_json()["csrf_token"]
    entries = []
    for kind, found in sections(page).items():
        for section in found:
            question = int(re.search(r'data-question="(\d+)"', section).group(1))
            if kind == "single_choice":
                response = {"choice": next(value for value, text in choice_values(section) if text.startswith("Phương án B"))}
            elif kind == "multiple_response":
                response = {"choices": [value for value, text in choice_values(section) if text in ("baocao.xlsx", "so-lieu.ods")]}
            else:
                key = dict(MATCHING_PAIRS)
                response = {"pairs": {str(left): next(value for value, right in options if right == key[text]) for left, text, options in matching_rows(section)}}
            entries.append({"question": question, "seq": 1, "response": response})
    assert api(client, attempt_id, "answers", {"answers": entries}, token).status_code == 200
    # The state answers in the page's terms, so a reload puts every mark back where it was.
    state = client.get(f"/exams/api/attempts/{attempt_id}/state").get_json()
    assert {int(q): a["response"] for q, a in state["answers"].items()} == {entry["question"]: entry["response"] for entry in entries}
    assert len(shown_answers(attempt_id)) == 30
    assert api(client, attempt_id, "submit", {}, token).status_code == 200
    attempt = db.session.get(ExamAttempt, attempt_id)
    db.session.refresh(attempt)
    assert attempt.score == pytest.approx(10.0)
    stored = {q.version.data["type"]: q.answer.response for q in attempt.questions}
    assert stored["matching"] == {"pairs": {"0": 0, "1": 1, "2": 2, "3": 3}}  # the pairs' own indexes
    assert stored["multiple_response"] == {"choices": [0, 2]}


def test_positions_out_of_range_are_refused_and_store_nothing(paper_session, auth, client):
    attempt_id = start(auth, paper_session)
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    token = client.get(f"/exams/api/attempts/{attempt_id}/state").get_json()["csrf_token"]
    attacks = {"single_choice": ({"choice": 4}, {"choice": -1}, {"choice": "2; DROP"}, {"choice": 2**64}, {"choice": 1.5}),
               "multiple_response": ({"choices": [9]}, {"choices": [0, -2]}, {"choices": ["x"]}),
               "matching": ({"pairs": {"7": 0}}, {"pairs": {"0": 99}}, {"pairs": {"-1": 0}}, {"pairs": {"0": True}})}
    for kind, found in sections(page).items():
        question = int(re.search(r'data-question="(\d+)"', found[0]).group(1))
        for response in attacks[kind]:
            refused = api(client, attempt_id, "answers", {"answers": [{"question": question, "seq": 1, "response": response}]}, token)
            assert refused.status_code == 400 and refused.get_json()["error"] == "bad_response", (response, refused.get_json())
    assert shown_answers(attempt_id) == {}


def test_nothing_the_candidate_loads_carries_the_key_or_a_score_before_release(paper_session, auth, client):
    attempt_id = start(auth, paper_session)
    page = client.get(f"/exams/attempts/{attempt_id}")
    html = page.get_data(as_text=True)
    token = client.get(f"/exams/api/attempts/{attempt_id}/state").get_json()["csrf_token"]
    question = int(re.search(r'data-question="(\d+)"', html).group(1))
    loaded = [page, client.get(f"/exams/api/attempts/{attempt_id}/state"),
              api(client, attempt_id, "answers", {"answers": [{"question": question, "seq": 1, "response": {}}]}, token),
              api(client, attempt_id, "flag", {"question": question, "flagged": True}, token)]
    loaded += [client.get(src) for src in re.findall(r'<script [^>]*src="([^"]+)"', html)]
    loaded.append(client.get("/exams/sw.js"))
    submitted = api(client, attempt_id, "submit", {}, token)
    loaded.append(submitted)
    result = client.get(f"/exams/attempts/{attempt_id}/result")
    loaded.append(result)
    assert len(loaded) > 6
    for response in loaded:
        assert response.status_code == 200, response.request.path
        body = response.get_data(as_text=True)
        for secret in (SECRET, '"correct"', '"fraction"', '"score"', "đáp án)", "Điểm:"):
            assert secret not in body, (response.request.path, secret)
    # Asked for directly, before the release time, the result is refused: the page says when.
    assert "Kết quả sẽ được công bố sau" in result.get_data(as_text=True)
    assert "bạn chọn" not in result.get_data(as_text=True)
    # ... and neither the sessions list nor the home page shows the score.
    for path in ("/exams/", "/"):
        assert "Điểm:" not in client.get(path, follow_redirects=True).get_data(as_text=True)

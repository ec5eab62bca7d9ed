"""The server process is killed (SIGKILL) mid-exam while saves are in flight: after a restart
every acknowledged answer is there, the deadline is the same, and the candidate goes on."""
import itertools
import threading
import time

from exam_support import make_pool, make_session
from processes import Client, Server, start_exam

SAVING_THREADS = 4
ACKNOWLEDGED_QUESTIONS_BEFORE_KILL = 12


def _seeded_session(db):
    make_pool()
    session, _candidate = make_session(minutes=30)
    db.session.commit()
    return session.id, session.blueprint.parts[0].id


def _save_until_killed(client, attempt_id, csrf, questions, next_seq, acknowledged, failures, stop):
    """Batches of two of this thread's questions, each answer telling its sequence number
    (choice = seq % 4), until the server stops answering; records what was acknowledged as
    stored ({question: the highest acknowledged seq}), and any reply but a 200 in `failures`."""
    for round_number in itertools.count():
        if stop.is_set():
            return
        entries = []
        for offset in range(2):
            seq = next_seq()
            entries.append({"question": questions[(round_number * 2 + offset) % len(questions)], "seq": seq, "response": {"choice": seq % 4}})
        try:
            reply = client.request("POST", f"/exams/api/attempts/{attempt_id}/answers", json_body={"answers": entries},
                                   headers={"X-CSRFToken": csrf}, timeout=5)
        except OSError as error:  # the server died under this request (or before it)
            failures.append(error)
            return
        if reply.status != 200:
            failures.append(f"HTTP {reply.status}: {reply.text[:200]}")
            return
        for ack in reply.json()["saved"]:
            if ack["stored"]:
                acknowledged[ack["question"]] = max(acknowledged.get(ack["question"], 0), ack["seq"])


def test_after_a_sigkill_mid_save_every_acknowledged_answer_and_the_deadline_survive(db, demo, served_config, tmp_path):
    session_id, part_id = _seeded_session(db)
    server = Server(served_config, tmp_path / "server.log").start()
    try:
        browser = Client(server.base)
        browser.login("learner")
        attempt_id, questions, csrf = start_exam(browser, session_id, part_id)
        before = browser.get(f"/exams/api/attempts/{attempt_id}/state").json()
        assert before["open"] and before["remaining_ms"] > 0

        sequence, lock = itertools.count(1), threading.Lock()

        def next_seq():
            with lock:
                return next(sequence)

        acknowledged, failures, stop = {}, [], threading.Event()
        threads = [threading.Thread(target=_save_until_killed,
                                    args=(browser, attempt_id, csrf, questions[index::SAVING_THREADS], next_seq, acknowledged, failures, stop))
                   for index in range(SAVING_THREADS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < ACKNOWLEDGED_QUESTIONS_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # while the threads keep saving
        stop.set()
        for thread in threads:
            thread.join(15)
        assert acknowledged, "no save was acknowledged before the kill"
        assert failures and all(isinstance(failure, OSError) for failure in failures), failures  # in flight, cut off by the kill

        server.start()
        browser = browser.on(server.base)
        after = browser.get(f"/exams/api/attempts/{attempt_id}/state").json()
        assert after["open"] and after["state"] == before["state"]
        assert after["deadline"] == before["deadline"]
        assert 0 < after["remaining_ms"] <= before["remaining_ms"]
        for question, seq in acknowledged.items():
            saved = after["answers"][str(question)]
            assert saved["seq"] >= seq, f"question {question}: acknowledged at {seq}, stored at {saved['seq']}"
        for question, saved in after["answers"].items():  # whatever was stored, acknowledged or not, is whole
            assert saved["response"] == {"choice": saved["seq"] % 4}, f"question {question}: {saved}"

        # The candidate resumes: the page opens, a new answer is saved, the paper is submitted.
        page = browser.get(f"/exams/attempts/{attempt_id}", headers={"Accept": "text/html"})
        assert page.status == 200 and f'data-attempt="{attempt_id}"' in page.text
        seq = after["last_seq"] + 1
        reply = browser.request("POST", f"/exams/api/attempts/{attempt_id}/answers", headers={"X-CSRFToken": after["csrf_token"]},
                                json_body={"answers": [{"question": questions[0], "seq": seq, "response": {"choice": 3}}]})
        assert reply.status == 200 and reply.json()["saved"] == [{"question": questions[0], "seq": seq, "stored": True}]
        submitted = browser.request("POST", f"/exams/api/attempts/{attempt_id}/submit", json_body={},
                                    headers={"X-CSRFToken": after["csrf_token"]})
        assert submitted.status == 200 and submitted.json()["open"] is False
    finally:
        server.stop()

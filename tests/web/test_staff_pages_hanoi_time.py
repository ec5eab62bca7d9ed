"""Trainer and proctor pages show times in Hanoi time (UTC+7), in either interface language."""
from datetime import datetime, timezone

import pytest
from exam_support import make_pool, make_session

from lms.extensions import db

OPENS = datetime(2017, 9, 4, 23, 30, tzinfo=timezone.utc)  # 06:30 on 5 September in Hanoi
CLOSES = datetime(2017, 9, 5, 10, 15, tzinfo=timezone.utc)  # 17:15 in Hanoi
RELEASED = datetime(2017, 9, 6, 1, 5, tzinfo=timezone.utc)  # 08:05 on 6 September in Hanoi


@pytest.fixture()
def session(demo):
    make_pool()
    session, _candidate = make_session()
    session.opens_at, session.closes_at, session.results_released_at = OPENS, CLOSES, RELEASED
    db.session.commit()
    return session


@pytest.mark.parametrize("username", ["trainer", "proctor_city"])
def test_the_sessions_list_shows_hanoi_time(session, client, auth, username):
    if username == "proctor_city":
        from lms.auth.services import create_user
        from tests.conftest import DEMO_PASSWORD

        create_user("proctor_city", DEMO_PASSWORD, "Cán bộ coi thi thành phố", ["proctor"], enforce_policy=False)
        db.session.commit()
    auth.login(username)
    page = client.get("/exams/manage/").get_data(as_text=True)
    assert "05/09/2017 06:30 – 05/09/2017 17:15" in page and "04/09/2017 23:30" not in page


def test_the_session_and_results_pages_show_hanoi_time_in_english_too(session, client, auth):
    auth.login("trainer")
    detail = client.get(f"/exams/manage/sessions/{session.id}").get_data(as_text=True)
    assert "05/09/2017 06:30 – 05/09/2017 17:15" in detail and "06/09/2017 08:05" in detail
    auth.switch_language("en", page=f"/exams/manage/sessions/{session.id}/results")
    results = client.get(f"/exams/manage/sessions/{session.id}/results").get_data(as_text=True)
    assert "06/09/2017 08:05" in results and "06/09/2017 01:05" not in results

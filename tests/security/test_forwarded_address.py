"""The client's address decides an exam room's network allow-list and every throttle, so
a client must not be able to name it: X-Forwarded-For is believed only from the number of
reverse proxies the deployment declares (LMS_TRUSTED_PROXIES), none by default."""
import pytest
from exam_attack_support import OUTSIDE, ROOM_NETWORK, ROOM_TABLET, at, post_start
from exam_support import make_pool, make_session
from flask import request
from sqlalchemy import func, select

from lms.app import create_app
from lms.exams.models import ExamAttempt
from lms.extensions import db


def test_a_forged_forwarded_address_opens_no_exam_room(demo, auth, client):
    make_pool()
    session, _ = make_session(allowed_networks=[ROOM_NETWORK])
    auth.login("learner")
    at(client, OUTSIDE)
    forged = {"X-Forwarded-For": ROOM_TABLET, "X-Real-IP": ROOM_TABLET}
    page = post_start(auth, session, headers=forged, follow_redirects=True).get_data(as_text=True)
    assert "mạng được phép dự thi" in page and OUTSIDE in page and 'id="exam"' not in page
    assert db.session.execute(select(func.count(ExamAttempt.id))).scalar_one() == 0


def address_app(trusted_proxies, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite3'}", "SECRET_KEY": "proxy-test",
                      "TRUSTED_PROXIES": trusted_proxies, "UPLOAD_DIR": str(tmp_path), "SIGNING_DIR": str(tmp_path / "signing")})
    app.add_url_rule("/address-probe", "address_probe", lambda: f"{request.remote_addr} {request.scheme}")
    return app


@pytest.mark.parametrize("trusted, seen", [(0, "127.0.0.1 http"), (1, "10.1.2.15 https"), (2, "198.51.100.7 https")])
def test_the_forwarded_address_counts_only_through_the_declared_proxies(tmp_path, trusted, seen):
    """With one proxy, the address it appended (the last); with two, the one before it; a
    client's own claims further left are never believed."""
    client = address_app(trusted, tmp_path).test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.66, 198.51.100.7, 10.1.2.15", "X-Forwarded-Proto": "https, https"}
    assert client.get("/address-probe", headers=forwarded).get_data(as_text=True) == seen

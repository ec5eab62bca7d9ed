"""Notices through the pages: an assignment made on the page reaches the outbox after the
request's commit and the learner's dashboard; notices are marked read by their owner only;
the administrator's outbox shows what failed and sends it again."""
import socket
from datetime import timedelta

from notification_support import Outbox, hr_officer_with_mail, published_course, title, unit
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.services import find_user
from lms.localtime import local_today
from lms.mail import MailMessage, deliver_pending, queue
from lms.models_base import utcnow
from lms.notifications.models import Notice


def _assign_on_the_page(auth, course, deadline):
    return auth.post("/courses/assignments/", {"course_id": course.id, "unit_id": unit("LB").id, "title_id": title("CC-TUPHAP").id,
                                              "deadline": deadline.isoformat(), "note": ""})


def test_an_assignment_made_on_the_page_is_mailed_after_the_commit_and_shown_on_the_dashboard(app, client, auth, db, demo):
    course = published_course()
    db.session.commit()
    outbox = Outbox(app)
    auth.login("hr")
    deadline = local_today() + timedelta(days=20)
    assert _assign_on_the_page(auth, course, deadline).status_code == 302
    learner = find_user("learner")
    [mail] = outbox.messages(to=learner.staff.email)  # delivered once the request committed, without a command
    assert mail["subject"] == f"Khóa học được giao: IU06 – {course.title}, hạn {deadline:%d/%m/%Y}"
    auth.logout()

    auth.login("learner")
    page = client.get("/learn/").get_data(as_text=True)
    assert 'id="thong-bao"' in page and mail["subject"] in page and "1 chưa đọc" in page
    notice = db.session.execute(select(Notice).where(Notice.staff_id == learner.staff_id)).scalar_one()
    response = auth.post(f"/notifications/{notice.id}/read", {"next": "/learn/"}, token_page="/notifications/")
    assert response.status_code == 302 and response.headers["Location"] == "/learn/"
    db.session.refresh(notice)
    assert notice.read_at is not None and "chưa đọc" not in client.get("/learn/").get_data(as_text=True)
    assert mail["subject"] in client.get("/notifications/").get_data(as_text=True)


def test_a_notice_is_marked_read_by_its_owner_only(client, auth, db, demo):
    officer = hr_officer_with_mail()
    notice = Notice(kind="hr.overdue", user_id=officer.id, title="Danh sách quá hạn", body="-", dedupe_key="test:1")
    db.session.add(notice)
    db.session.commit()
    auth.login("learner")
    assert auth.post(f"/notifications/{notice.id}/read", token_page="/notifications/").status_code == 404
    assert auth.post("/notifications/read-all", token_page="/notifications/").status_code == 302
    db.session.refresh(notice)
    assert notice.read_at is None
    assert "Danh sách quá hạn" not in client.get("/notifications/").get_data(as_text=True)


def test_the_hr_home_shows_the_officers_notices(client, auth, db, demo):
    db.session.add(Notice(kind="hr.overdue", user_id=find_user("hr").id, title="Cán bộ quá hạn học tập, tuần 2017-W40: 3 người",
                          body="- Nguyễn Văn A", dedupe_key="test:2"))
    db.session.commit()
    auth.login("hr")
    page = client.get("/hr/").get_data(as_text=True)
    assert "Cán bộ quá hạn học tập, tuần 2017-W40: 3 người" in page and "- Nguyễn Văn A" in page


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_message_smtp_refuses_stays_queued_with_its_error_and_is_retried_later(app, client, auth, db, demo):
    failing = dict(app.config, SMTP_HOST="127.0.0.1", SMTP_PORT=_closed_port(), SMTP_STARTTLS=False)
    message_id = queue("hoc.vien@hanoi.gov.vn", "Thử gửi", "Nội dung", kind="test").id
    db.session.commit()
    now = utcnow()
    assert deliver_pending(failing, now) == (0, 1)
    message = db.session.get(MailMessage, message_id)
    assert message.sent_at is None and message.tries == 1 and "ConnectionRefused" in message.last_error
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert deliver_pending(failing, now + timedelta(seconds=30)) == (0, 0)  # waits its turn
    assert deliver_pending(failing, now + timedelta(minutes=1)) == (0, 1)
    db.session.refresh(message)
    assert message.tries == 2 and message.next_attempt_at == now + timedelta(minutes=3)

    auth.login("admin")
    page = client.get("/admin/outbox/?state=pending").get_data(as_text=True)
    assert "hoc.vien@hanoi.gov.vn" in page and "ConnectionRefused" in page
    outbox = Outbox(app)
    assert auth.post(f"/admin/outbox/{message_id}/retry", token_page="/admin/outbox/").status_code == 302  # delivered to the folder now
    db.session.refresh(message)
    assert message.sent_at is not None and message.tries == 1
    assert [m["subject"] for m in outbox.messages(to="hoc.vien@hanoi.gov.vn")] == ["Thử gửi"]
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "mail.retry")).scalar_one().target == f"mail_message:{message_id}"
    response = auth.post(f"/admin/outbox/{message_id}/retry", token_page="/admin/outbox/")
    assert response.status_code == 302 and "đã được gửi" in client.get("/admin/outbox/").get_data(as_text=True)


def test_a_message_given_up_shows_as_not_sent(client, auth, db, demo):
    message = queue("khong.gui@hanoi.gov.vn", "Hết lượt", "x", kind="test")
    message.tries, message.last_error = 10, "SMTPRecipientsRefused: 550"
    db.session.commit()
    auth.login("admin")
    page = client.get("/admin/outbox/?state=failed").get_data(as_text=True)
    assert "khong.gui@hanoi.gov.vn" in page and "<strong>Không gửi được</strong>" in page
    assert "khong.gui@hanoi.gov.vn" not in client.get("/admin/outbox/?state=sent").get_data(as_text=True)


def test_only_administrators_reach_the_outbox(client, auth, db, demo):
    message_id = queue("a@hanoi.gov.vn", "x", "y").id
    db.session.commit()
    for username in ("hr", "trainer", "learner"):
        auth.login(username)
        assert client.get("/admin/outbox/").status_code == 403
        assert client.post(f"/admin/outbox/{message_id}/retry").status_code in (400, 403)
        auth.logout()


def test_the_notices_in_english(client, auth, db, demo, compiled):
    db.session.add(Notice(kind="course.assigned", staff_id=find_user("learner").staff_id, title="Course assigned: IU06", body="x",
                          dedupe_key="test:3", created_at=utcnow()))
    db.session.commit()
    auth.login("learner")
    auth.switch_language("en", "/learn/")
    page = client.get("/learn/").get_data(as_text=True)
    assert "Notices" in page and "1 unread" in page
    assert "Mark all as read (1)" in client.get("/notifications/").get_data(as_text=True)

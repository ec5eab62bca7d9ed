"""Each kind of notification reaches the outbox (an .eml file, decoded) and the recipient's
notices, once, in their language; the scheduled ones are not repeated by a second run."""
from datetime import timedelta

from notification_support import Outbox, hr_officer_with_mail, learner_staff, published_course, title, unit
from sqlalchemy import func, select

from lms.auth.services import create_user, find_user
from lms.courses import services as courses
from lms.courses.models import Lesson
from lms.exams import design
from lms.exams.manage import services as manage
from lms.localtime import local_today
from lms.mail import MailMessage, deliver_pending
from lms.models_base import utcnow
from lms.notifications import services
from lms.notifications.models import COURSE_ASSIGNED, COURSE_REMINDER, EXAM_INVITATION, EXAM_RESULTS, HR_OVERDUE, Notice
from lms.org.models import Staff, Unit


def _notices(db, kind, **where):
    query = select(Notice).where(Notice.kind == kind, *[getattr(Notice, name) == value for name, value in where.items()])
    return db.session.execute(query.order_by(Notice.id)).scalars().all()


def _assign(db, deadline, created_days_ago=0):
    assignment = courses.create_assignment(published_course(), deadline, find_user("trainer"), unit=unit("LB"), title=title("CC-TUPHAP"),
                                           note="Hoàn thành trước kỳ sát hạch")
    assignment.created_at = utcnow() - timedelta(days=created_days_ago)
    db.session.commit()
    return assignment


def test_an_assignment_tells_everyone_it_reaches_by_notice_and_by_mail_in_vietnamese(app, db, demo):
    outbox = Outbox(app)
    learner = learner_staff()
    deadline = local_today() + timedelta(days=30)
    assignment = _assign(db, deadline)
    reached = db.session.execute(
        select(func.count(Staff.id)).join(Unit, Unit.id == Staff.unit_id)
        .where(Unit.path.startswith(unit("LB").path), Staff.title_id == title("CC-TUPHAP").id, Staff.status == "active")
    ).scalar_one()
    notices = _notices(db, COURSE_ASSIGNED)
    assert len(notices) == reached > 1
    mine = next(n for n in notices if n.staff_id == learner.id)
    assert mine.title == f"Khóa học được giao: IU06 – {assignment.course.title}, hạn {deadline:%d/%m/%Y}"
    assert mine.link == "/learn/courses/IU06/" and "Ghi chú: Hoàn thành trước kỳ sát hạch" in mine.body

    deliver_pending(app.config)
    [mail] = outbox.messages(to=learner.email)
    assert mail["subject"] == mine.title
    assert mail["body"].startswith(f"Kính gửi anh/chị {learner.full_name},")
    assert f"trước hết ngày {deadline:%d/%m/%Y}" in mail["body"] and "Xem chi tiết: http://lms.test/learn/courses/IU06/" in mail["body"]
    assert len(outbox.messages()) == len([n for n in notices if db.session.get(Staff, n.staff_id).email])


def test_a_person_whose_account_chose_english_is_told_in_english(app, db, demo, compiled):
    outbox = Outbox(app)
    find_user("learner").locale = "en"
    deadline = local_today() + timedelta(days=30)
    _assign(db, deadline)
    deliver_pending(app.config)
    [mail] = outbox.messages(to=learner_staff().email)
    assert mail["subject"].startswith("Course assigned: IU06") and mail["subject"].endswith(f"due {deadline:%d/%m/%Y}")
    assert mail["body"].startswith(f"Dear {learner_staff().full_name},") and "Kính gửi" not in mail["body"]
    others = [m for m in outbox.messages() if m["to"] != learner_staff().email]
    assert others and all(m["subject"].startswith("Khóa học được giao") for m in others)


def test_a_reminder_before_the_deadline_goes_once_to_those_not_finished(app, db, demo, runner):
    now = utcnow()
    assignment = _assign(db, local_today(now) + timedelta(days=2), created_days_ago=20)
    learner, user = learner_staff(), find_user("learner")
    someone_done = next(n.staff_id for n in _notices(db, COURSE_ASSIGNED) if n.staff_id != learner.id and n.user_id is None)
    finisher = db.session.get(Staff, someone_done)
    account = create_user("xong_bai", "Xong-bai@2017", finisher.full_name, roles=["learner"], staff=finisher, enforce_policy=False)
    for lesson in db.session.execute(select(Lesson).where(Lesson.course_id == assignment.course_id)).scalars():
        courses.mark_done(account, lesson)
    courses.mark_done(user, db.session.execute(select(Lesson).where(Lesson.course_id == assignment.course_id)).scalars().first())
    db.session.commit()
    deliver_pending(app.config)  # the assignment's own mail
    outbox = Outbox(app)

    first = runner.invoke(args=["schedule", "run"])
    assert first.exit_code == 0, first.output
    reminders = _notices(db, COURSE_REMINDER)
    assert f"{len(reminders)} nhắc hạn" in first.output
    assert learner.id in {n.staff_id for n in reminders} and finisher.id not in {n.staff_id for n in reminders}
    [mail] = outbox.messages(to=learner.email)
    assert mail["subject"].startswith("Nhắc hạn: IU06") and "(còn 2 ngày)" in mail["body"] and "đã hoàn thành 1/2 bài" in mail["body"]

    again = runner.invoke(args=["schedule", "run"])
    assert again.exit_code == 0 and "0 nhắc hạn" in again.output
    assert len(_notices(db, COURSE_REMINDER)) == len(reminders) and len(outbox.messages(to=learner.email)) == 1
    # Even when the day's step runs again (a new day, the same assignment), each person is reminded once.
    assert services.remind_deadlines(local_today(now), 3, now) == 0


def test_an_assignment_made_inside_the_reminder_window_is_not_reminded_of(db, demo):
    now = utcnow()
    _assign(db, local_today(now) + timedelta(days=1))
    assert _notices(db, COURSE_ASSIGNED) and services.remind_deadlines(local_today(now), 3, now) == 0


def test_each_hr_officer_gets_the_overdue_list_of_their_units_once_a_week(app, db, demo):
    now = utcnow()
    officer = hr_officer_with_mail()
    outside = courses.create_assignment(published_course("IU05"), local_today(now) - timedelta(days=3), find_user("trainer"), unit=unit("HK"))
    _assign(db, local_today(now) - timedelta(days=2), created_days_ago=40)
    outbox = Outbox(app)

    counts = services.scheduled(now)
    db.session.commit()
    assert counts[HR_OVERDUE] >= 1
    [notice] = _notices(db, HR_OVERDUE, user_id=officer.id)
    assert notice.staff_id is None and notice.link == "/courses/assignments/overdue"
    assert learner_staff().full_name in notice.body and "IU06" in notice.body
    assert "IU05" not in notice.body  # Hoàn Kiếm's assignment lies outside Long Biên's officer's units
    assert outside.id
    deliver_pending(app.config)
    [mail] = outbox.messages(to=officer.staff.email)
    assert mail["subject"] == notice.title and notice.title.startswith(f"Cán bộ quá hạn học tập, tuần {services.iso_week(local_today(now))}")

    assert services.scheduled(now + timedelta(minutes=1))[HR_OVERDUE] == 0
    db.session.commit()
    assert services.weekly_overdue(local_today(now), now) == 0  # the key holds even if the step runs again
    assert services.scheduled(now + timedelta(days=7))[HR_OVERDUE] >= 1
    assert len(_notices(db, HR_OVERDUE, user_id=officer.id)) == 2


def _published_session(db, opens_in=timedelta(days=7), status="published"):
    now = utcnow()
    blueprint = design.default_basic_blueprint(name=f"Cấu trúc {now.timestamp()}", with_practical=False)
    return design.create_session(blueprint, "Kỳ sát hạch quận Long Biên", now + opens_in, now + opens_in + timedelta(hours=2),
                                 council="Hội đồng thi quận Long Biên", location="Trường THCS Bồ Đề", status=status)


def test_candidates_added_to_a_published_session_are_invited_once(app, db, demo):
    session = _published_session(db)
    db.session.flush()
    outbox = Outbox(app)
    added = manage.add_candidates_by_unit(session, unit("LB-BODE"), None, find_user("trainer"))
    db.session.commit()
    invitations = _notices(db, EXAM_INVITATION)
    assert len(invitations) == added > 0
    learner = learner_staff()
    mine = next(n for n in invitations if n.staff_id == learner.id)
    assert mine.title == "Giấy mời dự thi: Kỳ sát hạch quận Long Biên" and mine.link == f"/exams/sessions/{session.id}"
    assert "Địa điểm: Trường THCS Bồ Đề" in mine.body and "Hội đồng thi: Hội đồng thi quận Long Biên" in mine.body
    deliver_pending(app.config)
    [mail] = outbox.messages(to=learner.email)
    assert "Số báo danh: " in mail["body"] and "Thời gian: từ " in mail["body"]

    assert services.invite_candidates(session.id) == 0
    manage.add_candidates_by_unit(session, unit("LB"), None, find_user("trainer"))  # more of Long Biên
    db.session.commit()
    assert len({n.staff_id for n in _notices(db, EXAM_INVITATION)}) == len(_notices(db, EXAM_INVITATION))


def test_a_draft_session_invites_nobody_until_it_is_saved_published(db, demo):
    session = _published_session(db, status="draft")
    values = {name: getattr(session, name) for name in ("blueprint_id", "name", "council", "location", "opens_at", "closes_at",
                                                       "attempts_allowed", "grace_seconds", "status", "double_marking", "reconcile_threshold")}
    values.update(results_released_at=None, review_after_submit="score", review_after_close="correctness")
    manage.save_session(session, values, "P.201 | 30", "", None, False, None)
    candidate = design.add_candidate(session, learner_staff(), find_user("learner"), candidate_number="LB001", room_id=session.rooms[0].id)
    assert services.invite_candidates(session.id) == 0 and not _notices(db, EXAM_INVITATION)
    manage.save_session(session, dict(values, status="published"), "P.201 | 30", "", None, False, None)
    [notice] = _notices(db, EXAM_INVITATION)
    assert notice.dedupe_key == f"exam.invitation:{candidate.id}" and notice.user_id == find_user("learner").id
    assert "Số báo danh: LB001" in notice.body and "Địa điểm: Trường THCS Bồ Đề, phòng P.201" in notice.body
    manage.save_session(session, dict(values, status="published", name="Kỳ sát hạch (đổi tên)"), "P.201 | 30", "", None, False, None)
    assert len(_notices(db, EXAM_INVITATION)) == 1  # saved again: invited once


def test_released_results_are_told_to_the_candidates_who_sat_once(app, db, demo):
    from exam_support import make_pool, sit

    make_pool()
    session = _published_session(db, opens_in=timedelta(hours=-1))
    learner = find_user("learner")
    candidate = design.add_candidate(session, learner.staff, learner, candidate_number="KQ001")
    absent = design.add_candidate(session, db.session.execute(select(Staff).where(Staff.id != learner.staff_id)).scalars().first())
    db.session.commit()
    sit(candidate, session.blueprint.parts[0], {"IU01": 5})
    outbox = Outbox(app)
    manage.release_results(session, utcnow(), find_user("trainer"))
    db.session.commit()
    [notice] = _notices(db, EXAM_RESULTS)
    assert notice.staff_id == learner.staff_id and absent.staff_id != notice.staff_id
    assert notice.title == "Đã có kết quả: Kỳ sát hạch quận Long Biên"
    deliver_pending(app.config)
    [mail] = outbox.messages(to=learner.staff.email)
    assert "đã được công bố" in mail["body"] and f"http://lms.test/exams/sessions/{session.id}" in mail["body"]
    manage.release_results(session, utcnow(), find_user("trainer"))
    assert services.scheduled(utcnow())[EXAM_RESULTS] == 0 and len(_notices(db, EXAM_RESULTS)) == 1


def test_a_person_without_an_address_gets_the_notice_only(db, demo):
    learner = learner_staff()
    learner.email = ""
    _assign(db, local_today() + timedelta(days=9))
    assert _notices(db, COURSE_ASSIGNED, staff_id=learner.id)
    assert db.session.execute(select(func.count(MailMessage.id)).where(MailMessage.staff_id == learner.id)).scalar_one() == 0


def test_the_demo_seed_leaves_its_notices_in_the_outbox(app, db, runner):
    outbox = Outbox(app)
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    learner = find_user("learner")
    kinds = {n.kind for n in db.session.execute(select(Notice).where(Notice.staff_id == learner.staff_id)).scalars()}
    assert kinds == {COURSE_ASSIGNED, EXAM_INVITATION, EXAM_RESULTS}
    subjects = [m["subject"] for m in outbox.messages(to=learner.staff.email)]
    assert any(s.startswith("Khóa học được giao: IU06") for s in subjects)
    assert any(s.startswith("Giấy mời dự thi: ") for s in subjects) and any(s.startswith("Đã có kết quả: ") for s in subjects)

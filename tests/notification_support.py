"""Reading the outbox of the test run: the .eml files written since a test began, decoded."""
import email
import email.policy
from pathlib import Path

from sqlalchemy import select

from lms.auth.services import create_user, find_user
from lms.catalogue.models import Module, Title
from lms.courses import services as courses
from lms.extensions import db
from lms.org.models import Staff, Unit


class Outbox:
    """The messages written to the app's OUTBOX_DIR after this object was made."""

    def __init__(self, app):
        self.folder = Path(app.config["OUTBOX_DIR"])
        self.folder.mkdir(parents=True, exist_ok=True)
        self.before = set(self.folder.glob("*.eml"))

    def messages(self, to=None):
        found = []
        for path in sorted(set(self.folder.glob("*.eml")) - self.before):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to is None or message["To"] == to:
                found.append({"to": message["To"], "subject": message["Subject"], "body": message.get_content()})
        return found


def unit(code):
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def title(code):
    return db.session.execute(select(Title).where(Title.code == code)).scalar_one()


def published_course(code="IU06", lessons=2):
    module = db.session.execute(select(Module).where(Module.code == code)).scalar_one()
    course = courses.create_course(module, published=True)
    for number in range(1, lessons + 1):
        courses.save_lesson(course, {"syllabus_code": f"{code}.1.{number}", "slug": f"bai-{number}", "title": f"Bài {number}", "body": "x",
                                     "minutes": 10, "published": True})
    db.session.flush()
    return course


def learner_staff():
    return find_user("learner").staff


def hr_officer_with_mail(username="hr_lb_mail", unit_code="LB", locale=None):
    """An HR officer of `unit_code` whose staff record has an e-mail address."""
    staff = Staff(full_name="Trần Thị Nhân Sự", id_number=f"0011900{len(username):05d}", unit=unit(unit_code), email=f"{username}@hanoi.gov.vn")
    db.session.add(staff)
    db.session.flush()
    user = create_user(username, "Nhan-su@2017", staff.full_name, roles=["hr"], unit=unit(unit_code), staff=staff, enforce_policy=False)
    user.locale = locale
    db.session.flush()
    return user

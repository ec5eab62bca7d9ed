"""The courses part of the demo: the shipped lessons and one assignment with a deadline."""
from datetime import timedelta

from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Title
from lms.courses import services
from lms.courses.loader import load_course_content
from lms.courses.models import Assignment
from lms.courses.queries import course_by_module_code
from lms.extensions import db
from lms.localtime import local_today
from lms.org.models import Unit

# A fresh demo has the assignment running, not overdue: its deadline counts from the seed day.
DEMO_ASSIGNMENT_DAYS = 30


def seed_courses(now=None):
    """Demo seed step: the lessons, and IU06 assigned to Long Biên's Tư pháp – hộ tịch officials,
    due DEMO_ASSIGNMENT_DAYS after the (Hanoi) day of `now`. Summary line."""
    report = load_course_content()
    course = course_by_module_code("IU06", published_only=False)
    unit = db.session.execute(select(Unit).where(Unit.code == "LB")).scalar_one_or_none()
    title = db.session.execute(select(Title).where(Title.code == "CC-TUPHAP")).scalar_one_or_none()
    assigned = ""
    if course and unit and title and db.session.execute(select(Assignment.id).limit(1)).first() is None:
        deadline = local_today(now) + timedelta(days=DEMO_ASSIGNMENT_DAYS)
        services.create_assignment(course, deadline, find_user("trainer"), unit=unit, title=title,
                                   note="Công chức Tư pháp – hộ tịch quận Long Biên hoàn thành IU06")
        assigned = f"; giao IU06 cho Tư pháp – hộ tịch quận Long Biên, hạn {deadline:%d/%m/%Y}"
    return report.summary() + assigned

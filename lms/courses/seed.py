"""The courses part of the demo: the shipped lessons and one assignment with a deadline."""
from datetime import date

from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Title
from lms.courses import services
from lms.courses.loader import load_course_content
from lms.courses.models import Assignment
from lms.courses.queries import course_by_module_code
from lms.extensions import db
from lms.org.models import Unit


def seed_courses():
    report = load_course_content()
    # "All Tư pháp – hộ tịch officials of Long Biên complete IU06 by 30/9."
    course = course_by_module_code("IU06", published_only=False)
    unit = db.session.execute(select(Unit).where(Unit.code == "LB")).scalar_one_or_none()
    title = db.session.execute(select(Title).where(Title.code == "CC-TUPHAP")).scalar_one_or_none()
    assigned = ""
    if course and unit and title and db.session.execute(select(Assignment.id).limit(1)).first() is None:
        services.create_assignment(course, date(date.today().year, 9, 30), find_user("trainer"), unit=unit, title=title,
                                   note="Công chức Tư pháp – hộ tịch quận Long Biên hoàn thành IU06")
        assigned = "; giao IU06 cho Tư pháp – hộ tịch quận Long Biên, hạn 30/9"
    return report.summary() + assigned

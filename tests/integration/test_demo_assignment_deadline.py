"""The demo's assignment falls due a month after the day it is seeded, whatever that day is."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from lms.courses import queries
from lms.courses.models import Assignment
from lms.courses.seed import DEMO_ASSIGNMENT_DAYS, seed_courses
from lms.scope import Scope


def test_the_deadline_counts_from_the_hanoi_day_of_the_seed_and_nobody_is_overdue_yet(db, demo):
    seeded = datetime(2026, 12, 31, 18, 30, tzinfo=timezone.utc)  # already 1 January 2027 in Hanoi
    summary = seed_courses(seeded)
    assignment = db.session.execute(select(Assignment)).scalar_one()
    assert DEMO_ASSIGNMENT_DAYS == 30 and assignment.deadline == date(2027, 1, 31)
    assert "hạn 31/01/2027" in summary
    city = Scope.city()
    assert queries.overdue(city, date(2027, 1, 1)) == [] and queries.overdue(city, date(2027, 1, 31)) == []
    # The day after the deadline the Tư pháp – hộ tịch officials of Long Biên who have not finished are overdue.
    late = queries.overdue(city, date(2027, 2, 1))
    assert late and {unit.path.startswith(assignment.unit.path) for _, _, unit, _, _ in late} == {True}


def test_seeding_again_keeps_the_first_assignment(db, demo):
    seed_courses(datetime(2026, 3, 1, tzinfo=timezone.utc))
    seed_courses(datetime(2026, 6, 1, tzinfo=timezone.utc))
    assert [a.deadline for a in db.session.execute(select(Assignment)).scalars()] == [date(2026, 3, 31)]

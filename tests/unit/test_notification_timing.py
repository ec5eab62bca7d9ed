"""When a failed message is tried again, and which ISO week a weekly list belongs to."""
from datetime import date, timedelta

from lms.mail import LONGEST_WAIT, retry_delay
from lms.notifications.services import iso_week


def test_the_wait_after_a_failure_doubles_from_a_minute_up_to_four_hours():
    assert [retry_delay(tries) for tries in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(8) == timedelta(minutes=128) and retry_delay(9) == LONGEST_WAIT == timedelta(hours=4)
    assert retry_delay(40) == LONGEST_WAIT


def test_a_week_is_the_iso_week_across_the_new_year():
    assert iso_week(date(2026, 12, 28)) == iso_week(date(2027, 1, 3)) == "2026-W53"
    assert iso_week(date(2027, 1, 4)) == "2027-W01"
    assert iso_week(date(2017, 10, 2)) != iso_week(date(2017, 10, 1))  # Monday starts a new one

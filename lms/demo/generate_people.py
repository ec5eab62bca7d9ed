"""The generated people: who they are, where they work and since when, their account and their
lessons. Each person is drawn from a Random of their own (the seed and their index), so that any
batch can be made again, alone, and comes out the same.
"""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from sqlalchemy import select

from lms.auth.models import User
from lms.demo.seed import FAMILY, GIVEN_FEMALE, GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE, PLACES, slug
from lms.extensions import db
from lms.localtime import LOCAL_TIMEZONE
from lms.org.models import Staff

SYSTEM_START = datetime(2016, 1, 4, 1, tzinfo=timezone.utc)  # records entered when the system opened
LAST_HIRE = date(2025, 6, 30)
LAST_CHANGE = date(2026, 6, 30)  # the last move or departure
CUTOFF = datetime(2026, 10, 31, tzinfo=timezone.utc)  # nothing generated happens later
# The hash of seed.DEMO_PASSWORD (Demo@2017), computed once: hashing 100 000 passwords would take hours.
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$BgC334aHcszxEAfDLCd7bA$8zGkH5PAZTBV6+Iu05Gr25k9smcn4eZtU71lfxglOxA"
PRIMARY_SERIALS = 500_000  # the six-digit part of a first-choice ID number; above it, replacements
FEMALE_SHARE = {"GV-MAMNON": 0.97, "GV-TIEUHOC": 0.85, "GV-THCS": 0.72, "GV-THPT": 0.65, "CB-PHUNU": 1.0, "CC-CONGAN": 0.05, "CC-QUANSU": 0.03}
MOVED_SHARE, LEFT_SHARE, ACCOUNT_SHARE, LEARNING_SHARE = 0.03, 0.02, 0.60, 0.5


def at_local(day, hour=8):
    """A Hanoi working hour of `day` as aware UTC."""
    return datetime.combine(day, time(hour), LOCAL_TIMEZONE).astimezone(timezone.utc)


def _day_between(rng, first, last):
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


@dataclass
class Person:
    index: int
    rng: random.Random
    unit: str
    title: Optional[str]
    organiser: str
    full_name: str
    sex: str
    birth_date: date
    birth_place: str
    email: str
    phone: str
    hired_at: datetime
    moved: Optional[tuple] = None  # (previous unit code, its organiser, moved at)
    left_at: Optional[datetime] = None
    account_at: Optional[datetime] = None
    ability: float = 0.0
    id_number: str = ""
    exists: bool = False
    replacements: int = 0
    staff_id: int = None
    user_id: int = None
    quarters: list = field(default_factory=list)  # the quarters in which the person could sit an exam
    sittings: list = field(default_factory=list)

    @property
    def female(self):
        return self.sex == "female"

    def unit_at(self, moment):
        """(unit code, organiser) the person worked in at `moment`."""
        if self.moved and moment < self.moved[2]:
            return self.moved[0], self.moved[1]
        return self.unit, self.organiser

    def id_prefix(self):
        # CCCD: 001 (Hà Nội), the sex/century digit, two digits of the birth year (seed._person's layout).
        return f"001{(1 if self.female else 0) + (2 if self.birth_date.year >= 2000 else 0)}{self.birth_date.year % 100:02d}"

    def replace_id_number(self, seed):
        """Another ID number, above the first-choice range, when the first one belongs to someone
        else: drawn from a Random of its own so that the person's other draws stay the same."""
        self.replacements += 1
        serial = PRIMARY_SERIALS + random.Random(f"{seed}:{self.index}:{self.replacements}").randrange(1_000_000 - PRIMARY_SERIALS)
        self.id_number = f"{self.id_prefix()}{serial:06d}"


def make_person(plan, seed, index):
    rng = random.Random(seed * 1_000_003 + index)
    unit, title = plan.slot_of(index)
    organiser = plan.units[unit][1]
    female = rng.random() < FEMALE_SHARE.get(title, 0.3 if (title or "").startswith("CB-") else 0.55)
    family, middle = rng.choice(FAMILY), rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    birth = date(rng.randint(1964, 1998), rng.randint(1, 12), rng.randint(1, 28))
    domain = "hanoiedu.vn" if (title or "").startswith("GV-") else "hanoi.gov.vn"
    email = f"{slug(given)}{slug(family)[0]}{slug(middle)[0]}.{index}@{domain}".lower() if rng.random() < 0.85 else ""
    phone = f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.7 else ""
    # Hired between 22 and 35 (most before the programme began), none after LAST_HIRE.
    first_day = max(date(birth.year + 22, birth.month, birth.day), date(1990, 1, 1))
    hired = _day_between(rng, first_day, min(date(birth.year + 35, birth.month, birth.day), LAST_HIRE))
    person = Person(index, rng, unit, title, organiser, f"{family} {middle} {given}", "female" if female else "male", birth,
                    rng.choice(PLACES), email, phone, at_local(hired), ability=rng.gauss(0, 1))
    earliest_change = hired + timedelta(days=365)
    if rng.random() < MOVED_SHARE and earliest_change < LAST_CHANGE:
        same_district = [code for code in plan.by_title.get((organiser, title), []) if code != unit]
        anywhere = [code for code in plan.by_title.get((None, title), []) if code != unit]
        choices = same_district if same_district and rng.random() < 0.7 else anywhere
        if choices:
            previous = rng.choice(choices)
            person.moved = (previous, plan.units[previous][1], at_local(_day_between(rng, earliest_change, LAST_CHANGE)))
    if rng.random() < LEFT_SHARE:
        first = max(earliest_change, date(2017, 1, 1), (person.moved[2].date() + timedelta(days=90)) if person.moved else earliest_change)
        if first < LAST_CHANGE:
            person.left_at = at_local(_day_between(rng, first, LAST_CHANGE), 17)
    if rng.random() < ACCOUNT_SHARE:
        first, last = max(hired, date(2017, 3, 1)), (person.left_at or CUTOFF).date() - timedelta(days=30)
        if first < last:
            person.account_at = at_local(_day_between(rng, first, last), rng.randint(8, 16))
    person.id_number = f"{person.id_prefix()}{(index * 7919 + seed * 104_729) % PRIMARY_SERIALS:06d}"
    return person


def resolve_id_numbers(people, seed):
    """Settle each person's ID number against the database: `exists` for those an earlier run
    made (same number, name and birth date); a number held by anyone else is replaced."""
    pending, taken = list(people), set()
    while pending:
        found = {row.id_number: (row.full_name, row.birth_date) for row in db.session.execute(
            select(Staff.id_number, Staff.full_name, Staff.birth_date).where(Staff.id_number.in_([p.id_number for p in pending])))}
        retry = []
        for person in pending:
            known = found.get(person.id_number)
            if known == (person.full_name, person.birth_date):
                person.exists = True
            elif known is None and person.id_number not in taken:
                person.exists = False
            else:
                person.replace_id_number(seed)
                retry.append(person)
                continue
            taken.add(person.id_number)
        pending = retry


def free_usernames(people):
    """The ID numbers (the usernames provisioning gives) of these people that no account has yet."""
    wanted = [person.id_number for person in people if person.account_at is not None]
    taken = set(db.session.execute(select(User.username).where(User.username.in_(wanted))).scalars()) if wanted else set()
    return set(wanted) - taken


def staff_rows(person, world):
    """The staff record and its postings (one, or the earlier one ended by a move)."""
    status = "left" if person.left_at else "active"
    created = max(person.hired_at, SYSTEM_START)
    changes = [moment for moment in (person.left_at, person.moved[2] if person.moved else None) if moment]
    title_id = world.titles.get(person.title)
    staff = {"id": person.staff_id, "full_name": person.full_name, "birth_date": person.birth_date, "birth_place": person.birth_place,
             "sex": person.sex, "id_number": person.id_number, "unit_id": world.plan.units[person.unit][0], "title_id": title_id,
             "email": person.email, "phone": person.phone, "status": status, "created_at": created,
             "updated_at": max([created, *changes])}
    postings, started = [], person.hired_at
    if person.moved:
        previous, _organiser, moved_at = person.moved
        postings.append({"staff_id": person.staff_id, "unit_id": world.plan.units[previous][0], "title_id": title_id,
                         "started_at": started, "ended_at": moved_at, "reason": "Tạo hồ sơ"})
        started = moved_at
    postings.append({"staff_id": person.staff_id, "unit_id": staff["unit_id"], "title_id": title_id, "started_at": started,
                     "ended_at": person.left_at, "reason": "Điều động" if person.moved else "Tạo hồ sơ"})
    return staff, postings


def account_rows(person):
    """The account (username: the ID number, as provisioning gives it; password Demo@2017) and its learner role."""
    last_login = person.account_at + timedelta(days=person.rng.randint(1, 400))
    user = {"id": person.user_id, "username": person.id_number, "password_hash": PASSWORD_HASH, "display_name": person.full_name,
            "staff_id": person.staff_id, "enabled": person.left_at is None, "locale": None, "created_at": person.account_at,
            "last_login_at": min(last_login, person.left_at or CUTOFF, CUTOFF)}
    return user, {"user_id": person.user_id, "role": "learner", "unit_id": None}


def lesson_rows(person, world):
    """Progress through the published lessons of the person's path courses (the basic ones
    without a title), in path order, for about half of the account holders; some stop early."""
    rng = person.rng
    if not world.lessons or rng.random() >= LEARNING_SHARE:
        return []
    rows, moment = [], person.account_at + timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 8))
    stop_chance = rng.choice((0.01, 0.04, 0.15))
    end = min(person.left_at or CUTOFF, CUTOFF)
    for module_id in world.path_modules.get(person.title, world.basic_module_ids):
        for lesson_id in world.lessons.get(module_id, ()):
            if moment >= end or rng.random() < stop_chance:
                return rows
            seconds = rng.randint(180, 1800)
            done = rng.random() < 0.88
            finished = moment + timedelta(seconds=seconds)
            rows.append({"user_id": person.user_id, "lesson_id": lesson_id, "started_at": moment,
                         "last_seen_at": finished, "completed_at": finished if done else None, "seconds_spent": seconds,
                         "last_position": 100 if done else rng.randint(5, 90)})
            moment = finished + timedelta(hours=rng.choice((0, 0, 1, 20, 24, 70)), minutes=rng.randint(1, 50))
    return rows

"""Data for the report export tests, seeded once per test module (the demo and an exam
session take seconds, and those tests only read): import `seeded` and `sat` as fixtures."""
import pytest
from certificate_support import ALL_RIGHT, FAILING, PASSING, issue_all, released_session

from lms.extensions import db


@pytest.fixture(scope="module")
def seeded(app, clear_tables):
    """The demo, with three officials of Phường Bồ Đề (Long Biên) who sat a basic exam: one
    passed every module, one passed the exam without IU05 and IU06, one failed; certificates
    issued; IU06 assigned to Long Biên's Tư pháp officials (gaps with a deadline)."""
    from lms.catalogue.loader import load_catalogues
    from lms.courses.seed import seed_courses
    from lms.demo import seed
    from lms.models_base import utcnow

    with app.app_context():
        clear_tables()
        load_catalogues()
        seed.seed_units_staff_accounts()
        seed_courses(utcnow())
        db.session.commit()
        session, _candidates, _attempts = released_session([ALL_RIGHT, PASSING, FAILING])
        issue_all(session)
        db.session.remove()


@pytest.fixture()
def sat(app, seeded):
    """An app context over the seeded data."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()

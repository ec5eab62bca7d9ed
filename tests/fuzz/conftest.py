"""Hypothesis profiles for the fuzz tests: `ci` (the default) is deterministic and small enough for
every CI run; HYPOTHESIS_PROFILE=deep runs many more, random examples, for a long local run."""
import os

import pytest
from hypothesis import HealthCheck, settings
from ranking_support import seeded  # noqa: F401  (a fixture)

from lms.extensions import db as _db

# The db fixtures are function-scoped on purpose: each example works in a savepoint it rolls back.
COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, derandomize=True, database=None, print_blob=True, **COMMON)
settings.register_profile("deep", max_examples=3000, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture()
def hanoi(app, seeded):  # noqa: F811  (the fixture imported above)
    """An app context over the demo's units, staff and accounts, seeded once for the module;
    the imports fuzzed on it run in savepoints they roll back."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()

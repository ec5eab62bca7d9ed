"""The test client that gives each request its own app context, as in production: shared by
tests/conftest.py and the fault tests' app (tests/faults/conftest.py)."""
import contextvars

from flask.globals import _cv_app
from flask.testing import FlaskClient

from lms.extensions import db


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in
    production, even while the test body holds an app context of its own."""

    def open(self, *args, **kwargs):
        def run():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)

        outer = _cv_app.get(None)
        if outer is not None:
            db.session.commit()  # what the test set up is visible to the request
        response = contextvars.copy_context().run(run)
        if outer is not None:
            db.session.commit()  # and the test's next reads see what the request wrote
        return response

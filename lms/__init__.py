"""Hanoi IT-skills LMS.

The package itself imports nothing, so that the pure modules (the exam engine, the
question types, the blueprint rules) load without Flask or SQLAlchemy; the
application factory lives in lms.app.
"""


def create_app(config=None):
    from lms.app import create_app as build

    return build(config)

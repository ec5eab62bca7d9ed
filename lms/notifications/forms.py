from flask_wtf import FlaskForm


class NoticeActionForm(FlaskForm):
    """A bare POST with its CSRF token (mark read, retry a message)."""

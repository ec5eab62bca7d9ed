"""What the areas' forms share: filter forms (GET, no CSRF token), code and name fields of the
catalogues, choices from a label mapping."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class FilterForm(FlaskForm):
    """A list's filters, read from the query string: nothing to protect with a CSRF token."""

    class Meta:
        csrf = False


def code_field(label):
    """A catalogue code (unit, title, bloc): letters, digits and . _ - only."""
    return StringField(label, validators=[DataRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9._-]+$")])


def name_field(label):
    return StringField(label, validators=[DataRequired(), Length(max=200)])


def label_choices(labels, first=None):
    """[(key, translated label)] of a mapping of N_ labels, after `first` (a (key, label) pair) when given."""
    return ([first] if first else []) + [(key, _l(label)) for key, label in labels.items()]

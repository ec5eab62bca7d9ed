"""Marking strings for translation that are translated later, where they are shown."""


def N_(text):
    """Mark a string for extraction (pybabel finds N_ by default); translated where it is displayed."""
    return text

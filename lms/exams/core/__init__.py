"""The exam rules in pure Python: no Flask, no SQLAlchemy. Tested to import without either."""

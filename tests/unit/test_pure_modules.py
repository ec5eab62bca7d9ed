"""The modules that claim to be pure import with Flask and SQLAlchemy blocked, each in a fresh
interpreter (an import elsewhere in the suite must not hide one they pull in)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "lms.exams.core.engine",
    "lms.exams.core.drawing",
    "lms.exams.core.flow",
    "lms.exams.core.blueprint_rules",
    "lms.exams.core.analysis",
    "lms.questionbank.types",
    "lms.questionbank.type_base",
    "lms.questionbank.schema",
    "lms.questionbank.responses",
    "lms.questionbank.markup",
    "lms.messages",
    "lms.text",
    "lms.localtime",
    "lms.certificates.record",
    "lms.certificates.rules",
    "lms.certificates.document",
    "lms.certificates.credentials",
    "lms.certificates.status_list",
    "lms.auth.codes",
    "lms.auth.slips",
]
BLOCKER = """
import importlib.abc, sys
BLOCKED = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "flask_wtf", "flask_migrate", "sqlalchemy", "werkzeug", "jinja2", "wtforms")
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: this module must stay pure")
        return None
sys.meta_path.insert(0, Blocker())
import importlib
importlib.import_module(sys.argv[1])
loaded = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
assert not loaded, loaded
"""


@pytest.mark.parametrize("module", PURE)
def test_a_pure_module_imports_without_flask_or_sqlalchemy(module):
    result = subprocess.run([sys.executable, "-c", BLOCKER, module], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_blocker_would_catch_an_impure_module():
    result = subprocess.run([sys.executable, "-c", BLOCKER, "lms.exams.attempts"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "blocked" in result.stderr

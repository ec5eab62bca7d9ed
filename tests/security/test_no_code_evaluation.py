"""No question, bank, lesson or import content is ever evaluated as code: no eval/exec,
no unsafe YAML or pickle anywhere in lms/, no template built from stored text; a
template expression in a question or a lesson reads as the text it is."""
import ast
from pathlib import Path

import pytest
from exam_support import add_question, make_pool, single_choice

from lms.extensions import db

LMS = Path(__file__).resolve().parents[2] / "lms"
# Calls that run text as code, or rebuild objects from bytes: none has a place in the app.
BUILTIN_CALLS = {"eval", "exec", "compile", "__import__"}  # by name: re.compile is fine
FORBIDDEN_CALLS = BUILTIN_CALLS | {"render_template_string", "from_string", "unsafe_load", "full_load"}
FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
TEMPLATE_EXPRESSIONS = "{{ 1234+4321 }} {{ config.SECRET_KEY }} {% for x in range(3) %}lặp{% endfor %} ${1234+4321} #{1234+4321}"


def lms_modules():
    return sorted(LMS.rglob("*.py"))


def called_name(node):
    """The name a call's function is known by, when it is one of the forbidden forms."""
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr if function.attr in FORBIDDEN_CALLS - BUILTIN_CALLS or function.attr == "load" else None
    return getattr(function, "id", None)


def test_no_module_of_the_app_evaluates_text_or_unpickles_bytes():
    found = []
    for path in lms_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(LMS.parent)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call) and called_name(node) in FORBIDDEN_CALLS:
                found.append(f"{where} {called_name(node)}()")
            if isinstance(node, ast.Call) and called_name(node) == "load" and isinstance(node.func, ast.Attribute) \
                    and getattr(node.func.value, "id", None) == "yaml":
                found.append(f"{where} yaml.load() (safe_load only)")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
                found += [f"{where} import {name}" for name in names if name.split(".")[0] in FORBIDDEN_MODULES]
    assert len(lms_modules()) > 100
    assert found == []


def test_the_scan_finds_what_it_looks_for():
    """The check can fail: each forbidden form in a module is reported."""
    sample = "yaml.load(text)\neval(text)\nflask.render_template_string(text)\nre.compile(text)\ncompile(text, 'x', 'exec')\n"
    calls = [called_name(node) for node in ast.walk(ast.parse(sample)) if isinstance(node, ast.Call)]
    assert sorted(filter(None, calls)) == ["compile", "eval", "load", "render_template_string"]


@pytest.mark.parametrize("text_format", ["markdown", "html", "plain"])
def test_template_expressions_in_a_question_are_shown_as_written(client, auth, demo, text_format):
    bank = make_pool(per_module=0, modules=())
    data = single_choice("IU04-MAU", "IU04")
    data.update(text=f"Câu mẫu {TEMPLATE_EXPRESSIONS}", text_format=text_format)
    data["choices"][0]["text"] = "{{ 6789+1111 }}"
    question = add_question(bank, data)
    db.session.commit()
    auth.login("trainer")
    for page in (f"/questionbank/questions/{question.id}", f"/questionbank/questions/{question.id}/preview"):
        html = client.get(page).get_data(as_text=True)
        assert "{{ 1234+4321 }}" in html and "{{ 6789+1111 }}" in html and "${1234+4321}" in html and "lặp" in html, page
        assert "5555" not in html and "7900" not in html and "lặplặp" not in html
        assert "test-secret" not in html  # the app's SECRET_KEY in the tests

"""The English interface: the language switch, translated pages, and a complete catalogue.

Needs the compiled catalogue (`make translations`, which `make test` runs first)."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# %(name)s, %(n)d, %s, %% … as Python's %-formatting reads them.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrs%]")


def _catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle, locale="en")


def _messages():
    return [message for message in _catalogue() if message.id]


def _text(response):
    return response.get_data(as_text=True)


# --- the catalogue ---------------------------------------------------------------------------

def test_every_message_is_translated_and_not_fuzzy():
    messages = _messages()
    assert len(messages) > 700
    untranslated = [message.id for message in messages if not message.string]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_the_placeholders_of_the_source():
    wrong = []
    for message in _messages():
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for text in strings:
            if sorted(PLACEHOLDER.findall(ids[0])) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((ids[0], text))
            for mark in ("«", "»"):
                if ids[0].count(mark) != text.count(mark):
                    wrong.append((ids[0], text))
    assert wrong == []


def test_translations_are_english():
    """No msgstr left in Vietnamese: letters with Vietnamese diacritics only in place names or
    inside the parentheses and quotation marks that keep an official Vietnamese term."""
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
    quoted = re.compile(r"\([^()]*\)|“[^”]*”|«[^»]*»")
    place_names = ("Long Biên", "Hà Nội")
    leftovers = []
    for message in _messages():
        text = message.string
        for name in place_names:
            text = text.replace(name, "")
        while quoted.search(text):
            text = quoted.sub("", text)
        if vietnamese.search(text):
            leftovers.append(message.string)
    assert leftovers == []


# --- the interface ---------------------------------------------------------------------------

def test_login_page_in_english_then_back_to_vietnamese(client, auth, compiled):
    page = _text(client.get("/login"))
    assert "Đăng nhập" in page and "Mật khẩu" in page

    response = auth.switch_language("en")
    assert response.status_code == 302
    page = _text(client.get("/login"))
    assert "Sign in" in page
    assert "Password" in page
    assert "Username" in page
    assert "Đăng nhập" not in page and "Mật khẩu" not in page
    assert '<html lang="en">' in page

    auth.switch_language("vi")
    page = _text(client.get("/login"))
    assert "Đăng nhập" in page and "Mật khẩu" in page
    assert "Sign in" not in page
    assert '<html lang="vi">' in page


def test_learner_home_in_english_after_sign_in(client, auth, demo, compiled):
    response = auth.login("learner")
    assert response.status_code == 302
    home = response.headers["Location"]
    assert "Lộ trình học của bạn" in _text(client.get(home, follow_redirects=True))

    assert auth.switch_language("en", "/account/password").status_code == 302
    page = _text(client.get(home, follow_redirects=True))
    for label in ("Learning", "Courses", "Exams", "Sign out", "Hello,", "Your learning path", "Assigned courses"):
        assert label in page, label
    for label in ("Học tập", "Đăng xuất", "Lộ trình học của bạn", "Khóa học được giao"):
        assert label not in page, label

    auth.switch_language("vi", "/account/password")
    page = _text(client.get(home, follow_redirects=True))
    assert "Lộ trình học của bạn" in page and "Đăng xuất" in page
    assert "Your learning path" not in page

    auth.logout()
    assert "Đăng nhập" in _text(client.get("/login"))


def test_language_chosen_before_sign_in_is_kept(client, auth, demo, compiled):
    auth.switch_language("en")
    response = auth.login("learner")
    page = _text(client.get(response.headers["Location"], follow_redirects=True))
    assert "Your learning path" in page


def test_flash_messages_follow_the_language(client, auth, demo, compiled):
    auth.switch_language("en")
    page = _text(auth.login("learner", password="wrong password"))
    assert "Incorrect username or password." in page


# --- labels kept in module-level dictionaries (marked with N_, translated where shown) ----------

def test_staff_status_and_role_names_in_english(client, auth, demo, compiled):
    auth.login("hr")
    assert "<td>Đang công tác</td>" in _text(client.get("/org/staff/"))
    auth.switch_language("en", "/account/password")
    staff = _text(client.get("/org/staff/"))
    assert "<td>Active</td>" in staff
    assert "Đang công tác" not in staff
    auth.logout()

    auth.login("admin")
    auth.switch_language("en", "/account/password")
    accounts = _text(client.get("/admin/accounts/"))
    for label in ("<td>Learner</td>", "<td>Trainer</td>", "<td>System administration</td>", "<td>HR officer (TCCB) ("):
        assert label in accounts, label
    assert "Học viên" not in accounts and "Cán bộ tổ chức (TCCB)" not in accounts


def test_json_error_message_follows_the_language(client, auth, demo, compiled):
    auth.login("learner")
    auth.switch_language("en", "/account/password")
    api = client.get("/org/staff/", headers={"Accept": "application/json"})
    assert api.status_code == 403
    assert api.get_json() == {"error": 403, "message": "You do not have permission to access this page."}


def test_exam_question_bodies_follow_the_language_of_each_request(app, compiled):
    import json

    from lms.exams.take import queries

    question = {"key": "TF", "type": "true_false", "text": "Telex gõ chữ “ư” bằng phím w.", "module": "IU02", "points": 1.0, "answer": True}
    content = json.dumps(question, ensure_ascii=False)
    for path, words, absent in (("/?lang=en", ("True", "False"), "Đúng"), ("/?lang=vi", ("Đúng", "Sai"), "True"),
                                ("/?lang=en", ("True", "False"), "Đúng")):
        with app.test_request_context(path):
            app.preprocess_request()
            locale = "en" if "en" in path else "vi"
            html = queries._question_parts(4242, content, locale).body(4242, content, "{}", locale)
            assert all(f"> {word}</label>" in html for word in words) and absent not in html, (path, html)

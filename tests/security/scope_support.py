"""Two sibling districts for the scope and cross-candidate attacks: Long Biên (A) and Gia Lâm (B),
each with an official of a distinctive name and an account, and everything B's official has
that an id can name — exam attempts, a practical file, a certificate, a practice quiz, an
overdue assignment, reported figures, jobs of B's HR officer, a question bank of B's trainer.
Seeded once per module: import `world_fixture` and `ctx_fixture` (the fixtures `world`, `ctx`).
The sweeps call every GET route of the app that takes an id with B's ids, and every list page
with searches for B, and say where B's data came back."""
import io
import itertools
import re
import unicodedata
import zipfile
from datetime import timedelta

import pytest
from certificate_support import ALL_RIGHT, issue_all
from exam_support import add_question, docx_bytes, make_pool, make_session, single_choice, sit
from openpyxl import load_workbook
from pypdf import PdfReader
from ranking_support import FULL, report, unit

from lms.auth.services import create_user, find_user
from lms.catalogue.models import Title
from lms.courses import practice
from lms.courses import services as courses
from lms.courses.queries import course_by_module_code
from lms.exams import design, starting, uploads
from lms.exams.manage.services import release_results
from lms.extensions import db
from lms.jobs import Job
from lms.localtime import local_today
from lms.models_base import utcnow
from lms.org import services as org
from lms.questionbank.models import QuestionBank
from tests.conftest import DEMO_PASSWORD, Auth

YEAR = str(local_today().year)
A_DISTRICT, A_WARD, B_DISTRICT, B_WARD = "LB", "LB-BODE", "GL", "GL-BATTRANG"
A_PERSON = {"full_name": "Mạc Đĩnh Chi", "id_number": "001088555001", "email": "macdinhchi@longbien.test", "username": "macdinhchi_lb"}
B_PERSON = {"full_name": "Tô Hiến Thành", "id_number": "001099777001", "email": "tohienthanh@gialam.test", "username": "tohienthanh_gl"}
# What shows that an answer carries B's person: the name, ID number, e-mail, account, and the
# ward they work in (no page of A's officers names a ward of Gia Lâm).
B_MARKERS = (B_PERSON["full_name"], B_PERSON["id_number"], B_PERSON["email"], B_PERSON["username"], "Bát Tràng")
OFFICERS_OF_A = ("hr", "trainer_lb", "proctor_lb")  # the demo's HR officer of Long Biên, and two made here

# Routes whose id names nothing of a unit or a person, each for a reason: shared content and
# catalogues, public pages, admin-only tools (refused to the others by role, tests/web/test_access.py).
SHARED = {
    "static": "the app's own files",
    "verification.verify": "public verification of a certificate shows its holder by design",
    "verification.achievement": "public description of a certificate kind",
    "verification.status_list": "public revocation list: bits, no names",
    "activation.reset_password": "a signed-out page keyed by a secret token",
    "exam_admin.blueprint_detail": "exam structures are shared city-wide (tests/web/test_exam_scope.py)",
    "exam_admin.blueprint_form": "exam structures are shared city-wide",
    "questionbank.media": "question images: tests/web/test_questionbank_access.py, test_question_image_access.py",
    "questionbank.question_create": "a blank form in a bank: the bank's own pages are swept",
    "questionbank.import_upload": "a blank form in a bank: the bank's own pages are swept",
    "questionbank.export": "the bank's export: refused with the bank (tests/web/test_questionbank_access.py)",
    "org.import_upload": "the upload form of an import kind",
    "org.import_template": "an empty template",
    "org.module_form": "the module catalogue (admin)",
    "org.title_form": "the title catalogue (admin)",
    "org.blocs": "the emulation blocs (admin)",
    "courses.course": "course content, the same for every unit",
    "courses.resume": "course content",
    "courses.lesson": "course content",
    "courses.lesson_image": "course content",
    "courses.attachment": "course content",
    "course_admin.edit_lesson": "course content (trainers)",
    "course_admin.lesson_image": "course content (trainers)",
    "api_clients.revoke_client": "API clients (admin)",
}
FORMATS = ("csv", "xlsx", "pdf")


def _staff(person, ward, title_code):
    title = db.session.query(Title).filter_by(code=title_code).one()
    values = {"full_name": person["full_name"], "id_number": person["id_number"], "email": person["email"], "status": "active",
              "birth_place": "Hà Nội", "sex": "male"}
    staff, _created = org.save_staff(values, unit(ward), title)
    user = create_user(person["username"], DEMO_PASSWORD, person["full_name"], roles=["learner"], staff=staff, enforce_policy=False)
    return staff, user


def _build():
    """The two districts' data; returns B's ids (and A's controls) by route argument."""
    staff_a, _user_a = _staff(A_PERSON, A_WARD, "CC-TUPHAP")
    staff_b, user_b = _staff(B_PERSON, B_WARD, "CC-TUPHAP")
    for username, role, district in (("trainer_lb", "trainer", A_DISTRICT), ("proctor_lb", "proctor", A_DISTRICT), ("hr_gl", "hr", B_DISTRICT)):
        create_user(username, DEMO_PASSWORD, f"{role} {district}", roles=[role], unit=unit(district), enforce_policy=False)
    bank = make_pool(practical=("IU03",))
    for index in range(3):
        add_question(bank, {**single_choice(f"IU01-LT-{index}", "IU01"), "pool": "practice"})
    db.session.commit()

    # B's own session, organised by Gia Lâm: B passes it, results released, certificate issued.
    session_b, candidate_b = make_session(username=B_PERSON["username"], organiser=unit(B_DISTRICT))
    session_b.name = "Kỳ thi riêng huyện Gia Lâm"
    graded_b = sit(candidate_b, session_b.blueprint.parts[0], ALL_RIGHT)
    release_results(session_b, utcnow(), find_user("admin"))
    db.session.commit()
    certificate = issue_all(session_b)[0]

    # A session of Long Biên that a city trainer opened to B too: A's person and B sit it side by
    # side; B's theory attempt stays open, B's practical is handed in with a file.
    session_a, candidate_a = make_session(practical=True, username=A_PERSON["username"], organiser=unit(A_DISTRICT))
    session_a.name = "Kỳ thi quận Long Biên"
    candidate_b_in_a = design.add_candidate(session_a, staff_b, user_b)
    theory, practical_part = sorted(session_a.blueprint.parts, key=lambda part: part.kind != "theory")
    own_a, _ = starting.start_attempt(candidate_a, theory, utcnow())
    open_b, _ = starting.start_attempt(candidate_b_in_a, theory, utcnow())
    practical_b, _ = starting.start_attempt(candidate_b_in_a, practical_part, utcnow())
    upload = uploads.store_upload(practical_b, practical_b.questions[0], "bai-lam-to-hien-thanh.docx", docx_bytes(), utcnow())
    from lms.exams.attempts import submit_attempt

    submit_attempt(practical_b, utcnow())
    db.session.commit()
    # A monthly session of Long Biên that both sat to the end: its item analysis counts answers.
    session_c, candidate_a_c = make_session(username=A_PERSON["username"], organiser=unit(A_DISTRICT))
    session_c.name = "Kỳ thi tháng quận Long Biên"
    sat_c = [sit(candidate, session_c.blueprint.parts[0], correct)
             for candidate, correct in ((candidate_a_c, ALL_RIGHT), (design.add_candidate(session_c, staff_b, user_b), {}))]

    course = course_by_module_code("IU01", published_only=False)
    quiz = practice.start_practice(user_b, course)
    courses.create_assignment(course, local_today() - timedelta(days=30), find_user("trainer_gl"), unit=unit(B_DISTRICT))
    report(A_DISTRICT, YEAR, FULL)
    report(B_DISTRICT, YEAR, {**FULL, "online_applications_pct": 60})
    report(B_WARD, YEAR, FULL)
    hr_gl = find_user("hr_gl")
    jobs = [Job(kind=kind, params={"session_id": session_b.id}, state="done", result={"filename": f"{B_PERSON['id_number']}.xlsx"},
                created_by_id=hr_gl.id) for kind in ("reports.export", "certificates.issue_session")]
    bank_b = QuestionBank(name=f"Ngân hàng riêng của {B_PERSON['full_name']}", owner_id=find_user("trainer_gl").id)
    db.session.add_all([*jobs, bank_b])
    db.session.flush()
    question_b = add_question(bank_b, {**single_choice("GL-1", "IU02"), "text": f"Câu hỏi của {B_PERSON['full_name']}?"})
    db.session.commit()
    pool_question = open_b.questions[0].version.question_id
    return {
        "unit_id": [unit(B_DISTRICT).id, unit(B_WARD).id],
        "staff_id": [staff_b.id],
        "user_id": [user_b.id],
        "session_id": [session_b.id, session_a.id, session_c.id],
        "attempt_id": [graded_b, open_b.id, practical_b.id],
        "candidate_id": [candidate_b.id, candidate_b_in_a.id],
        "upload_id": [upload.id],
        "code": [certificate.code],
        "job_id": [job.id for job in jobs],
        "bank_id": [bank_b.id],
        "question_id": [question_b.id, pool_question],
        "course_id": [course.id],
        "practice_id": [quiz.id],
        "index": [0],
        "report": ["units", "gaps"],
        "fmt": list(FORMATS),
        # A's own, for the controls and the learner's attempts at writing.
        "own_attempt": own_a.id, "session_a": session_a.id, "session_b": session_b.id, "open_b": open_b.id,
        "practical_b": practical_b.id, "graded_b": graded_b, "session_c": session_c.id, "sat_c": sat_c,
    }


@pytest.fixture(scope="module", name="world")
def world_fixture(app, clear_tables):
    """The demo with A's and B's data above, seeded once for the module: B's ids by argument."""
    from lms.catalogue.loader import load_catalogues
    from lms.courses.seed import seed_courses
    from lms.demo import seed

    with app.app_context():
        clear_tables()
        load_catalogues()
        seed.seed_units_staff_accounts()
        seed_courses(utcnow())
        db.session.commit()
        ids = _build()
        db.session.remove()
    return ids


@pytest.fixture(name="ctx")
def ctx_fixture(app, world):
    """An app context over the world; B's ids."""
    with app.app_context():
        yield world
        db.session.rollback()
        db.session.remove()


def signed_in(app, username):
    client = app.test_client()
    assert Auth(client).login(username).status_code == 302, username
    return client


# --- What an answer holds ----------------------------------------------------------------------


def _pdf_text(data):
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def _zip_text(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "xl/workbook.xml" in archive.namelist():
            book = load_workbook(io.BytesIO(data), read_only=True)
            return "\n".join(str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                             for value in row if value is not None)
        return "\n".join([*archive.namelist(), *(answer_text(archive.read(name)) for name in archive.namelist())])


def answer_text(data):
    """The text of an answer's bytes: a page, JSON or CSV as text, an XLSX's cells, a PDF's text,
    a ZIP's names and members."""
    if data.startswith(b"%PDF"):
        return _pdf_text(data)
    if data.startswith(b"PK"):
        return _zip_text(data)
    return unicodedata.normalize("NFC", data.decode("utf-8", errors="replace"))


def leaked(response, markers=B_MARKERS):
    """B's markers found in a successful answer (a refusal carries nothing)."""
    if response.status_code >= 300:
        return []
    text = answer_text(response.data)
    return [marker for marker in markers if marker in text]


# --- Every GET route taking an id ------------------------------------------------------------


def _values(rule, name, ids):
    if rule.endpoint.startswith("courses.practice") and name == "attempt_id":
        return ids["practice_id"]  # the practice quizzes number their attempts apart
    return ids.get(name)


def id_routes(app):
    """The GET rules that take an argument, minus the shared ones."""
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.arguments and rule.endpoint not in SHARED]


def paths(rule, ids):
    """Every path of `rule` with B's ids; a rule with an argument nobody thought of fails."""
    names = sorted(rule.arguments)
    choices = [_values(rule, name, ids) for name in names]
    assert all(choices), f"{rule.rule}: which of B's ids does {names} take? (scope_support.SHARED or ids)"
    for combination in itertools.product(*choices):
        path = rule.rule
        for name, value in zip(names, combination):
            path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", str(value), path)
        yield path


def get(client, path, api_token=None, query=None):
    """A GET as the signed-in client, or for /api/ with the bearer token, redirects followed
    (an export run as a job ends on its page); never a server error."""
    headers = {"Authorization": f"Bearer {api_token}"} if api_token and path.startswith("/api/") else {}
    response = client.get(path, headers=headers, query_string=query, follow_redirects=True)
    assert response.status_code < 500, (path, query, response.status_code)
    return response


def sweep(client, app, ids, api_token=None):
    """[(path, status, markers)] of every answer to B's ids that carried B's data."""
    found = []
    for rule in id_routes(app):
        for path in paths(rule, ids):
            response = get(client, path, api_token)
            if leaked(response):
                found.append((path, response.status_code, leaked(response)))
    return found


def list_routes(app):
    """The GET rules of lists and their exports: no argument but a format or a report's name."""
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.arguments <= {"fmt", "report"} and rule.endpoint not in SHARED]


def list_sweep(client, app, ids, searches, api_token=None):
    """[(path, query, status, markers)] of the list pages and exports that, asked with one of
    `searches` — (query, markers): a search, a sort, a filter naming B, and what of B's must
    not come back (a page may echo what was searched) — answered with any of those markers."""
    found = []
    for rule in list_routes(app):
        for path in paths(rule, ids):
            for query, markers in searches:
                response = get(client, path, api_token, query)
                if leaked(response, markers):
                    found.append((path, query, response.status_code, leaked(response, markers)))
    return found

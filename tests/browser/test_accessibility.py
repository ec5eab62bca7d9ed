"""Accessibility: axe-core finds no WCAG 2.1 A/AA violation on any page that the learner, the
trainer, the HR officer and the administrator reach from their home page (two links deep), nor
on the exam page of a started attempt, its submit summary and the result, the staff import preview,
nor on the sign-in and public verification pages.

axe-core is vendored (tests/browser/vendor, a test asset the app never serves) and injected into
every page. The page's Content-Security-Policy would refuse the injected script, so this test's
browser contexts bypass it; every other browser test keeps the real policy."""
import hashlib
import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed at /usr/bin/chromium")

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1, see vendor/README.md
AXE_RUN = "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"

ROLES = (("learner", "/learn/"), ("trainer", "/trainer/"), ("hr", "/hr/"), ("admin", "/admin/"))
DEPTH = 2  # links followed from the home page
PAGES_PER_ROLE = 30  # distinct route patterns checked per role: keeps the run bounded
PUBLIC_PAGES = ("/login", "/verify/")

# Files, exports and machine-readable answers are no pages; the rest is refused by its method (POST-only
# actions are forms, never links).
NOT_A_PAGE = re.compile(
    r"\.(pdf|jwt|json|zip|xlsx|csv|docx|pptx|txt|eml|png|jpe?g|gif|svg)$|/export|/files/|/images/|/media/|/uploads/"
    r"|template|^/static/|^/\.well-known/|^/logout")
TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{16,}(?=/|$|\.)")  # verification codes and other opaque keys
NUMBER = re.compile(r"\d+")


def route_pattern(path):
    """One page per route: /org/staff/12 and /org/staff/40 are the same template, as are IU01 and IU02."""
    return NUMBER.sub("{n}", TOKEN.sub("{token}", path))


def test_route_patterns_merge_ids_codes_and_tokens():
    assert route_pattern("/org/staff/12") == route_pattern("/org/staff/407") == "/org/staff/{n}"
    assert route_pattern("/learn/courses/IU01/") == route_pattern("/learn/courses/IU06/")
    assert route_pattern("/verify/ABCDEFGHIJKLMNOPQRSTUVWX") == "/verify/{token}"
    assert route_pattern("/org/import/staff") != route_pattern("/org/import/units")


def test_the_vendored_axe_core_is_the_published_file():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


@pytest.fixture(scope="module")
def demo_site(live, tmp_path_factory):
    """The demo's content on top of the accounts the live server has: question banks, lessons and the
    assignment, the open city session with the learner as candidate, the district session, a finished
    session with released results, its certificates, a ward's accounts waiting for activation. What
    `demo seed` loads, in about five seconds."""
    from sqlalchemy import select

    from lms.demo import seed
    from lms.exams.models import ExamSession
    from lms.extensions import db
    from lms.models_base import utcnow

    app, base = live
    app.config["OUTBOX_DIR"] = str(tmp_path_factory.mktemp("outbox"))  # the certificates' e-mails stay in the test
    with app.app_context():
        now = utcnow()
        seed.seed_question_banks()
        seed.seed_courses(now)
        seed.seed_exam_demo(now)
        seed.seed_finished_session(now)
        seed.seed_certificates()
        seed.seed_ward_accounts()
        db.session.commit()
        open_session = db.session.execute(select(ExamSession.id).where(ExamSession.opens_at <= now, ExamSession.closes_at > now)).scalar_one()
        db.session.remove()
    return base, open_session


class Audit:
    """axe-core's findings over the pages of every role. A route pattern is checked once, by the first
    role reaching it (the same template for the next role); its links are still followed."""

    def __init__(self, browser, base):
        self.browser, self.base = browser, base
        self.checked = {}  # route pattern → where it was checked
        self.violations = {}  # (rule, elements) → axe's violation and the pages it is on
        self.failures = []  # links that did not answer

    def new_page(self):
        """A page in a context of its own that bypasses the CSP, which would refuse the injected axe. axe is
        injected as an init script (compiled once, then cached: a tenth of the time of a script tag per page)."""
        context = self.browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        context.add_init_script(path=str(AXE))
        return context.new_page()

    def sign_in(self, page, username, home):
        page.goto(self.base + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "Demo@2017")
        page.press("input[name=password]", "Enter")
        page.wait_for_url(f"**{home}")

    def visit(self, page, path):
        """Open `path`; False when it is no HTML page (a failure is recorded when it answered 4xx/5xx)."""
        response = page.goto(self.base + path)
        if response is None or response.status >= 400:
            self.failures.append(f"{path}: HTTP {response.status if response else 'no answer'}")
            return False
        return "text/html" in (response.headers.get("content-type") or "")

    def check(self, page, label, pattern=None):
        """Run axe on the page as it is now; `pattern` None: always (a state of one page, such as the exam's)."""
        where = f"{label} ({urlsplit(page.url).path})"
        if pattern is not None:
            if pattern in self.checked:
                return False
            self.checked[pattern] = where
        else:
            self.checked[where] = where
        for violation in page.evaluate(AXE_RUN)["violations"]:
            nodes = violation["nodes"]
            targets = ", ".join(" ".join(node["target"]) for node in nodes[:5]) + (f" … (+{len(nodes) - 5})" if len(nodes) > 5 else "")
            found = self.violations.setdefault((violation["id"], targets), {**violation, "pages": []})
            found["pages"].append(where)
        return True

    def report(self):
        """One paragraph per rule and elements (a fault of the layout shows once, with the pages it is on)."""
        lines = []
        for (rule, targets), violation in self.violations.items():
            pages = violation["pages"]
            summary = " ".join(violation["nodes"][0]["failureSummary"].split())
            lines.append(f"{rule} [{violation['impact']}] {violation['help']}: {targets}\n"
                         f"      on {len(pages)} page(s): {'; '.join(pages[:4])}{' …' if len(pages) > 4 else ''}\n"
                         f"      {summary}\n      {violation['helpUrl']}")
        return lines

    def links(self, page):
        """Same-site link targets of the page, as paths with their query."""
        found = []
        for href in page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)"):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" == self.base and not NOT_A_PAGE.search(parts.path):
                found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return found

    def crawl(self, page, role, home):
        """Breadth first from the home page, DEPTH links deep, one visit per route pattern, PAGES_PER_ROLE checks at most."""
        seen, queue, checks = {route_pattern(home)}, deque([(home, 0)]), 0
        while queue and checks < PAGES_PER_ROLE:
            path, depth = queue.popleft()
            if depth == DEPTH and route_pattern(urlsplit(path).path) in self.checked:
                continue  # checked for another role, and its links would not be followed
            if not self.visit(page, path):
                continue
            landed = route_pattern(urlsplit(page.url).path)  # a redirect may land on a page already visited
            if landed != route_pattern(urlsplit(path).path) and landed in seen:
                continue
            seen.add(landed)
            checks += self.check(page, f"{role} {path}", landed)
            if depth < DEPTH:
                for link in self.links(page):
                    pattern = route_pattern(urlsplit(link).path)
                    if pattern not in seen:
                        seen.add(pattern)
                        queue.append((link, depth + 1))


def the_exam_in_a_browser(audit, page, session_id):
    """The learner starts the demo's open session: the exam page, one question answered, every question on
    one page, the submit summary (and the dialog confirming the submit, where the page has one), the result."""
    page.goto(f"{audit.base}/exams/sessions/{session_id}")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_selector("#exam")
    page.wait_for_url("**/exams/attempts/*")
    audit.check(page, "learner exam page")
    question = page.locator(".exam-q:has(.choice input)").first.get_attribute("data-question")
    page.click(f".nav-q[data-goto='{question}']")  # the first question answered by a choice
    page.locator(".exam-q.active .choice input").first.check()
    page.wait_for_selector(".nav-q.answered")
    page.click("#toggle-mode")
    page.wait_for_selector(".exam.mode-all")
    audit.check(page, "learner exam page, all questions")
    page.click("#toggle-mode")
    page.wait_for_selector(".exam.mode-single")
    page.locator(".exam-nav .nav-q").last.click()
    page.locator(".exam-q.active .review").click()  # the last question's button leads to the summary
    page.wait_for_selector("#submit-step", state="visible")
    page.wait_for_selector("#unanswered-list:not(:empty)")
    audit.check(page, "learner submit summary")
    page.click("#submit-step button.primary")
    if page.locator("dialog#submit-dialog").count():  # the submit asks once more in a dialog
        page.wait_for_selector("#submit-dialog[open]")
        audit.check(page, "learner submit dialog")
        page.click("#submit-dialog button[type=submit]")
    page.wait_for_url("**/exams/attempts/*/result")
    audit.check(page, "learner exam result")


STAFF_FILE = ("Họ và tên,Ngày sinh,Giới tính,Số CCCD,Mã đơn vị,Trạng thái\n"
              "Nguyễn Thị Ánh Tuyết,12/05/1988,Nữ,001188012345,LB-BODE,Đang công tác\n")


def the_staff_import_preview(audit, page):
    """The HR officer's import preview, answered to a posted file: with its row errors, then the rows to confirm."""
    for label, content in (("with errors", STAFF_FILE.replace("12/05/1988", "31/02/1988")), ("to confirm", STAFF_FILE)):
        page.goto(audit.base + "/org/import/staff")
        page.set_input_files("input[type=file]", files=[{"name": "danh-sach.csv", "mimeType": "text/csv", "buffer": content.encode()}])
        page.click("button.primary")
        page.wait_for_selector("table")
        audit.check(page, f"hr staff import preview {label}")


def test_no_wcag_21_a_or_aa_violation_on_the_pages_of_the_four_roles(demo_site, browser):
    base, open_session = demo_site
    audit = Audit(browser, base)
    pages = [audit.new_page()]
    try:
        for path in PUBLIC_PAGES:
            if audit.visit(pages[0], path):
                audit.check(pages[0], f"anonymous {path}", route_pattern(path))
        for role, home in ROLES:
            page = audit.new_page()
            pages.append(page)
            audit.sign_in(page, role, home)
            audit.crawl(page, role, home)
            if role == "learner":
                the_exam_in_a_browser(audit, page, open_session)
            if role == "hr":
                the_staff_import_preview(audit, page)
    finally:
        for page in pages:
            page.context.close()
    checked = len(audit.checked)
    print("pages checked:", *audit.checked.values(), sep="\n  ")  # shown by pytest when the test fails
    assert checked >= 50, f"only {checked} pages checked: the crawl no longer reaches the pages of the roles"
    assert not audit.failures, "links that do not answer:\n" + "\n".join(audit.failures)
    assert not audit.violations, f"WCAG 2.1 A/AA violations on {checked} pages checked:\n  " + "\n  ".join(audit.report())

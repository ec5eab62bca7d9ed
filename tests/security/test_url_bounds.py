"""Every integer a URL carries is bounded: each `<int:>` of app.url_map (enumerated, not listed
by hand) refuses 2^31, 2^63, 2^64 and 10^30 as "not found" before a view runs, and the largest
id it accepts reaches the views without a driver overflow; every list page refuses a page
number out of range, negative or not a number. A 404 or a 400, never a 500."""
import re

from api_support import call, new_token
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound

from lms.auth.services import find_user
from lms.questionbank.models import Question
from lms.questionbank.services import create_bank
from lms.routing import MAX_DATABASE_ID, MAX_PAGE

OUT_OF_RANGE = (2**31, 2**63, 2**64, 10**30)
# Unicode digits that Python's int() takes ("١٢" is 12) and a sign: not ids either.
NOT_IDS = ("-1", "\u0661\u0662", "1e3", "0x10")
BAD_PAGES = ("99999999999999999999", str(2**63), str(MAX_PAGE + 1), "-1", "0", "abc", "1.5", "\u0661", " 1 OR 1=1")
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
MAX_SECONDS_PER_REQUEST = 5


def int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if any(part.group("converter") == "int" for part in ARGUMENT.finditer(rule.rule))]


def url(rule, values, default="1"):
    """The rule's path with `values` for the named arguments, 1 for the other ints and "x" for the rest."""
    def fill(part):
        if part.group("name") in values:
            return str(values[part.group("name")])
        return default if part.group("converter") == "int" else "x"

    return ARGUMENT.sub(fill, rule.rule)


def methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def token_of(auth):
    return auth.csrf_token("/account/password")


def send(client, method, path, token=None, **kwargs):
    headers = {"X-CSRFToken": token} if token else {}
    data = {"csrf_token": token} if token and method != "GET" else None
    return client.open(path, method=method, headers=headers, data=data, **kwargs)


def test_the_url_map_has_int_arguments_to_test(app):
    rules = int_rules(app)
    assert len(rules) > 50  # the enumeration finds them all, whatever the areas add
    converters = [rule._converters[part.group("name")] for rule in rules for part in ARGUMENT.finditer(rule.rule)
                  if part.group("converter") == "int"]
    # No rule widens the bound: `<int(max=2**63):…>` overflowed PostgreSQL's INTEGER ids.
    assert all(type(converter).__name__ == "DatabaseIdConverter" and converter.max <= MAX_DATABASE_ID for converter in converters)


def test_every_int_argument_refuses_an_id_no_column_can_hold(app, client, demo, auth):
    """Routing first (every value, every method: fast), then a real request per argument, signed
    in, to see the answer a browser gets: a rule of a string argument may match instead."""
    adapter = app.url_map.bind("lms.test")
    auth.login("admin")
    token = token_of(auth)
    failures = []
    for rule in int_rules(app):
        for part in ARGUMENT.finditer(rule.rule):
            if part.group("converter") != "int":
                continue
            for value in OUT_OF_RANGE + NOT_IDS:
                path = url(rule, {part.group("name"): value})
                for method in methods(rule):
                    try:
                        matched, _arguments = adapter.match(path, method=method)
                    except (NotFound, MethodNotAllowed):
                        continue
                    if matched == rule.endpoint:
                        failures.append((method, path, "matched"))
            path = url(rule, {part.group("name"): 2**64})
            status = send(client, methods(rule)[0], path, token).status_code
            if status not in (404, 405):
                failures.append((methods(rule)[0], path, status))
    assert failures == []


def test_the_largest_id_reaches_every_view_as_not_found_never_an_overflow(app, client, demo, auth):
    """2^31 − 1 passes the converter: each view looks it up (INTEGER columns hold it on PostgreSQL),
    for an administrator and for a candidate (the exam pages are theirs)."""
    failures = []
    for username in ("admin", "learner"):
        auth.login(username)
        token = token_of(auth)
        for rule in int_rules(app):
            path = url(rule, {}, default=str(MAX_DATABASE_ID))
            for method in methods(rule):
                status = send(client, method, path, token).status_code
                if status >= 500 or status in (200, 201):
                    failures.append((username, method, path, status))
        auth.logout()
    assert failures == []


def test_api_ids_read_by_the_view_are_bounded_like_the_converters(client, demo):
    token = new_token(None)[1]
    for value in (*map(str, OUT_OF_RANGE), *NOT_IDS, str(MAX_DATABASE_ID)):
        for path in (f"/staff/{value}/profile", f"/rankings/units/{value}"):
            answer = call(client, path, token)
            assert answer.status_code == 404 and answer.is_json, (path, answer.status_code)


def list_pages(app):
    """Every page without a path argument: the lists among them read ?page=."""
    return [rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.arguments
            and not rule.rule.startswith(("/static", "/api/v1", "/logout"))]


def test_every_list_refuses_a_page_out_of_range(app, client, demo, auth):
    auth.login("admin")
    failures = []
    for path in list_pages(app):
        for page in ("99999999999999999999", "-1", "abc"):
            status = client.get(path, query_string={"page": page, "per_page": page}).status_code
            if status >= 500:
                failures.append((path, page, status))
    assert failures == []


def test_the_paginated_lists_answer_400_for_a_bad_page_and_show_a_good_one(client, demo, auth):
    auth.login("admin")
    lists = ("/admin/accounts/", "/org/staff/", "/admin/audit/", "/notifications/", "/admin/outbox/", "/questionbank/questions/",
             "/certificates/", "/indicators/", "/admin/api-clients/")
    for path in lists:
        for page in BAD_PAGES:
            refused = client.get(path, query_string={"page": page})
            assert refused.status_code == 400 and "Giá trị page không hợp lệ" in refused.get_data(as_text=True), (path, page)
        assert client.get(path, query_string={"page": "2"}).status_code == 200, path  # past the last page: an empty page


def test_the_report_api_bounds_its_page_too(client, demo):
    token = new_token(None)[1]
    for page in BAD_PAGES:
        answer = call(client, "/reports/gaps", token, page=page)
        assert answer.status_code == 400 and answer.get_json()["error"], page
    assert call(client, "/reports/gaps", token, page=str(MAX_PAGE)).status_code == 200


def test_question_version_numbers_in_the_query_string_are_bounded(client, demo, auth, db):
    from lms.questionbank.schema import QuestionData
    from lms.questionbank.services import create_question

    trainer = find_user("trainer")
    bank = create_bank("Ngân hàng giới hạn", trainer)
    create_question(bank, QuestionData(key="Q1", type="true_false", text="Đúng không?", module="IU01", answer=True), trainer)
    db.session.commit()
    question = db.session.execute(select(Question)).scalar_one()
    auth.login("trainer")
    for value in (*map(str, OUT_OF_RANGE), "-1", "abc", "\u0661"):
        for query in ({"version": value}, {"a": value}, {"b": value}, {"a": value, "b": value}):
            for path in (f"/questionbank/questions/{question.id}/preview", f"/questionbank/questions/{question.id}/history"):
                status = client.get(path, query_string=query).status_code
                assert status in (200, 302, 400, 404), (path, query, status)


def test_the_assignment_course_filter_is_bounded(client, demo, auth):
    auth.login("trainer")
    for value in (*map(str, OUT_OF_RANGE), "-1", "abc", "\u0661"):
        assert client.get("/courses/assignments/overdue", query_string={"course": value}).status_code in (200, 400, 404), value

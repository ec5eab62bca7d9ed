"""Who reaches the exam organisation pages: trainers and administrators, never learners or HR."""
import re

import pytest


def exam_admin_urls(app):
    """Every exam_admin rule, with 1 for each integer argument and csv for a format."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("exam_admin."):
            continue
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
        path = re.sub(r"<[a-z_:]*fmt>", "csv", path)
        assert "<" not in path, path
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        urls.extend((method, path) for method in methods)
    return urls


def test_the_blueprint_declares_trainer_and_admin(app):
    from lms.exams.manage.blueprint import bp

    assert set(bp.lms_roles) == {"trainer", "admin"}
    assert len(exam_admin_urls(app)) >= 25


@pytest.mark.parametrize("username", ["learner", "hr"])
def test_every_exam_admin_url_is_forbidden_to_other_roles(app, client, auth, demo, username):
    auth.login(username)
    token = auth.csrf_token("/account/password")
    for method, path in exam_admin_urls(app):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 403, (method, path, response.status_code)


def test_signed_out_visitors_are_sent_to_sign_in(app, client, db):
    for method, path in exam_admin_urls(app):
        response = client.get(path) if method == "GET" else client.post(path)
        assert response.status_code in (302, 400, 401), (method, path)
        if method == "GET":
            assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("username", ["trainer", "admin"])
def test_trainers_and_admins_open_the_index_and_see_the_home_link(client, auth, demo, username):
    auth.login(username)
    assert client.get("/exams/manage/").status_code == 200
    home = client.get("/trainer/" if username == "trainer" else "/admin/").get_data(as_text=True)
    assert "Tổ chức thi" in home and "/exams/manage/" in home


def test_missing_objects_answer_404(client, auth, demo):
    auth.login("trainer")
    for path in ("/exams/manage/blueprints/999", "/exams/manage/sessions/999", "/exams/manage/sessions/999/proctor.json", "/exams/manage/uploads/999"):
        assert client.get(path).status_code == 404, path

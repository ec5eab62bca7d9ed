def test_each_demo_account_lands_on_its_home(client, demo, auth):
    homes = {"admin": "/admin/", "hr": "/hr/", "trainer": "/trainer/", "learner": "/learn/"}
    for username, home in homes.items():
        response = auth.login(username)
        assert response.status_code == 302
        follow = client.get("/")
        assert follow.status_code == 302 and follow.headers["Location"].endswith(home), username
        page = client.get(home)
        assert page.status_code == 200
        assert auth.logout().status_code == 302

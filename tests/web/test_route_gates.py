"""Every route is gated in one place: its blueprint's roles, or an explicit public mark."""
from lms.auth.access import PUBLIC_ENDPOINT_ATTR

# Routes outside any role gate, each for a reason.
UNGATED = {
    "static",  # the stylesheet and scripts of the sign-in page
    "auth.login",
    "auth.logout",  # POST only; signs out whoever is signed in
    "auth.set_language",  # POST only; a session preference
    "auth.change_password",  # checks the signed-in user itself
}


def test_every_endpoint_is_behind_a_role_gate_or_declared_public(app):
    ungated = []
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        view = app.view_functions[endpoint]
        blueprint_name = endpoint.rpartition(".")[0]
        blueprint = app.blueprints.get(blueprint_name)
        gated = blueprint is not None and getattr(blueprint, "lms_roles", None)
        if not gated and not getattr(view, PUBLIC_ENDPOINT_ATTR, False) and endpoint not in UNGATED:
            ungated.append(f"{endpoint} {rule.rule}")
    assert ungated == []


def test_public_endpoints_are_few_and_known(app):
    public = sorted(e for e, view in app.view_functions.items() if getattr(view, PUBLIC_ENDPOINT_ATTR, False))
    # The verification pages and what an offline verifier fetches: the issuer's keys, the
    # revocation lists, what an achievement means.
    verification = {"verification.verify", "verification.verify_upload", "verification.status_list", "verification.did_document",
                    "verification.jwks", "verification.achievement"}
    # Setting one's own password with a one-time code or an e-mailed link, signed out by nature.
    activation = {"activation.activate", "activation.forgot_password", "activation.reset_password"}
    # The exam page's service worker script: static code, nothing personal, fetched by the browser itself.
    offline = {"exams.service_worker"}
    # The read-only API's OpenAPI document: how an HR system learns to call it, no data; every
    # other API route needs its bearer token.
    api_description = {"reports_api.openapi"}
    assert set(public) <= {"home.index", "home.healthz"} | verification | activation | offline | api_description, public

"""Public verification, no sign-in: /verify/<code> shows what the certificate states and its
status and nothing more personal; an uploaded PDF is checked against the trust root and the
register. Rate-limited per address against guessing codes. Also the issuer's published keys
and revocation lists for offline verification of the credentials."""
from flask import abort, current_app, jsonify, render_template, request

from lms.auth.access import public
from lms.certificates import publishing, queries, signing
from lms.certificates.forms import VerifyUploadForm
from lms.certificates.verification import MESSAGES, check_upload
from lms.downloads import download
from lms.extensions import limiter
from lms.routing import Routes

routes = Routes()


def _verify_limit():
    return current_app.config["VERIFY_RATE_LIMIT"]


def _limited(view):
    return limiter.limit(_verify_limit, key_func=None, scope="certificate-verification")(view)


@routes.route("/verify/", methods=("GET", "POST"))
@public
@_limited
def verify_upload():
    form = VerifyUploadForm()
    check = certificate = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            data = form.document.data.read(current_app.config["VERIFY_UPLOAD_MAX_BYTES"] + 1)
            if len(data) > current_app.config["VERIFY_UPLOAD_MAX_BYTES"]:
                check = signing.PdfCheck(valid=False, reason="too_large")
            else:
                certificate, check = check_upload(data)
            status = 200 if check.valid else 422
    return render_template("certificates/verify_upload.html", form=form, check=check, certificate=certificate,
                           messages=MESSAGES), status


@routes.route("/verify/<code>")
@public
@_limited
def verify(code):
    certificate = queries.by_code(code.strip().upper())
    if certificate is None:
        abort(404)
    return render_template("certificates/verify.html", certificate=certificate, replaced_by=queries.replaced_by(certificate))


@routes.route("/certificates/status/<int:list_number>")
@public
def status_list(list_number):
    if list_number < 0 or list_number > 10_000:
        abort(404)
    return download(publishing.signed_status_list(list_number).encode("ascii"), f"status-{list_number}.jwt", "application/vc+jwt",
                    inline=True)


@routes.route("/.well-known/did.json")
@public
def did_document():
    return jsonify(publishing.did_document())


@routes.route("/.well-known/jwks.json")
@public
def jwks():
    return jsonify(publishing.jwks())


@routes.route("/certificates/achievements/<kind>")
@public
def achievement(kind):
    rule = queries.rule_of_kind(kind)
    if rule is None:
        abort(404)
    return render_template("certificates/achievement.html", rule=rule)

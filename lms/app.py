"""Hanoi IT-skills LMS: the application factory."""
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import build_config
from lms.database import configure_engine
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
from lms.i18n import install_template_gettext
from lms.localtime import format_local
from lms.text import nfc
from lms.transactions import register as register_transactions

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def select_locale():
    if not has_request_context():
        return "vi"  # command line: Vietnamese
    requested = request.args.get("lang")
    if requested in ("vi", "en"):
        session["lang"] = requested
    if session.get("lang") in ("vi", "en"):
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return "vi"


def create_app(config=None):
    app = Flask("lms", instance_relative_config=False, template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_mapping(build_config(config))
    if app.config["TRUSTED_PROXIES"] > 0:  # the client's address as the last trusted proxies saw it
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from lms.routing import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = None  # the server-side session record is the protection

    with app.app_context():
        configure_engine(db.engine, app.config["DATABASE_LOCK_TIMEOUT_SECONDS"])

    _import_models()
    from lms.errors import database_unavailable

    register_transactions(app, database_unavailable)
    from lms.auth.provisioning import register as register_account_reactions
    from lms.certificates.reactions import register as register_certificate_reactions

    register_account_reactions(app)  # accounts follow their staff member (departure, import)
    register_certificate_reactions(app)
    from lms.notifications.delivery import register as register_mail_delivery

    register_mail_delivery(app)  # mail a request queued goes out after its commit
    _register_blueprints(app)

    from lms.cli import register_cli
    from lms.errors import register as register_error_pages
    from lms.security import register as register_security_headers

    register_error_pages(app)
    register_security_headers(app)
    register_cli(app)

    @app.context_processor
    def _template_globals():
        return {"languages": app.config["LANGUAGES"], "current_locale": select_locale()}

    app.jinja_env.filters["nfc"] = nfc
    app.jinja_env.filters["localtime"] = lambda moment: format_local(moment, "%d/%m/%Y %H:%M")
    return app


def _import_models():
    """Every model module, so that metadata (and migrations) see all tables."""
    from lms.audit import models as _audit  # noqa: F401
    from lms.auth import models as _auth  # noqa: F401
    from lms.auth import sessions as _sessions  # noqa: F401  (registers the user loader)
    from lms.catalogue import models as _catalogue  # noqa: F401
    from lms.certificates import models as _certificates  # noqa: F401
    from lms.courses import models as _courses  # noqa: F401
    from lms.exams import models as _exams  # noqa: F401
    from lms.exams import result_models as _exam_results  # noqa: F401
    from lms.jobs import Job as _job  # noqa: F401
    from lms.mail import MailMessage as _mail  # noqa: F401
    from lms.notifications import models as _notifications  # noqa: F401
    from lms.org import models as _org  # noqa: F401
    from lms.questionbank import models as _questionbank  # noqa: F401
    from lms.rankings import models as _rankings  # noqa: F401
    from lms.reports import models as _reports  # noqa: F401


def _register_blueprints(app):
    from lms.audit.views import bp as audit
    from lms.auth.blueprint import activation_bp as activation
    from lms.auth.blueprint import staff_accounts_bp as staff_accounts
    from lms.auth.views import admin_bp as accounts
    from lms.auth.views import bp as auth
    from lms.certificates.blueprint import bp as certificates
    from lms.certificates.blueprint import public_bp as certificate_verification
    from lms.courses.assignment_views import bp as course_assignments
    from lms.courses.authoring import bp as course_authoring
    from lms.courses.views import bp as courses
    from lms.exams.manage.blueprint import bp as exam_admin
    from lms.exams.take.blueprint import bp as exams
    from lms.home.views import bp as home
    from lms.notifications.blueprint import bp as notifications
    from lms.notifications.blueprint import outbox_bp as outbox
    from lms.org.views import bp as org
    from lms.questionbank.blueprint import bp as questionbank
    from lms.rankings import api as _ranking_api  # noqa: F401  (adds the ranking routes to the API blueprint)
    from lms.rankings.blueprint import bp as rankings
    from lms.rankings.indicator_views import bp as indicators
    from lms.reports.api import bp as reports_api
    from lms.reports.api_admin import bp as api_clients
    from lms.reports.blueprint import bp as reports

    for blueprint in (auth, activation, home, org, staff_accounts, accounts, audit, questionbank, courses, course_authoring,
                      course_assignments, exams, exam_admin, certificates, certificate_verification, notifications, outbox,
                      reports, reports_api, api_clients, rankings, indicators):
        app.register_blueprint(blueprint)

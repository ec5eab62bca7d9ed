"""Hanoi IT-skills LMS: the application factory."""
import unicodedata

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user

from lms.config import build_config
from lms.database import begin_immediate, configure_engine
from lms.extensions import babel, csrf, db, login_manager, migrate
from lms.i18n import install_template_gettext

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


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
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(build_config(config))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path.rsplit("/", 1)[0] + "/migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"
    login_manager.session_protection = None  # the server-side session record is the protection

    with app.app_context():
        configure_engine(db.engine)

    _import_models()
    _register_request_hooks(app)
    _register_blueprints(app)

    from lms import errors, security
    from lms.cli import register_cli

    errors.register(app)
    security.register(app)
    register_cli(app)

    @app.context_processor
    def _template_globals():
        return {"languages": app.config["LANGUAGES"], "current_locale": select_locale()}

    app.jinja_env.filters["nfc"] = lambda text: unicodedata.normalize("NFC", text or "")
    return app


def _import_models():
    """Every model module, so that metadata (and migrations) see all tables."""
    from lms.audit import models as _audit  # noqa: F401
    from lms.auth import models as _auth  # noqa: F401
    from lms.auth import sessions as _sessions  # noqa: F401  (registers the user loader)
    from lms.org import models as _org  # noqa: F401
    for area in AREA_MODEL_MODULES:
        __import__(area)


# Areas built on the core add their model module and blueprint here.
AREA_MODEL_MODULES = ["lms.exams.models", "lms.questionbank.models", "lms.courses.models"]
AREA_BLUEPRINTS = ["lms.exams.views:bp", "lms.exams.manage_views:bp", "lms.questionbank.views:bp", "lms.courses.views:bp", "lms.courses.authoring:bp", "lms.courses.assignment_views:bp"]


def _register_request_hooks(app):
    @app.before_request
    def _transaction_mode():
        # SQLite: a writing request takes the write lock at BEGIN (see lms.database).
        g._immediate_token = begin_immediate(request.method in WRITE_METHODS)

    @app.after_request
    def _commit(response):
        # One commit per request, after the view succeeded; services only flush.
        if response.status_code < 500:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback(exc):
        if exc is not None:
            db.session.rollback()


def _register_blueprints(app):
    from importlib import import_module

    from lms.audit.views import bp as audit_bp
    from lms.auth.views import admin_bp as accounts_bp
    from lms.auth.views import bp as auth_bp
    from lms.home.views import bp as home_bp
    from lms.org.views import bp as org_bp

    for blueprint in (auth_bp, home_bp, org_bp, accounts_bp, audit_bp):
        app.register_blueprint(blueprint)
    for dotted in AREA_BLUEPRINTS:
        module_name, _, attribute = dotted.partition(":")
        app.register_blueprint(getattr(import_module(module_name), attribute))

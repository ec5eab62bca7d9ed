"""The app served on a loopback port, and Debian's Chromium driven by Playwright (never a
downloaded browser), for what only a browser shows."""
import tempfile
import threading
from pathlib import Path

import pytest

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def live():
    """The app on a free loopback port with a temporary SQLite database and the demo accounts."""
    from werkzeug.serving import make_server

    from lms import create_app
    from lms.demo import seed
    from lms.extensions import db

    directory = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(directory) / 'browser.sqlite3'}", "SECRET_KEY": "browser-test",
                      "UPLOAD_DIR": str(Path(directory) / "uploads"), "SESSION_COOKIE_SECURE": False,
                      "SIGNING_DIR": str(Path(directory) / "signing"), "OUTBOX_DIR": str(Path(directory) / "outbox"),
                      "JOBS_MODE": "eager"})
    with app.app_context():
        from lms.catalogue.loader import load_catalogues

        db.create_all()
        load_catalogues()
        seed.seed_units_staff_accounts()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()

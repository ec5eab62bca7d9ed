"""Mail that notifications queue in a request goes out once the request's transaction has
committed: in a thread of this process (in the eager mode of the tests, a thread that the
commit waits for), never in the request itself. Commands and jobs deliver on their own."""
import logging
import threading

from flask import current_app, has_request_context
from sqlalchemy import event

from lms.database import immediate_transactions
from lms.extensions import db
from lms.mail import deliver_pending

_QUEUED = "lms_notifications_mail_queued"
log = logging.getLogger("lms.mail")


def deliver_after_commit():
    """Called where mail was queued: deliver once this transaction commits."""
    db.session.info[_QUEUED] = True


def _deliver(app):
    with app.app_context():
        try:
            with immediate_transactions():
                deliver_pending(app.config)
        except Exception:  # delivery reports, it never takes the process down
            log.exception("mail delivery failed")
        finally:
            db.session.remove()


class _Courier:
    """One delivering thread at a time; mail queued while it runs makes it go round once more."""

    def __init__(self):
        self.lock, self.wanted, self.busy = threading.Lock(), False, False

    def ask(self, app):
        with self.lock:
            self.wanted = True
            if self.busy:
                return
            self.busy = True
        threading.Thread(target=self._run, args=(app,), name="mail-delivery", daemon=True).start()

    def _run(self, app):
        while True:
            with self.lock:
                if not self.wanted:
                    self.busy = False
                    return
                self.wanted = False
            _deliver(app)


courier = _Courier()


def _after_commit(session):
    if not session.info.pop(_QUEUED, False) or not has_request_context():
        return
    app = current_app._get_current_object()
    if app.config.get("JOBS_MODE") == "eager":
        thread = threading.Thread(target=_deliver, args=(app,), name="mail-delivery")
        thread.start()
        thread.join()
    else:
        courier.ask(app)


def _after_rollback(session):
    session.info.pop(_QUEUED, None)


def register(app):
    for name, listener in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)

"""Error pages in HTML, or JSON for clients that ask for it."""
from flask import current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from lms.i18n import N_
from lms.transactions import abandon

MESSAGES = {
    400: N_("Yêu cầu không hợp lệ."),
    401: N_("Bạn cần đăng nhập."),
    403: N_("Bạn không có quyền truy cập trang này."),
    404: N_("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
    405: N_("Phương thức không được hỗ trợ."),
    409: N_("Dữ liệu đã bị thay đổi bởi thao tác khác."),
    413: N_("Tệp tải lên quá lớn."),
    429: N_("Quá nhiều yêu cầu, vui lòng thử lại sau."),
    500: N_("Đã có lỗi hệ thống. Vui lòng thử lại sau."),
}


def wants_json():
    if request.is_json or "/api/" in request.path:  # /api/v1/…, the exam page's /exams/api/…
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status, message=None):
    message = message or _(MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        return jsonify({"error": status, "message": message}), status
    template = "errors/%d.html" % status if status in (403, 404, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message), status


RETRY_AFTER_SECONDS = 5  # the exam page re-sends what was not acknowledged after as long


def database_unavailable():
    """503 with a retry hint, for a database that is locked beyond the lock timeout or out of
    reach: the request's transaction is abandoned whole, so nothing of it is written."""
    current_app.logger.warning("database unavailable", exc_info=True)
    abandon()
    if "_login_user" not in g:
        # Who is signed in could not be read: the answer (its language, its page, the headers
        # set after it) goes on without the user rather than asking the database again.
        g._login_user = current_app.login_manager.anonymous_user()
    message = _("Hệ thống đang bận hoặc tạm thời không kết nối được cơ sở dữ liệu. Thao tác chưa được ghi nhận, vui lòng thử lại sau ít giây.")
    response, status = error_response(503, message)
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app):
    @app.errorhandler(OperationalError)
    def _database(_error):
        return database_unavailable()

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return error_response(400, _("Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang."))

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code in (301, 302, 303, 307, 308):
            return error
        message = error.description if getattr(error, "lms_message", False) else None
        return error_response(error.code or 500, message)

    @app.errorhandler(Exception)
    def _unhandled(error):
        app.logger.exception("unhandled error")
        from lms.extensions import db

        db.session.rollback()
        return error_response(500)


def abort_message(status, message):
    """Abort with a message meant for the user (shown instead of the generic one)."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[status](description=message)
    error.lms_message = True
    raise error

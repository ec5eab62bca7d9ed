"""Error pages in HTML, or JSON for clients that ask for it."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.i18n import N_

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
    if request.is_json or request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status, message=None):
    message = message or _(MESSAGES.get(status, MESSAGES[500]))
    if wants_json():
        return jsonify({"error": status, "message": message}), status
    template = "errors/%d.html" % status if status in (403, 404, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def register(app):
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

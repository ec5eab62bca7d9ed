"""Writing audit events. Called inside the request's transaction: the event commits with the change."""
from flask import has_request_context, request
from flask_login import current_user

from lms.audit.models import AuditEvent
from lms.extensions import db

ACTIONS = {
    "login.success": "Đăng nhập thành công",
    "login.failure": "Đăng nhập thất bại",
    "login.throttled": "Đăng nhập bị tạm chặn",
    "logout": "Đăng xuất",
    "user.create": "Tạo tài khoản",
    "user.update": "Sửa tài khoản",
    "user.disable": "Khóa tài khoản",
    "user.enable": "Mở khóa tài khoản",
    "user.password": "Đổi mật khẩu",
    "role.grant": "Cấp vai trò",
    "role.revoke": "Thu hồi vai trò",
    "import.units": "Nhập danh sách đơn vị",
    "import.staff": "Nhập danh sách cán bộ",
    "staff.update": "Sửa hồ sơ cán bộ",
    "staff.create": "Thêm cán bộ",
    "staff.export": "Xuất danh sách cán bộ",
    "unit.close": "Giải thể đơn vị",
    "unit.merge": "Sáp nhập đơn vị",
    "catalogue.update": "Sửa danh mục",
    "questionbank.export": "Xuất ngân hàng câu hỏi",
    "questionbank.import": "Nhập câu hỏi vào ngân hàng",
    "questionbank.share": "Chia sẻ ngân hàng câu hỏi",
    "questionbank.unshare": "Thôi chia sẻ ngân hàng câu hỏi",
    "question.approve": "Duyệt câu hỏi",
    "question.return": "Trả lại câu hỏi",
    "question.bulk_status": "Chuyển trạng thái nhiều câu hỏi",
    "exam.blueprint": "Lưu cấu trúc đề",
    "exam.blueprint_delete": "Xóa cấu trúc đề",
    "exam.session": "Lưu kỳ thi",
    "exam.candidates": "Thay đổi danh sách thí sinh",
    "exam.predraw": "Tạo trước đề thi",
    "exam.extra_time": "Cộng thêm giờ thi",
    "exam.reopen": "Mở lại bài thi",
    "exam.practical_grade": "Chấm bài thực hành",
    "exam.release": "Công bố kết quả thi",
    "exam.results_export": "Xuất kết quả thi",
    "exam.regrade": "Chấm lại câu hỏi",
}


def client_address():
    if not has_request_context():
        return ""
    return request.remote_addr or ""


def record(action, target="", actor=None, actor_name=None, **details):
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        target=str(target)[:200],
        actor_id=actor.id if actor is not None else None,
        actor_name=actor_name or (actor.username if actor is not None else "system"),
        ip_address=client_address(),
        details=details,
    )
    db.session.add(event)
    return event

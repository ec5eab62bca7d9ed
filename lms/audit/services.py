"""Writing audit events. `record` writes inside the request's transaction: the event commits
with the change. `record_refusal` is for the few refusals that must be kept."""
from flask import has_request_context, request
from flask_login import current_user

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.messages import N_
from lms.transactions import leave_trace

ACTIONS = {
    "login.success": N_("Đăng nhập thành công"),
    "login.failure": N_("Đăng nhập thất bại"),
    "login.throttled": N_("Đăng nhập bị tạm chặn"),
    "login.release": N_("Mở khóa đăng nhập cho thí sinh"),
    "logout": N_("Đăng xuất"),
    "mail.retry": N_("Gửi lại thư"),
    "user.create": N_("Tạo tài khoản"),
    "user.update": N_("Sửa tài khoản"),
    "user.disable": N_("Khóa tài khoản"),
    "user.enable": N_("Mở khóa tài khoản"),
    "user.password": N_("Đổi mật khẩu"),
    "user.activate": N_("Kích hoạt tài khoản bằng mã"),
    "user.password_reset_request": N_("Yêu cầu đặt lại mật khẩu qua thư"),
    "user.password_reset": N_("Đặt lại mật khẩu qua liên kết"),
    "activation.failure": N_("Nhập sai mã kích hoạt"),
    "activation.throttled": N_("Kích hoạt bị tạm chặn"),
    "account.provision": N_("Tạo tài khoản cho cán bộ"),
    "account.slips": N_("In phiếu đăng nhập"),
    "account.code": N_("Cấp mã kích hoạt mới"),
    "role.grant": N_("Cấp vai trò"),
    "role.revoke": N_("Thu hồi vai trò"),
    "import.units": N_("Nhập danh sách đơn vị"),
    "import.staff": N_("Nhập danh sách cán bộ"),
    "staff.update": N_("Sửa hồ sơ cán bộ"),
    "staff.create": N_("Thêm cán bộ"),
    "staff.export": N_("Xuất danh sách cán bộ"),
    "unit.close": N_("Giải thể đơn vị"),
    "unit.merge": N_("Sáp nhập đơn vị"),
    "catalogue.update": N_("Sửa danh mục"),
    "questionbank.export": N_("Xuất ngân hàng câu hỏi"),
    "questionbank.import": N_("Nhập câu hỏi vào ngân hàng"),
    "questionbank.share": N_("Chia sẻ ngân hàng câu hỏi"),
    "questionbank.unshare": N_("Thôi chia sẻ ngân hàng câu hỏi"),
    "question.approve": N_("Duyệt câu hỏi"),
    "question.return": N_("Trả lại câu hỏi"),
    "question.bulk_status": N_("Chuyển trạng thái nhiều câu hỏi"),
    "exam.blueprint": N_("Lưu cấu trúc đề"),
    "exam.blueprint_delete": N_("Xóa cấu trúc đề"),
    "exam.session": N_("Lưu kỳ thi"),
    "exam.candidates": N_("Thay đổi danh sách thí sinh"),
    "exam.predraw": N_("Tạo trước đề thi"),
    "exam.extra_time": N_("Cộng thêm giờ thi"),
    "exam.reopen": N_("Mở lại bài thi"),
    "exam.practical_grade": N_("Chấm bài thực hành"),
    "exam.release": N_("Công bố kết quả thi"),
    "exam.results_export": N_("Xuất kết quả thi"),
    "exam.regrade": N_("Chấm lại câu hỏi"),
    "exam.start_refused": N_("Bị từ chối vào thi"),
    "api_client.create": N_("Cấp mã truy cập API"),
    "api_client.revoke": N_("Thu hồi mã truy cập API"),
    "reports.export": N_("Xuất báo cáo năng lực"),
    "ranking.publish": N_("Công bố bảng xếp hạng thi đua"),
    "ranking.formula": N_("Sửa công thức xếp hạng"),
    "ranking.export": N_("Xuất bảng xếp hạng thi đua"),
    "indicators.record": N_("Nhập số liệu chỉ tiêu ứng dụng CNTT"),
}


def client_address():
    if not has_request_context():
        return ""
    return request.remote_addr or ""


def _values(action, target, actor, actor_name, details):
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    return dict(
        action=action,
        target=str(target)[:200],
        actor_id=actor.id if actor is not None else None,
        actor_name=actor_name or (actor.username if actor is not None else "system"),
        ip_address=client_address(),
        details=details,
    )


def record(action, target="", actor=None, actor_name=None, **details):
    event = AuditEvent(**_values(action, target, actor, actor_name, details))
    db.session.add(event)
    return event


def record_refusal(action, target="", actor=None, actor_name=None, **details):
    """An audit event that outlives the refusal of its request (see lms.transactions.leave_trace)."""
    leave_trace(AuditEvent.__table__, _values(action, target, actor, actor_name, details))

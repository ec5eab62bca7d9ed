"""Each role's home page, and where `/` sends a signed-in user."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lms.auth.access import hr_scope, public, require_roles, roles_allowed
from lms.extensions import db
from lms.home.dashboard import learner_dashboard
from lms.messages import N_
from lms.notifications import queries as notices
from lms.org import queries as org_queries
from lms.org.models import Staff, Unit

bp = require_roles(Blueprint("home", __name__), "learner", "trainer", "proctor", "hr", "admin")

HOME_ENDPOINTS = {
    "admin": "home.admin",
    "hr": "home.hr",
    "trainer": "home.trainer",
    "proctor": "exam_admin.index",
    "learner": "home.learner",
}
# The tiles of each role's home page: (endpoint, label, url arguments).
TEACHING_TILES = [
    ("questionbank.banks", N_("Ngân hàng câu hỏi"), {}),
    ("course_admin.manage_courses", N_("Khóa học và bài giảng"), {}),
    ("exam_admin.index", N_("Tổ chức thi"), {}),
]
HOME_TILES = {
    "trainer": TEACHING_TILES,
    "hr": [
        ("reports.units", N_("Báo cáo năng lực CNTT theo đơn vị"), {}),
        ("reports.gaps", N_("Cán bộ còn thiếu mô-đun theo lộ trình"), {}),
        ("rankings.ranking", N_("Xếp hạng thi đua đơn vị (Văn bản 3718)"), {}),
        ("indicators.units", N_("Số liệu ứng dụng CNTT"), {}),
        ("org.staff_list", N_("Danh sách cán bộ"), {}),
        ("org.units", N_("Cây đơn vị"), {}),
        ("org.import_upload", N_("Nhập danh sách cán bộ từ Excel/CSV"), {"kind": "staff"}),
        ("org.titles", N_("Chức danh và lộ trình học"), {}),
        ("course_assignments.assignments", N_("Giao khóa học và hạn hoàn thành"), {}),
        ("course_assignments.overdue", N_("Cán bộ quá hạn học tập"), {}),
        ("certificates.register", N_("Sổ gốc cấp chứng chỉ"), {}),
        ("certificates.sessions", N_("Cấp chứng chỉ sau kỳ thi"), {}),
    ],
    "admin": [
        ("accounts.list_accounts", N_("Tài khoản và vai trò"), {}),
        ("audit.events", N_("Nhật ký an ninh"), {}),
        ("outbox.outbox", N_("Thư đi: đã gửi, đang chờ, không gửi được"), {}),
        ("org.units", N_("Cây đơn vị"), {}),
        ("org.import_upload", N_("Nhập cây đơn vị từ Excel/CSV"), {"kind": "units"}),
        ("org.staff_list", N_("Danh sách cán bộ"), {}),
        ("org.titles", N_("Danh mục mô đun, chức danh, lộ trình học"), {}),
        ("certificates.register", N_("Sổ gốc cấp chứng chỉ"), {}),
        ("certificates.sessions", N_("Cấp chứng chỉ sau kỳ thi"), {}),
        ("reports.units", N_("Báo cáo năng lực CNTT theo đơn vị"), {}),
        ("rankings.ranking", N_("Xếp hạng thi đua đơn vị (Văn bản 3718)"), {}),
        ("rankings.formula", N_("Công thức xếp hạng thi đua"), {}),
        ("api_clients.list_clients", N_("Mã truy cập API cho hệ thống nhân sự"), {}),
    ] + TEACHING_TILES,
}


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    role = current_user.primary_role
    if role is None:
        return render_template("home/no_role.html"), 403
    return redirect(url_for(HOME_ENDPOINTS[role]))


@bp.route("/learn/")
@roles_allowed("learner")
def learner():
    return render_template("home/learner.html", **learner_dashboard(current_user))


@bp.route("/trainer/")
@roles_allowed("trainer", "admin")
def trainer():
    return render_template("home/trainer.html", links=HOME_TILES["trainer"])


@bp.route("/hr/")
@roles_allowed("hr", "admin")
def hr():
    scope = hr_scope()
    counts = db.session.execute(
        select(func.count(Staff.id)).where(scope.staff_condition(Staff.unit_id), Staff.status == "active")
    ).scalar_one()
    units = db.session.execute(select(func.count(Unit.id)).where(scope.unit_condition(), Unit.status == "active")).scalar_one()
    roots = org_queries.scope_roots(scope)
    return render_template("home/hr.html", staff_count=counts, unit_count=units, roots=roots, links=HOME_TILES["hr"],
                           notices=notices.recent_notices(current_user), unread_notices=notices.count_of(current_user, unread_only=True))


@bp.route("/admin/")
@roles_allowed("admin")
def admin():
    return render_template("home/admin.html", links=HOME_TILES["admin"])


@bp.route("/healthz")
@public
def healthz():
    from flask import jsonify

    try:
        db.session.execute(select(1))
        database = "ok"
    except Exception:  # the health check reports, it does not raise
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database, "dialect": db.engine.dialect.name}), status

"""Learner pages: courses, lessons, progress, practice quizzes. Trainers and administrators
may open them too, to preview unpublished content (their visits are not counted)."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms.auth.access import load_or_404, require_roles
from lms.courses import practice, queries, services
from lms.courses.forms import ActionForm
from lms.courses.models import Lesson, PracticeAttempt
from lms.courses.rules import lesson_headings
from lms.courses.services import CourseError
from lms.downloads import download
from lms.extensions import db
from lms.localtime import format_local
from lms.questionbank.types import get_type
from lms.redirects import redirect_with

bp = require_roles(Blueprint("courses", __name__, url_prefix="/learn"), "learner", "trainer", "admin")

# Files served by the app: nothing in them may run, even when opened directly (an SVG may hold script).


def _previewing():
    return current_user.has_role("trainer", "admin")


def _tracking():
    return current_user.has_role("learner")


def _course_or_404(code):
    course = queries.course_by_module_code(code, published_only=not _previewing())
    if course is None:
        abort(404)
    return course


def _lesson_or_404(lesson_id):
    lesson = load_or_404(Lesson, lesson_id)
    if not _previewing() and not (lesson.published and lesson.course.published):
        abort(404)
    return lesson


def _own_attempt(attempt_id):
    attempt = load_or_404(PracticeAttempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(403)
    return attempt


@bp.app_template_filter("course_datetime")
def course_datetime(value):
    """A stored UTC time as Hanoi local time, dd/mm/yyyy hh:mm."""
    return format_local(value, "%d/%m/%Y %H:%M")


@bp.app_template_filter("study_time")
def study_time(seconds):
    """Reading time as a learner reads it: «dưới 1 phút», «25 phút», «1 giờ 5 phút»."""
    minutes = max(0, int(seconds or 0)) // 60
    if not minutes:
        return _("dưới 1 phút") if seconds else _("%(m)d phút", m=0)
    hours, minutes = divmod(minutes, 60)
    return _("%(h)d giờ %(m)d phút", h=hours, m=minutes) if hours else _("%(m)d phút", m=minutes)


def lesson_html(lesson):
    from lms.questionbank.markup import render

    return Markup(render(lesson_headings(lesson.body), "markdown"))  # nosec B704 render() sanitises with nh3


# --- Courses -----------------------------------------------------------------------------


@bp.route("/courses/")
def catalog():
    return render_template("courses/catalog.html", courses=queries.published_courses())


@bp.route("/courses/<code>/")
def course(code):
    course = _course_or_404(code)
    return render_template(
        "courses/course.html",
        course=course,
        groups=queries.lessons_by_topic(course, published_only=not _previewing()),
        progress=queries.progress_by_lesson(current_user, course),
        resume=queries.resume_lesson(current_user, course),
        topics=queries.course_topics(course),
        attempts=queries.recent_practice(current_user, course),
        form=ActionForm(),
    )


@bp.route("/courses/<code>/resume")
def resume(code):
    course = _course_or_404(code)
    lesson = queries.resume_lesson(current_user, course)
    if lesson is None:
        return redirect_with(_("Bạn đã hoàn thành mọi bài giảng của khóa học này."), url_for("courses.course", code=code))
    return redirect(url_for("courses.lesson", lesson_id=lesson.id))


# --- Lessons -----------------------------------------------------------------------------


@bp.route("/lessons/<int:lesson_id>/")
def lesson(lesson_id):
    lesson = _lesson_or_404(lesson_id)
    progress = services.open_lesson(current_user, lesson) if _tracking() else None
    previous, following = queries.neighbours(lesson, published_only=not _previewing())
    return render_template(
        "courses/lesson.html", lesson=lesson, course=lesson.course, body=lesson_html(lesson), progress=progress,
        previous=previous, following=following, form=ActionForm(), tracking=_tracking(),
    )


@bp.route("/lessons/<int:lesson_id>/images/<filename>")
def lesson_image(lesson_id, filename):
    image = queries.image_by_name(_lesson_or_404(lesson_id), filename)
    if image is None:
        abort(404)
    return download(image.content, image.filename, image.content_type, inline=True)


@bp.route("/lessons/<int:lesson_id>/files/<int:attachment_id>")
def attachment(lesson_id, attachment_id):
    item = queries.attachment_of(_lesson_or_404(lesson_id), attachment_id)
    if item is None:
        abort(404)
    content = item.content
    if item.builder:
        from lms.courses.practice_files import all_files

        builder = all_files().get(item.builder)
        if builder is None:
            abort(404)
        content = builder()
    return download(content, item.filename, item.content_type)


@bp.route("/lessons/<int:lesson_id>/done", methods=["POST"])
def mark_done(lesson_id):
    lesson = _lesson_or_404(lesson_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not _tracking():
        return redirect(url_for("courses.lesson", lesson_id=lesson.id))
    done = request.form.get("done", "1") == "1"
    services.mark_done(current_user, lesson, done=done)
    if not done:
        return redirect(url_for("courses.lesson", lesson_id=lesson.id))
    db.session.flush()
    following = queries.resume_lesson(current_user, lesson.course)
    if following is None:
        return redirect_with(_("Chúc mừng! Bạn đã hoàn thành khóa học %(c)s.", c=lesson.course.title), url_for("courses.course", code=lesson.course.module.code))
    return redirect_with(_("Đã ghi nhận hoàn thành bài: %(t)s.", t=lesson.title), url_for("courses.lesson", lesson_id=following.id))


@bp.route("/lessons/<int:lesson_id>/heartbeat", methods=["POST"])
def heartbeat(lesson_id):
    lesson = _lesson_or_404(lesson_id)
    if not _tracking():
        return jsonify({"tracked": False})
    payload = request.get_json(silent=True) or {}
    progress = services.heartbeat(current_user, lesson, payload.get("seconds", 0), payload.get("position"))
    return jsonify({"tracked": True, "seconds_spent": progress.seconds_spent, "time_spent": study_time(progress.seconds_spent)})


# --- Practice ----------------------------------------------------------------------------


@bp.route("/courses/<code>/practice", methods=["POST"])
def start_practice(code):
    course = _course_or_404(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    topic = request.form.get("topic") or None
    if topic and topic not in {node.code for node in queries.course_topics(course)}:
        abort(400)
    try:
        attempt = practice.start_practice(current_user, course, topic)
    except CourseError as error:
        flash(str(error), "warning")
        return redirect(url_for("courses.course", code=code))
    return redirect(url_for("courses.practice_question", attempt_id=attempt.id, index=0))


@bp.route("/practice/<int:attempt_id>/<int:index>", methods=["GET", "POST"])
def practice_question(attempt_id, index):
    attempt = _own_attempt(attempt_id)
    if not 0 <= index < attempt.question_count:
        abort(404)
    form = ActionForm()
    error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        data = practice.question_data(attempt, index)
        try:
            practice.answer(attempt, index, get_type(data.type).form_response(request.form), as_shown=True)
            return redirect(url_for("courses.practice_question", attempt_id=attempt.id, index=index))
        except CourseError as problem:
            error = str(problem)
    page = practice.question_page(attempt, index)
    next_index = practice.first_unanswered(attempt)
    return render_template("courses/practice_question.html", attempt=attempt, page=page, form=form, error=error,
                           next_index=next_index, course=attempt.course)


@bp.route("/practice/<int:attempt_id>/")
def practice_summary(attempt_id):
    attempt = _own_attempt(attempt_id)
    return render_template("courses/practice_summary.html", attempt=attempt, course=attempt.course, form=ActionForm(),
                           next_index=practice.first_unanswered(attempt))

"""Trainers' pages: courses and lessons in Markdown with a server-rendered preview,
pictures, attachments, order and publication."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import load_or_404, require_roles
from lms.catalogue.models import Module
from lms.courses import queries, services
from lms.courses.forms import ActionForm, BuilderAttachmentForm, CourseForm, LessonForm, UploadForm
from lms.courses.models import Course, Lesson, LessonAttachment, LessonImage
from lms.courses.rules import slugify
from lms.courses.services import CourseError
from lms.courses.views import lesson_html
from lms.downloads import download
from lms.messages import N_
from lms.redirects import flash_outcome, redirect_with

bp = require_roles(Blueprint("course_admin", __name__, url_prefix="/courses"), "trainer", "admin")


def _require_post_form():
    if not ActionForm().validate_on_submit():
        abort(400)


def _builder_choices():
    from lms.courses.practice_files import all_files

    return [(name, name) for name in sorted(all_files())]


@bp.route("/")
def manage_courses():
    return render_template("courses/manage_courses.html", rows=queries.courses_overview(), form=ActionForm())


@bp.route("/new/<int:module_id>", methods=["POST"])
def create_course(module_id):
    module = load_or_404(Module, module_id)
    _require_post_form()
    course = queries.course_by_module_code(module.code, published_only=False)
    if course is None:
        course = services.create_course(module)
        flash(_("Đã tạo khóa học %(c)s.", c=module.code), "success")
    return redirect(url_for("course_admin.edit_course", course_id=course.id))


@bp.route("/<int:course_id>/", methods=["GET", "POST"])
def edit_course(course_id):
    course = load_or_404(Course, course_id)
    form = CourseForm(obj=course)
    if form.validate_on_submit():
        services.update_course(course, form.title.data, form.description.data, form.published.data)
        return redirect_with(_("Đã lưu khóa học."), url_for("course_admin.edit_course", course_id=course.id))
    return render_template("courses/edit_course.html", course=course, form=form, lessons=queries.ordered_lessons(course, published_only=False),
                           action=ActionForm())


@bp.route("/<int:course_id>/order-by-syllabus", methods=["POST"])
def order_by_syllabus(course_id):
    course = load_or_404(Course, course_id)
    _require_post_form()
    services.order_by_syllabus(course)
    return redirect_with(_("Đã sắp xếp bài giảng theo mã chương trình."), url_for("course_admin.edit_course", course_id=course.id))


def _lesson_values(form):
    return {
        "syllabus_code": form.syllabus_code.data,
        "slug": form.slug.data or slugify(form.title.data),
        "title": form.title.data,
        "body": form.body.data or "",
        "minutes": form.minutes.data,
        "published": form.published.data,
    }


def _lesson_form_page(course, form, lesson, preview=None):
    return render_template(
        "courses/edit_lesson.html", course=course, form=form, lesson=lesson, preview=preview, action=ActionForm(),
        upload=UploadForm(), builder_form=_builder_form() if lesson else None,
    )


def _builder_form():
    form = BuilderAttachmentForm(formdata=None)
    form.builder.choices = _builder_choices()
    return form


@bp.route("/<int:course_id>/lessons/new", methods=["GET", "POST"])
@bp.route("/lessons/<int:lesson_id>/", methods=["GET", "POST"])
def edit_lesson(course_id=None, lesson_id=None):
    lesson = load_or_404(Lesson, lesson_id) if lesson_id else None
    course = lesson.course if lesson else load_or_404(Course, course_id)
    form = LessonForm(obj=lesson)
    form.syllabus_code.choices = queries.syllabus_choices(course.module_id)
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            # The preview is what learners will see: the same sanitizing renderer, nothing saved.
            draft = Lesson(body=form.body.data or "")
            return _lesson_form_page(course, form, lesson, preview=lesson_html(draft))
        try:
            lesson = services.save_lesson(course, _lesson_values(form), user=current_user, lesson=lesson)
        except CourseError as error:
            form.slug.errors.append(str(error))
            return _lesson_form_page(course, form, lesson)
        return redirect_with(_("Đã lưu bài giảng."), url_for("course_admin.edit_lesson", lesson_id=lesson.id))
    return _lesson_form_page(course, form, lesson)


@bp.route("/lessons/<int:lesson_id>/images/<filename>")
def lesson_image(lesson_id, filename):
    """Pictures as the editor's preview refers to them (images/<name> relative to this page)."""
    image = queries.image_by_name(load_or_404(Lesson, lesson_id), filename)
    if image is None:
        abort(404)
    return download(image.content, image.filename, image.content_type, inline=True)


@bp.route("/lessons/<int:lesson_id>/move/<direction>", methods=["POST"])
def move_lesson(lesson_id, direction):
    lesson = load_or_404(Lesson, lesson_id)
    if direction not in ("up", "down"):
        abort(404)
    _require_post_form()
    services.move_lesson(lesson, -1 if direction == "up" else 1)
    return redirect(url_for("course_admin.edit_course", course_id=lesson.course_id))


@bp.route("/lessons/<int:lesson_id>/publish", methods=["POST"])
def publish_lesson(lesson_id):
    lesson = load_or_404(Lesson, lesson_id)
    _require_post_form()
    publish = request.form.get("published") == "1"
    services.set_lesson_published(lesson, publish, user=current_user)
    return redirect_with(_("Đã công bố bài giảng.") if publish else _("Đã ngừng công bố bài giảng."), url_for("course_admin.edit_course", course_id=lesson.course_id))


# What each kind of lesson upload does: store it, what is said when no file came, when it is kept.
UPLOADS = {
    "image": (lambda lesson, file: services.store_image(lesson, file.filename, file.read()), N_("Chưa chọn tệp ảnh."),
              lambda image: _("Đã tải ảnh lên. Chèn vào bài bằng: ![mô tả](images/%(f)s)", f=image.filename)),
    "attachment": (lambda lesson, file: services.store_attachment(lesson, file.filename, content=file.read()), N_("Chưa chọn tệp đính kèm."),
                   lambda _attachment: _("Đã thêm tệp đính kèm.")),
}


@bp.route("/lessons/<int:lesson_id>/images", methods=["POST"], endpoint="upload_image", defaults={"kind": "image"})
@bp.route("/lessons/<int:lesson_id>/attachments", methods=["POST"], endpoint="upload_attachment", defaults={"kind": "attachment"})
def upload(lesson_id, kind):
    lesson = load_or_404(Lesson, lesson_id)
    store, missing, stored = UPLOADS[kind]
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_(missing), "danger")
    else:
        flash_outcome(lambda: store(lesson, form.file.data), stored, CourseError)
    return redirect(url_for("course_admin.edit_lesson", lesson_id=lesson.id))


@bp.route("/lessons/<int:lesson_id>/attachments/practice", methods=["POST"])
def add_practice_file(lesson_id):
    lesson = load_or_404(Lesson, lesson_id)
    form = BuilderAttachmentForm()
    form.builder.choices = _builder_choices()
    if form.validate_on_submit():
        services.store_attachment(lesson, form.builder.data, builder=form.builder.data)
        flash(_("Đã thêm tệp thực hành."), "success")
    else:
        flash(_("Tệp thực hành không hợp lệ."), "danger")
    return redirect(url_for("course_admin.edit_lesson", lesson_id=lesson.id))


def _owned(model, item_id, lesson):
    item = load_or_404(model, item_id)
    if item.lesson_id != lesson.id:
        abort(404)
    return item


# What each kind of lesson file deletion removes, with what, and what it then says.
DELETIONS = {"image": (LessonImage, services.delete_image, N_("Đã xóa ảnh.")),
             "attachment": (LessonAttachment, services.delete_attachment, N_("Đã xóa tệp đính kèm."))}


@bp.route("/lessons/<int:lesson_id>/images/<int:file_id>/delete", methods=["POST"], endpoint="delete_image", defaults={"kind": "image"})
@bp.route("/lessons/<int:lesson_id>/attachments/<int:file_id>/delete", methods=["POST"], endpoint="delete_attachment",
          defaults={"kind": "attachment"})
def delete_file(lesson_id, file_id, kind):
    lesson = load_or_404(Lesson, lesson_id)
    model, delete, done = DELETIONS[kind]
    item = _owned(model, file_id, lesson)
    _require_post_form()
    delete(item)
    return redirect_with(_(done), url_for("course_admin.edit_lesson", lesson_id=lesson.id))

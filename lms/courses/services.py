"""Writes of the courses area: authoring, progress, assignments. Flush, never commit.

Practice quizzes live in lms.courses.practice; loading shipped content in lms.courses.loader.
"""
import hashlib

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.archives import ArchiveError, content_matches
from lms.courses.models import Assignment, Course, Lesson, LessonAttachment, LessonImage, LessonProgress
from lms.courses.rules import (
    ATTACHMENT_TYPES,
    IMAGE_TYPES,
    clamp_position,
    credit_seconds,
    extension,
    nfc,
    safe_filename,
    syllabus_sort_key,
)
from lms.extensions import db
from lms.models_base import utcnow
from lms.notifications import services as notifications


class CourseError(ValueError):
    """A change refused for a reason the user can act on (in the language of the request, Vietnamese
    outside one)."""


# --- Courses and lessons -----------------------------------------------------------------


def create_course(module, title=None, description="", published=False):
    course = Course(module_id=module.id, title=nfc(title or module.name).strip(), description=nfc(description).strip(), published=published)
    db.session.add(course)
    db.session.flush()
    return course


def update_course(course, title, description, published):
    course.title = nfc(title).strip()
    course.description = nfc(description).strip()
    course.published = bool(published)


def save_lesson(course, values, user=None, lesson=None):
    """Create or update a lesson from form values (syllabus_code, slug, title, body, minutes, published).
    A new lesson, or one whose syllabus code changed, takes its place by code order."""
    slug = values["slug"].strip()
    clash = db.session.execute(select(Lesson.id).where(Lesson.course_id == course.id, Lesson.slug == slug)).scalar_one_or_none()
    if clash is not None and (lesson is None or clash != lesson.id):
        raise CourseError(_("Khóa học đã có bài giảng với đường dẫn này."))
    if not values["syllabus_code"].startswith(course.module.code + "."):
        raise CourseError(_("Mã nội dung không thuộc mô đun của khóa học."))
    reposition = lesson is None or lesson.syllabus_code != values["syllabus_code"]
    if lesson is None:
        lesson = Lesson(course_id=course.id, position=0)
        db.session.add(lesson)
    lesson.syllabus_code = values["syllabus_code"]
    lesson.slug = slug
    lesson.title = nfc(values["title"]).strip()
    lesson.body = nfc(values["body"])
    lesson.minutes = int(values["minutes"])
    lesson.published = bool(values["published"])
    lesson.updated_at = utcnow()
    lesson.updated_by_id = user.id if user is not None else None
    db.session.flush()
    if reposition:
        place_by_syllabus(lesson)
    return lesson


def _ordered(course_id):
    return db.session.execute(select(Lesson).where(Lesson.course_id == course_id).order_by(Lesson.position, Lesson.id)).scalars().all()


def _renumber(lessons):
    for position, lesson in enumerate(lessons, start=1):
        lesson.position = position
    db.session.flush()


def order_by_syllabus(course):
    """Reorder every lesson by syllabus code; lessons of the same code keep their relative order."""
    lessons = _ordered(course.id)
    _renumber(sorted(lessons, key=lambda item: syllabus_sort_key(item.syllabus_code)))


def place_by_syllabus(lesson):
    """Put one lesson after the last lesson whose code sorts at or before its own, leaving the others' order."""
    others = [item for item in _ordered(lesson.course_id) if item.id != lesson.id]
    key = syllabus_sort_key(lesson.syllabus_code)
    index = 0
    for number, item in enumerate(others, start=1):
        if syllabus_sort_key(item.syllabus_code) <= key:
            index = number
    _renumber(others[:index] + [lesson] + others[index:])


def move_lesson(lesson, offset):
    """Move a lesson up (-1) or down (+1) among its course's lessons: an explicit order."""
    lessons = _ordered(lesson.course_id)
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    target = max(0, min(len(lessons) - 1, index + offset))
    lessons.insert(target, lessons.pop(index))
    _renumber(lessons)


def set_lesson_published(lesson, published, user=None):
    lesson.published = bool(published)
    lesson.updated_at = utcnow()
    lesson.updated_by_id = user.id if user is not None else None


def store_image(lesson, filename, content):
    """Add or replace a picture of the lesson; returns it. Only picture types are accepted."""
    name = safe_filename(filename)
    content_type = IMAGE_TYPES.get(extension(name or ""))
    if name is None or content_type is None:
        raise CourseError(_("Chỉ nhận ảnh .svg, .png, .jpg, .gif, .webp với tên không dấu, không khoảng trắng."))
    if not content:
        raise CourseError(_("Tệp ảnh rỗng."))
    digest = hashlib.sha256(content).hexdigest()
    image = _lesson_file(LessonImage, lesson, name)
    if image.sha256 == digest:
        return image
    image.content_type, image.size, image.sha256, image.content = content_type, len(content), digest, content
    db.session.flush()
    return image


def _check_content(name, content):
    """An attachment is what its extension says (a .docx that is an .exe or a web page is
    refused), and an archive does not inflate past lms.archives' limits."""
    try:
        matches = content_matches(extension(name), content)
    except ArchiveError as error:
        raise CourseError(error.translated(_)) from None
    if not matches:
        raise CourseError(_("Nội dung tệp không đúng định dạng %(ext)s.", ext=extension(name)))


def _lesson_file(model, lesson, name):
    """The lesson's image or attachment of this name, or a new one (added to the session)."""
    found = db.session.execute(select(model).where(model.lesson_id == lesson.id, model.filename == name)).scalar_one_or_none()
    if found is None:
        found = model(lesson_id=lesson.id, filename=name)
        db.session.add(found)
    return found


def store_attachment(lesson, filename, content=None, builder=None):
    """Add or replace a downloadable file: uploaded bytes or a practice-file builder's name."""
    name = safe_filename(filename)
    content_type = ATTACHMENT_TYPES.get(extension(name or ""))
    if name is None or content_type is None:
        raise CourseError(_("Loại tệp không được nhận (docx, xlsx, pptx, odt, ods, odp, pdf, zip, txt, csv), tên tệp không dấu, "
                            "không khoảng trắng."))
    if builder is None and not content:
        raise CourseError(_("Tệp đính kèm rỗng."))
    if builder is None:
        _check_content(name, content)
    attachment = _lesson_file(LessonAttachment, lesson, name)
    if attachment.id is not None and attachment.builder == builder and attachment.content == content:
        return attachment
    attachment.content_type = content_type
    attachment.content, attachment.builder = (None, builder) if builder else (content, None)
    attachment.size = 0 if builder else len(content)
    db.session.flush()
    return attachment


def delete_image(image):
    db.session.delete(image)


def delete_attachment(attachment):
    db.session.delete(attachment)


# --- Progress ----------------------------------------------------------------------------


def _progress(user, lesson, now):
    """The user's progress row on a lesson, created on first visit (a concurrent first visit is tolerated)."""
    statement = select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id)
    progress = db.session.execute(statement).scalar_one_or_none()
    if progress is not None:
        return progress
    try:
        with db.session.begin_nested():
            progress = LessonProgress(user_id=user.id, lesson_id=lesson.id, started_at=now, last_seen_at=now, seconds_spent=0, last_position=0)
            db.session.add(progress)
        return progress
    except IntegrityError:
        return db.session.execute(statement).scalar_one()


def open_lesson(user, lesson, now=None):
    """A visit: time is counted from here, not from a previous visit."""
    now = now or utcnow()
    progress = _progress(user, lesson, now)
    progress.last_seen_at = now
    return progress


def heartbeat(user, lesson, claimed_seconds, position=None, now=None):
    """Credit reading time (capped, see rules.credit_seconds) and remember how far the reader got."""
    now = now or utcnow()
    progress = _progress(user, lesson, now)
    progress.seconds_spent += credit_seconds(progress.last_seen_at, now, claimed_seconds)
    progress.last_seen_at = now
    if position is not None:
        progress.last_position = clamp_position(position)
    return progress


def mark_done(user, lesson, done=True, now=None):
    now = now or utcnow()
    progress = _progress(user, lesson, now)
    if done and progress.completed_at is None:
        progress.completed_at = now
    elif not done:
        progress.completed_at = None
    return progress


# --- Assignments -------------------------------------------------------------------------


def create_assignment(course, deadline, created_by, unit=None, title=None, note=""):
    if unit is None and title is None:
        raise CourseError(_("Cần chọn đơn vị, chức danh hoặc cả hai."))
    assignment = Assignment(
        course_id=course.id, unit_id=unit.id if unit else None, title_id=title.id if title else None,
        deadline=deadline, note=nfc(note).strip(), created_by_id=created_by.id if created_by else None,
    )
    db.session.add(assignment)
    db.session.flush()
    notifications.course_assigned(assignment)  # each person reached: a notice, and an e-mail after the commit
    return assignment


def delete_assignment(assignment):
    db.session.delete(assignment)

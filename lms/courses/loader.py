"""Loading the shipped lessons (course_content/IUxx/*.md) into the database.

Idempotent: courses and lessons are matched by (module, slug); a lesson file whose
content has not changed since the last load leaves the lesson alone, so running the
loader twice changes nothing and edits made in the UI survive until the file changes.
"""
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from lms.catalogue.models import Module, SyllabusNode
from lms.courses import services
from lms.courses.models import Course, Lesson
from lms.courses.rules import LessonFileError, parse_lesson_file
from lms.extensions import db

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "course_content"


class ContentError(ValueError):
    """The content directory cannot be loaded; nothing is written (the caller rolls back)."""


@dataclass
class LoadReport:
    courses_created: int = 0
    lessons_created: int = 0
    lessons_updated: int = 0
    lessons_unchanged: int = 0
    modules: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.courses_created or self.lessons_created or self.lessons_updated)

    def summary(self):
        return (f"Bài giảng ({', '.join(self.modules) or 'không có'}): {self.courses_created} khóa học mới, "
                f"{self.lessons_created} bài mới, {self.lessons_updated} bài cập nhật, {self.lessons_unchanged} bài không đổi")


def load_course_content(directory=None, practice_files=None):
    """Load every IU*/ folder of `directory`; raise ContentError naming the file on bad content.

    New lessons take their place by syllabus code (files with the same code keep their
    file-name order); the order of existing lessons, perhaps set by a trainer, is kept."""
    directory = Path(directory or DEFAULT_DIRECTORY)
    if not directory.is_dir():
        raise ContentError(_("Không có thư mục nội dung: %(directory)s", directory=directory))
    if practice_files is None:
        from lms.courses.practice_files import all_files

        practice_files = all_files()
    modules = {m.code: m for m in db.session.execute(select(Module)).scalars()}
    known_codes = set(db.session.execute(select(SyllabusNode.code)).scalars())
    report = LoadReport()
    for folder in sorted(p for p in directory.glob("IU*") if p.is_dir()):
        module = modules.get(folder.name)
        if module is None:
            raise ContentError(_("%(folder)s: không có mô đun với mã này trong danh mục.", folder=folder.name))
        report.modules.append(module.code)
        _load_module(folder, module, known_codes, practice_files, report)
    db.session.flush()
    return report


def _load_module(folder, module, known_codes, practice_files, report):
    course = db.session.execute(select(Course).where(Course.module_id == module.id)).scalar_one_or_none()
    if course is None:
        course = services.create_course(module, published=True)
        report.courses_created += 1
    for path in sorted(folder.glob("*.md")):
        name = f"{folder.name}/{path.name}"
        try:
            lesson_file = parse_lesson_file(path.read_text(encoding="utf-8"), name)
        except LessonFileError as error:
            raise ContentError(error.translated(_)) from None
        except UnicodeDecodeError as error:
            raise ContentError(str(error)) from None
        if lesson_file.code not in known_codes or not lesson_file.code.startswith(module.code + "."):
            raise ContentError(_("%(name)s: mã nội dung %(code)s không có trong chương trình %(module)s.", name=name, code=lesson_file.code,
                                 module=module.code))
        missing = [a for a in lesson_file.attachments if a not in practice_files]
        if missing:
            raise ContentError(_("%(name)s: không có tệp thực hành %(files)s trong lms/courses/practice_files.", name=name,
                                 files=", ".join(missing)))
        lesson = db.session.execute(select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == lesson_file.slug)).scalar_one_or_none()
        if lesson is not None and lesson.source_hash == lesson_file.source_hash:
            report.lessons_unchanged += 1
            continue
        is_new = lesson is None
        lesson = services.save_lesson(
            course,
            {"syllabus_code": lesson_file.code, "slug": lesson_file.slug, "title": lesson_file.title,
             "body": lesson_file.body, "minutes": lesson_file.minutes, "published": True},
            lesson=lesson,
        )
        lesson.source_hash = lesson_file.source_hash
        for image_name in lesson_file.image_names:
            image_path = folder / "images" / image_name
            if not image_path.is_file():
                raise ContentError(_("%(name)s: không có ảnh images/%(image)s.", name=name, image=image_name))
            try:
                services.store_image(lesson, image_name, image_path.read_bytes())
            except services.CourseError as error:
                raise ContentError(f"{name}: {error}") from None
        for attachment in list(lesson.attachments):
            if attachment.builder and attachment.filename not in lesson_file.attachments:
                services.delete_attachment(attachment)
        for attachment_name in lesson_file.attachments:
            services.store_attachment(lesson, attachment_name, builder=attachment_name)
        if is_new:
            report.lessons_created += 1
        else:
            report.lessons_updated += 1

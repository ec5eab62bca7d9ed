"""Loading the shipped lessons: real content for IU01–IU06, idempotent, refusing bad files."""
import shutil

import pytest
from sqlalchemy import func, select

from lms.catalogue.models import Module, SyllabusNode
from lms.courses import services
from lms.courses.loader import DEFAULT_DIRECTORY, ContentError, load_course_content
from lms.courses.models import Course, Lesson, LessonAttachment, LessonImage

BASIC = ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")


def _snapshot(db):
    lessons = db.session.execute(select(Lesson.id, Lesson.slug, Lesson.position, Lesson.updated_at, Lesson.body)).all()
    images = db.session.execute(select(LessonImage.id, LessonImage.sha256)).all()
    attachments = db.session.execute(select(LessonAttachment.id, LessonAttachment.builder)).all()
    return sorted(lessons), sorted(images), sorted(attachments)


def _count(db, model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_the_shipped_content_gives_six_courses_of_at_least_five_lessons(db):
    report = load_course_content()
    db.session.commit()
    assert report.modules == list(BASIC) and report.courses_created == 6
    for code in BASIC:
        course = db.session.execute(select(Course).join(Module, Module.id == Course.module_id).where(Module.code == code)).scalar_one()
        lessons = db.session.execute(select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)).scalars().all()
        assert course.published and len(lessons) >= 5, code
        assert all(lesson.published and len(lesson.body.split()) >= 300 for lesson in lessons), code
        # Every topic of the module's syllabus has at least one lesson tagged in it.
        topics = {n.code for n in db.session.execute(select(SyllabusNode).where(SyllabusNode.module_id == course.module_id)).scalars() if n.depth == 1}
        covered = {".".join(lesson.syllabus_code.split(".")[:2]) for lesson in lessons}
        assert covered == topics, (code, topics - covered)
    assert _count(db, LessonImage) > 0


def test_practice_files_of_iu03_to_iu05_are_attached_by_builder_name(db):
    from lms.courses.practice_files import all_files

    load_course_content()
    attachments = db.session.execute(select(LessonAttachment)).scalars().all()
    assert attachments and all(a.builder in all_files() and a.content is None for a in attachments)
    modules = {a.lesson.course.module.code for a in attachments}
    assert {"IU03", "IU04", "IU05"} <= modules


def test_loading_twice_changes_nothing(db):
    load_course_content()
    db.session.commit()
    before = _snapshot(db)
    again = load_course_content()
    db.session.commit()
    assert not again.changed and again.lessons_unchanged == len(before[0])
    assert _snapshot(db) == before


def test_lessons_are_ordered_by_syllabus_code(db):
    from lms.courses.rules import syllabus_sort_key

    load_course_content()
    for course in db.session.execute(select(Course)).scalars():
        codes = [lesson.syllabus_code for lesson in sorted(course.lessons, key=lambda item: item.position)]
        assert codes == sorted(codes, key=syllabus_sort_key)


@pytest.fixture()
def content(tmp_path):
    shutil.copytree(DEFAULT_DIRECTORY / "IU04", tmp_path / "IU04")
    return tmp_path


def test_an_edit_in_the_ui_survives_reloading_an_unchanged_file_and_a_changed_file_wins(db, content):
    load_course_content(content)
    lesson = db.session.execute(select(Lesson).where(Lesson.slug == "lam-quen-bang-tinh")).scalar_one()
    lesson.body = "Sửa trong giao diện"
    db.session.commit()
    load_course_content(content)
    assert db.session.get(Lesson, lesson.id).body == "Sửa trong giao diện"
    path = next(p for p in (content / "IU04").glob("*.md") if "lam-quen-bang-tinh" in p.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8") + "\nThêm một đoạn.\n", encoding="utf-8")
    report = load_course_content(content)
    assert report.lessons_updated == 1 and "Thêm một đoạn." in db.session.get(Lesson, lesson.id).body


def test_a_new_lesson_file_takes_its_place_by_code_and_keeps_a_trainers_order(db, content):
    load_course_content(content)
    course = db.session.execute(select(Course)).scalar_one()
    first, second = sorted(course.lessons, key=lambda item: item.position)[:2]
    services.move_lesson(second, -1)  # the trainer put lesson 2 first
    db.session.commit()
    (content / "IU04" / "99-moi.md").write_text("---\ncode: IU04.1.1\nslug: bai-moi\ntitle: Bài mới\n---\nNội dung\n", encoding="utf-8")
    load_course_content(content)
    ordered = [lesson.slug for lesson in sorted(db.session.get(Course, course.id).lessons, key=lambda item: item.position)]
    assert ordered[:3] == [second.slug, first.slug, "bai-moi"]


@pytest.mark.parametrize("front_matter, message", [
    ("code: IU04.9.9\nslug: sai-ma\ntitle: Sai mã", "IU04.9.9"),
    ("code: IU03.1.1\nslug: sai-mo-dun\ntitle: Sai mô đun", "IU03.1.1"),
    ("code: IU04.1.1\nslug: thieu-tep\ntitle: Thiếu tệp\nattachments: [khong-co.xlsx]", "khong-co.xlsx"),
])
def test_a_bad_lesson_file_is_refused_with_its_name(db, content, front_matter, message):
    (content / "IU04" / "98-loi.md").write_text(f"---\n{front_matter}\n---\nNội dung\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_course_content(content)
    assert "IU04/98-loi.md" in str(error.value) and message in str(error.value)


def test_a_missing_picture_is_refused(db, content):
    (content / "IU04" / "97-anh.md").write_text("---\ncode: IU04.1.1\nslug: anh\ntitle: Ảnh\n---\n![x](images/khong-co.svg)\n", encoding="utf-8")
    with pytest.raises(ContentError, match="khong-co.svg"):
        load_course_content(content)


def test_the_cli_loads_and_reports(runner, db, content):
    result = runner.invoke(args=["courses", "load", str(content)])
    assert result.exit_code == 0, result.output
    assert "6 bài mới" in result.output
    result = runner.invoke(args=["courses", "load", str(content)])
    assert "0 bài mới, 0 bài cập nhật, 6 bài không đổi" in result.output
    (content / "IU04" / "98-loi.md").write_text("khong co phan dau", encoding="utf-8")
    result = runner.invoke(args=["courses", "load", str(content)])
    assert result.exit_code != 0 and "98-loi.md" in result.output

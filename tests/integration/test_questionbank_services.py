"""Question-bank services on the database: import by stable key, versions, review workflow, images."""
import pytest
from sqlalchemy import func, select

from lms.auth.services import create_user
from lms.questionbank import queries, services, transfer
from lms.questionbank.models import Question, QuestionReview, QuestionVersion
from lms.questionbank.schema import Choice, QuestionData


def _trainer(username):
    return create_user(username, "Giang-vien@2024", f"Giảng viên {username}", roles=["trainer"], enforce_policy=False)


def _single(key, text="Bộ nhớ nào mất dữ liệu khi tắt máy?", status="approved", **extra):
    values = dict(key=key, type="single_choice", text=text, module="IU01", syllabus="IU01.1.1", status=status,
                  choices=[Choice("RAM", True), Choice("ROM"), Choice("Ổ cứng SSD"), Choice("Thẻ nhớ USB")])
    values.update(extra)
    return QuestionData(**values)


def _copy(data):
    return QuestionData.from_dict(data.to_dict())


@pytest.fixture()
def author(db):
    user = _trainer("tacgia")
    db.session.commit()
    return user


@pytest.fixture()
def bank(db, author):
    bank = services.create_bank("IU01 – Kiểm thử", author)
    db.session.commit()
    return bank


def _version_count(db, question_id):
    return db.session.execute(select(func.count()).where(QuestionVersion.question_id == question_id)).scalar_one()


def test_reimporting_the_same_questions_changes_nothing(db, bank, author):
    questions = [_single("Q1"), _single("Q2", text="Đơn vị nào lớn nhất?")]
    first = services.import_questions(bank, [_copy(q) for q in questions], author)
    db.session.commit()
    again = services.import_questions(bank, [_copy(q) for q in questions], author)
    db.session.commit()
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert db.session.execute(select(func.count(QuestionVersion.id))).scalar_one() == 2


def test_a_changed_question_gets_a_new_version_and_keeps_the_old_one(db, bank, author):
    services.import_questions(bank, [_single("Q1")], author)
    db.session.commit()
    report = services.import_questions(bank, [_single("Q1", text="Bộ nhớ nào **mất** dữ liệu khi mất điện?")], author)
    db.session.commit()
    question = db.session.execute(select(Question).where(Question.key == "Q1")).scalar_one()
    assert report.updated == 1
    assert question.current_version.number == 2
    assert "mất điện" in question.question_data().text
    assert queries.version_by_number(question.id, 1).question_data().text == "Bộ nhớ nào mất dữ liệu khi tắt máy?"


def test_a_file_with_one_bad_question_imports_nothing(db, bank, author):
    bad = _single("Q2", module="IU99")
    wrong_answer = _single("Q3", choices=[Choice("A", True), Choice("B", True)])
    report = services.import_questions(bank, [_single("Q1"), bad, wrong_answer, _single("Q1")], author)
    db.session.commit()
    assert not report.ok
    assert any("#2" in e and "Q2" in e for e in report.errors)
    assert any("#3" in e and "Q3" in e for e in report.errors)
    assert any("trùng" in e for e in report.errors)
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0


def test_a_syllabus_code_outside_the_module_is_refused(db, bank, author):
    report = services.import_questions(bank, [_single("Q1", syllabus="IU01.9.9")], author)
    assert not report.ok and "IU01.9.9" in report.errors[0]


def test_an_upload_by_a_trainer_sends_approved_questions_to_review(db, bank, author):
    report = services.import_questions(bank, [_single("Q1")], author, keep_status=False)
    db.session.commit()
    assert db.session.execute(select(Question.status)).scalar_one() == "review"
    assert report.warnings and "duyệt" in report.warnings[0]


def test_preview_reports_counts_without_writing(db, bank, author):
    report = services.preview_import(bank, [_single("Q1"), _single("Q2")], author)
    db.session.commit()
    assert report.added == 2
    assert db.session.execute(select(func.count(Question.id))).scalar_one() == 0


def test_editing_an_approved_question_creates_a_version_that_needs_review(db, bank, author):
    services.import_questions(bank, [_single("Q1")], author)
    db.session.commit()
    question = db.session.execute(select(Question)).scalar_one()
    old_version_id = question.current_version_id
    edited = _copy(question.question_data())
    edited.text = "Khi mất điện, dữ liệu trong bộ nhớ nào bị mất?"
    edited.status = "approved"
    version = services.edit_question(question, edited, author, "Viết lại câu dẫn")
    db.session.commit()
    assert version.number == 2 and version.change_note == "Viết lại câu dẫn"
    assert question.status == "review"  # the editor may not approve their own version
    assert db.session.get(QuestionVersion, old_version_id).question_data().text == "Bộ nhớ nào mất dữ liệu khi tắt máy?"


def test_saving_unchanged_content_adds_no_version(db, bank, author):
    services.import_questions(bank, [_single("Q1", status="draft")], author)
    db.session.commit()
    question = db.session.execute(select(Question)).scalar_one()
    assert services.edit_question(question, _copy(question.question_data()), author) is None
    assert _version_count(db, question.id) == 1


def test_the_author_cannot_approve_but_a_second_trainer_can(db, bank, author):
    reviewer = _trainer("nguoiduyet")
    services.import_questions(bank, [_single("Q1", status="review")], author)
    db.session.commit()
    question = db.session.execute(select(Question)).scalar_one()
    with pytest.raises(services.QuestionBankError):
        services.change_status(question, "approved", author)
    services.change_status(question, "approved", reviewer, "Đạt yêu cầu")
    db.session.commit()
    review = db.session.execute(select(QuestionReview).where(QuestionReview.decision == "approve")).scalar_one()
    assert question.status == "approved"
    assert review.reviewer_id == reviewer.id and review.version_id == question.current_version_id and review.comment == "Đạt yêu cầu"


def test_self_approval_is_allowed_when_configured(app, db, bank, author):
    services.import_questions(bank, [_single("Q1", status="review")], author)
    question = db.session.execute(select(Question)).scalar_one()
    app.config["QUESTION_SELF_APPROVAL"] = True
    try:
        services.change_status(question, "approved", author)
    finally:
        app.config["QUESTION_SELF_APPROVAL"] = False
    assert question.status == "approved"


def test_returning_a_question_needs_a_comment(db, bank, author):
    reviewer = _trainer("nguoiduyet")
    services.import_questions(bank, [_single("Q1", status="review")], author)
    question = db.session.execute(select(Question)).scalar_one()
    with pytest.raises(services.QuestionBankError):
        services.change_status(question, "draft", reviewer, "  ")
    services.change_status(question, "draft", reviewer, "Phương án B chưa rõ")
    assert question.status == "draft"


def test_bulk_status_change_skips_steps_the_workflow_forbids(db, bank, author):
    services.import_questions(bank, [_single("Q1", status="approved"), _single("Q2", status="retired"), _single("Q3", status="draft")], author)
    questions = db.session.execute(select(Question).order_by(Question.key)).scalars().all()
    changed, skipped = services.bulk_change_status(questions, "approved", author)
    assert changed == 0 and len(skipped) == 2  # retired → approved is no step; the author may not approve Q3
    changed, skipped = services.bulk_change_status(questions, "retired", author)
    assert changed == 2 and not skipped
    assert {q.status for q in questions} == {"retired"}


def test_create_question_refuses_a_duplicate_key(db, bank, author):
    services.create_question(bank, _single("Q1", status="draft"), author)
    with pytest.raises(services.QuestionBankError):
        services.create_question(bank, _single("Q1", status="draft"), author)


def test_a_bank_is_open_to_its_owner_those_it_is_shared_with_and_administrators(db, bank, author):
    other = _trainer("khac")
    admin = create_user("quantri", "Quan-tri@2024", "Quản trị", roles=["admin"], enforce_policy=False)
    assert queries.can_access_bank(author, bank) and queries.can_access_bank(admin, bank)
    assert not queries.can_access_bank(other, bank)
    assert services.share_bank(bank, other, actor=author)
    assert queries.can_access_bank(other, bank)
    assert [row["bank"].id for row in queries.banks_for(other)] == [bank.id]
    services.unshare_bank(bank, other.id)
    assert not queries.can_access_bank(other, bank)


def test_the_question_list_filters_and_searches_with_diacritics(db, bank, author):
    services.import_questions(bank, [
        _single("Q1", text="Thủ đô Hà Nội", difficulty="easy", pool="practice"),
        _single("Q2", text="Ha Noi không dấu", difficulty="hard", syllabus="IU01.2.1"),
    ], author)
    db.session.commit()

    def keys(**filters):
        return [q.key for q in db.session.execute(queries.question_query(author, **filters)).unique().scalars()]

    assert keys(text="hà nội") == ["Q1"]
    assert keys(text="HA NOI") == ["Q2"]
    assert keys(difficulty="hard") == ["Q2"]
    assert keys(pool="practice") == ["Q1"]
    assert keys(syllabus="IU01.2") == ["Q2"]
    assert keys(author_id=author.id) == ["Q1", "Q2"]
    assert keys(text="100%_") == []


def test_images_are_accepted_by_their_bytes_not_their_name(app, db, bank, author):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    image = transfer.store_image(bank, "so-do.png", png, author)
    assert image.content_type == "image/png"
    assert transfer.store_image(bank, "lan-nua.png", png, author).id == image.id  # stored once
    assert transfer.sniff_image_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    for disguised in (b"<svg onload=alert(1)>", b"<html><script>", b"%PDF-1.7"):
        with pytest.raises(services.QuestionBankError):
            transfer.store_image(bank, "anh.png", disguised, author)
    app.config["QUESTION_IMAGE_MAX_BYTES"] = 16
    try:
        with pytest.raises(services.QuestionBankError):
            transfer.store_image(bank, "lon.png", png, author)
    finally:
        app.config.pop("QUESTION_IMAGE_MAX_BYTES")


def test_a_question_no_exam_has_used_has_no_usage_statistics(db):
    # The figures of a used question: test_exam_manage_grading.
    from lms.exams.manage.stats import question_usage_stats

    assert question_usage_stats(1) == {}


def test_the_shipped_banks_load_with_their_statuses_and_reload_unchanged(db, demo):
    from lms.questionbank.cli import SHIPPED_BANKS, seed_question_banks

    files = sorted(SHIPPED_BANKS.glob("IU*.yaml"))
    summary = seed_question_banks()
    db.session.commit()
    total = db.session.execute(select(func.count(Question.id))).scalar_one()
    assert summary.startswith("Ngân hàng câu hỏi: ") and str(total) in summary
    assert len(queries.accessible_banks(demo.find_user("trainer"))) == len(files)
    assert db.session.execute(select(func.count(Question.id)).where(Question.status == "approved")).scalar_one() > 0
    seed_question_banks()
    db.session.commit()
    assert db.session.execute(select(func.count(QuestionVersion.id))).scalar_one() == total


def test_the_fast_version_dict_equals_the_schema_one():
    from lms.questionbank.schema import Choice, QuestionData

    data = QuestionData(key="K", type="multiple_response", text="Chọn?", module="IU01", tags=["a"],
                        choices=[Choice("A", True, "đúng", 0.5), Choice("B", True), Choice("C")],
                        pairs=[("x", "y")], rubric=[{"criterion": "c", "points": 1.0}], answers=["x"], extensions=[".pdf"])
    assert services.as_dict(data) == data.to_dict()


def test_the_edit_form_reproduces_every_shipped_question_unchanged(app, db, demo):
    """Opening and saving the edit form without changes must not create a version."""
    from lms.questionbank.cli import seed_question_banks
    from lms.questionbank.forms import QuestionForm, add_spare_rows, fill_question_form, question_data_from_form

    seed_question_banks()
    versions = db.session.execute(select(QuestionVersion)).scalars().all()
    assert {v.data["type"] for v in versions} >= {"single_choice", "multiple_response", "true_false", "matching", "short_answer", "numeric"}
    with app.test_request_context(method="GET"):
        for version in versions:
            data = version.question_data()
            form = QuestionForm(meta={"csrf": False})
            form.module.choices = [(data.module, data.module)]
            fill_question_form(form, data)
            add_spare_rows(form, data.type)
            again = question_data_from_form(form, data.type, key=data.key)
            services._normalised(again)
            assert services.same_content(version.data, services.as_dict(again)), data.key

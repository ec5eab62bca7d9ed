"""`flask questions import|export` through the CLI runner: counts, broken files, round trips."""
import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.questionbank.models import Question, QuestionBank, QuestionVersion

NATIVE = """format: lms-question-bank/1
bank: "Ngân hàng thử – IU02"
module: IU02
questions:
  - key: T-001
    type: single_choice
    syllabus: IU02.1
    difficulty: easy
    pool: practice
    tags: [khởi động]
    text: |
      Để tắt máy tính chạy Windows 11 đúng cách, cần làm gì?
    choices:
      - text: Rút dây nguồn
      - text: "Chọn Start → Power → Shut down"
        correct: true
      - text: Nhấn giữ nút nguồn 10 giây
      - text: Tắt màn hình
    explanation: Tắt máy qua menu Start để hệ điều hành lưu dữ liệu và đóng chương trình.
  - key: T-002
    type: multiple_response
    syllabus: IU02.3
    difficulty: hard
    text: Những phím tắt nào dùng để **sao chép** và **dán** trong Windows?
    choices:
      - text: Ctrl+C
        correct: true
      - text: Ctrl+V
        correct: true
      - text: Ctrl+Z
      - text: Ctrl+P
  - key: T-003
    type: true_false
    syllabus: IU02.5
    difficulty: medium
    text: "Bộ gõ Unikey với kiểu gõ Telex gõ \\"aa\\" thành \\"â\\"."
    answer: true
  - key: T-004
    type: short_answer
    syllabus: IU02.5
    difficulty: medium
    text: Kiểu gõ tiếng Việt nào gõ "dd" thành "đ"? (ghi tên kiểu gõ)
    answers: [Telex]
  - key: T-005
    type: numeric
    syllabus: IU02.3
    difficulty: medium
    text: Một thư mục có 3 tệp, mỗi tệp 1,5 MB. Tổng dung lượng là bao nhiêu MB?
    answer: 4.5
    tolerance: 0.01
  - key: T-006
    type: matching
    syllabus: IU02.3
    difficulty: hard
    text: Ghép phím tắt với chức năng.
    pairs:
      - [Ctrl+X, Cắt]
      - [Ctrl+A, Chọn tất cả]
      - [Ctrl+F, Tìm kiếm]
"""

BROKEN_GIFT = """// Câu 1 đúng
::G1:: Thủ đô của Việt Nam là {=Hà Nội ~Huế ~Đà Nẵng}

::G2:: Câu hỏi thiếu dấu đóng {=Đúng ~Sai
"""


@pytest.fixture()
def native_file(tmp_path, db):
    path = tmp_path / "IU02-thu.yaml"
    path.write_text(NATIVE, encoding="utf-8")
    return path


def _count(db, model):
    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_import_prints_counts_and_a_second_run_changes_nothing(runner, db, native_file):
    first = runner.invoke(args=["questions", "import", str(native_file)])
    assert first.exit_code == 0, first.output
    assert "6 thêm mới, 0 cập nhật, 0 không đổi" in first.output
    second = runner.invoke(args=["questions", "import", str(native_file)])
    assert second.exit_code == 0 and "0 thêm mới, 0 cập nhật, 6 không đổi" in second.output
    bank = db.session.execute(select(QuestionBank)).scalar_one()
    assert bank.name == "Ngân hàng thử – IU02"
    assert _count(db, QuestionVersion) == 6


def test_import_into_a_named_bank_and_a_changed_file_updates(runner, db, native_file):
    runner.invoke(args=["questions", "import", str(native_file), "--bank", "Kho IU02"])
    native_file.write_text(NATIVE.replace("Rút dây nguồn", "Rút phích cắm điện"), encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(native_file), "--bank", "Kho IU02"])
    assert "0 thêm mới, 1 cập nhật, 5 không đổi" in result.output
    question = db.session.execute(select(Question).where(Question.key == "T-001")).scalar_one()
    assert question.bank.name == "Kho IU02" and question.current_version.number == 2


def test_a_malformed_file_exits_non_zero_names_the_line_and_imports_nothing(runner, db, tmp_path):
    path = tmp_path / "hong.gift"
    path.write_text(BROKEN_GIFT, encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--module", "IU01"])
    assert result.exit_code != 0
    assert "Dòng 4" in result.output
    assert "Không nhập câu hỏi nào" in result.output
    assert _count(db, Question) == 0 and _count(db, QuestionBank) == 0


def test_questions_without_a_module_need_the_module_option(runner, db, tmp_path):
    path = tmp_path / "cau-hoi.gift"
    path.write_text("::G1:: Thủ đô của Việt Nam là {=Hà Nội ~Huế ~Đà Nẵng}\n", encoding="utf-8")
    refused = runner.invoke(args=["questions", "import", str(path), "--bank", "GIFT"])
    assert refused.exit_code != 0 and "mô đun" in refused.output
    accepted = runner.invoke(args=["questions", "import", str(path), "--bank", "GIFT", "--module", "IU01"])
    assert accepted.exit_code == 0 and "1 thêm mới" in accepted.output
    assert db.session.execute(select(Question.module_id)).scalar_one() is not None


@pytest.mark.parametrize("fmt, extension", [("native", "yaml"), ("gift", "gift"), ("moodlexml", "xml"), ("xlsx", "xlsx")])
def test_export_then_import_reproduces_identical_questions(runner, db, native_file, tmp_path, fmt, extension):
    runner.invoke(args=["questions", "import", str(native_file), "--bank", "Kho"])
    before = {q.key: q.current_version.data for q in db.session.execute(select(Question)).scalars()}
    output = tmp_path / f"xuat.{extension}"
    exported = runner.invoke(args=["questions", "export", "--bank", "Kho", "--format", fmt, "-o", str(output)])
    assert exported.exit_code == 0, exported.output
    assert output.stat().st_size > 0
    again = runner.invoke(args=["questions", "import", str(output), "--bank", "Kho"])
    assert again.exit_code == 0, again.output
    assert "0 thêm mới, 0 cập nhật, 6 không đổi" in again.output
    db.session.expire_all()
    after = {q.key: q.current_version.data for q in db.session.execute(select(Question)).scalars()}
    assert after == before


def test_every_export_is_written_to_the_audit_log(runner, db, native_file, tmp_path):
    runner.invoke(args=["questions", "import", str(native_file), "--bank", "Kho"])
    runner.invoke(args=["questions", "export", "--bank", "Kho", "--format", "gift", "-o", str(tmp_path / "a.gift")])
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "questionbank.export")).scalar_one()
    assert event.target == "Kho" and event.details["format"] == "gift" and event.details["questions"] == 6


def test_exporting_an_unknown_bank_fails(runner, db, tmp_path):
    result = runner.invoke(args=["questions", "export", "--bank", "Không có", "--format", "native", "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code != 0 and "Không có ngân hàng" in result.output

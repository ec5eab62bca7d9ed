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


def _module_codes(db):
    from lms.catalogue.models import Module

    return db.session.execute(select(Question.key, Module.code).join(Module, Question.module_id == Module.id).order_by(Question.key)).all()


CATEGORY_GIFT = """// xuất từ Moodle
$CATEGORY: $course$/top/IU01/Phần cứng

::RAM:: RAM mất dữ liệu khi tắt máy. {T}

$CATEGORY: $course$/top/IU06/Thư điện tử

::BCC:: Người nhận ở ô BCC hiện với mọi người. {F}

$CATEGORY: $course$/top/Chung

::IU02-007:: Ctrl+A chọn tất cả. {T}
"""


def test_a_gift_file_whose_category_names_the_module_imports_without_the_module_option(runner, db, tmp_path):
    path = tmp_path / "moodle.gift"
    path.write_text(CATEGORY_GIFT, encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "Kho Moodle"])
    assert result.exit_code == 0, result.output
    assert "3 thêm mới" in result.output and "Thiếu mô đun" not in result.output
    assert _module_codes(db) == [("BCC", "IU06"), ("IU02-007", "IU02"), ("RAM", "IU01")]


def test_the_file_says_the_module_before_the_option_and_the_bank(runner, db, tmp_path):
    path = tmp_path / "cau-hoi.gift"
    path.write_text("$CATEGORY: IU04/Hàm\n\n::A:: SUM cộng các ô. {T}\n\n::B:: Câu không ghi mô đun. {T}\n", encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "IU03 – Xử lý văn bản", "--module", "IU05"])
    assert result.exit_code == 0, result.output
    assert _module_codes(db) == [("A", "IU04"), ("B", "IU04")]  # the category holds for every question after it


def test_the_banks_module_is_the_next_default_and_short_codes_name_banks(runner, db, tmp_path):
    from lms.questionbank import services

    services.create_bank("IU02 – Sử dụng máy tính cơ bản", None)
    db.session.commit()
    path = tmp_path / "khong-mo-dun.gift"
    path.write_text("::T1:: Shift+Delete xóa hẳn tệp. {T}\n\n::T2:: Thùng rác giữ tệp đã xóa. {T}\n", encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "iu02"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("IU02 – Sử dụng máy tính cơ bản: 2 thêm mới")
    assert _module_codes(db) == [("T1", "IU02"), ("T2", "IU02")]
    output = tmp_path / "iu02.gift"
    exported = runner.invoke(args=["questions", "export", "--bank", "IU02", "--format", "gift", "-o", str(output)])
    assert exported.exit_code == 0 and "T1" in output.read_text(encoding="utf-8")
    assert db.session.execute(select(func.count(QuestionBank.id))).scalar_one() == 1


def test_a_short_code_of_several_banks_is_refused_naming_them(runner, db, tmp_path):
    from lms.questionbank import services

    services.create_bank("IU04 – Bảng tính (cơ bản)", None)
    services.create_bank("IU04 - Bảng tính (ôn luyện)", None)
    db.session.commit()
    result = runner.invoke(args=["questions", "export", "--bank", "IU04", "--format", "gift", "-o", str(tmp_path / "x.gift")])
    assert result.exit_code != 0 and "(cơ bản)" in result.output and "(ôn luyện)" in result.output


def test_without_any_module_the_import_asks_once_naming_the_option(runner, db, tmp_path):
    path = tmp_path / "ba-cau.gift"
    path.write_text("::A:: Câu một. {T}\n\n::B:: Câu hai. {F}\n\n::C:: Câu ba. {T}\n", encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "Kho chung"])
    assert result.exit_code != 0
    assert result.output.count("mô đun") >= 1 and "--module" in result.output and "3 câu hỏi chưa có mô đun (A, B, C)" in result.output
    assert "Không nhập câu hỏi nào: 1 lỗi." in result.output
    assert _count(db, Question) == 0


REPEATED_NAMES = """$CATEGORY: $course$/top/IU01
// question: 11  name: Câu hỏi
::Câu hỏi::Bộ nhớ nào mất dữ liệu khi tắt máy?{=RAM ~ROM}

// question: 12  name: Câu hỏi
::Câu hỏi::1 KB bằng bao nhiêu byte?{#
\t=%100%1024:0#
\t~#Xem lại đơn vị đo.
}

// question: 13  name: Câu hỏi
::Câu hỏi::Thủ đô của Việt Nam?{
\t=%100%Hà Nội#Chính xác.
\t=%50%Ha Noi#Thiếu dấu.
}
"""


def test_a_moodle_export_with_repeated_names_imports_whole_and_reimports_unchanged(runner, db, tmp_path):
    path = tmp_path / "lap-ten.gift"
    path.write_text(REPEATED_NAMES, encoding="utf-8")
    first = runner.invoke(args=["questions", "import", str(path), "--bank", "Kho"])
    assert first.exit_code == 0, first.output
    assert "3 thêm mới" in first.output and "Cảnh báo: Tên câu hỏi «Câu hỏi» lặp lại" in first.output
    again = runner.invoke(args=["questions", "import", str(path), "--bank", "Kho"])
    assert "0 thêm mới, 0 cập nhật, 3 không đổi" in again.output
    short = db.session.execute(select(Question).where(Question.type == "short_answer")).scalar_one()
    assert short.key.startswith("Câu hỏi-") and short.current_version.data["answers"][1]["fraction"] == 0.5


def test_an_image_embedded_in_moodle_xml_is_stored_in_the_bank_and_linked(runner, db, tmp_path):
    import base64

    from lms.questionbank.models import QuestionImage

    png = b"\x89PNG\r\n\x1a\n" + b"\x07" * 40
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="truefalse"><name><text>Sơ đồ</text></name>
<questiontext format="html"><text><![CDATA[<p><img src="@@PLUGINFILE@@/so%20do.png" alt=""> là sơ đồ mạng LAN.</p>]]></text>
<file name="so do.png" path="/" encoding="base64">{base64.b64encode(png).decode()}</file></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>"""
    path = tmp_path / "anh.xml"
    path.write_text(xml, encoding="utf-8")
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "Kho", "--module", "IU06"])
    assert result.exit_code == 0, result.output
    image = db.session.execute(select(QuestionImage)).scalar_one()
    assert image.content == png and image.bank_id == db.session.execute(select(QuestionBank.id)).scalar_one()
    text = db.session.execute(select(Question)).scalar_one().current_version.data["text"]
    assert f'src="/media/questions/{image.id}"' in text and "@@PLUGINFILE@@" not in text
    again = runner.invoke(args=["questions", "import", str(path), "--bank", "Kho", "--module", "IU06"])
    assert "1 không đổi" in again.output and _count(db, QuestionImage) == 1

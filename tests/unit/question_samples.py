"""Questions of every type, in Vietnamese, full of the characters formats must escape;
shared by the format tests (round trips)."""
from lms.questionbank.formats.common import canonicalize
from lms.questionbank.schema import Choice, QuestionData

SPECIAL = "Ký tự đặc biệt ~ = # { } : \\ -> [html] // % ' \" < & “Hà Nội”"


def samples():
    questions = [
        QuestionData(key="IU04-001", type="single_choice", module="IU04", syllabus="IU04.3.1", difficulty="easy",
                     tags=["công thức", "địa chỉ"], text="Ô C1 chứa `=A1*$B$1`; sao chép xuống C2 thì được gì?\n\nChọn **một** đáp án.",
                     choices=[Choice("=A2*$B$1", True, "Đúng: $B$1 giữ nguyên"), Choice("=A2*$B$2"), Choice("=B1*$B$1"),
                              Choice("{=A1} ~ #REF!", False, "Sai: lỗi #REF!")],
                     explanation="Địa chỉ tuyệt đối $B$1 không đổi khi sao chép."),
        QuestionData(key="IU01-002", type="multiple_response", module="IU01", syllabus="IU01.1.1", pool="practice",
                     text="Những thiết bị nào là **thiết bị vào**?", choices=[Choice("Bàn phím", True), Choice("Máy quét", True),
                                                                            Choice("Máy in"), Choice("Loa")]),
        QuestionData(key="IU01-003", type="multiple_response", module="IU01", difficulty="hard",
                     text="Trọng số riêng: chọn các đáp án đúng", choices=[Choice("A: 50%", True, fraction=0.5),
                     Choice("B = 25%", True, fraction=0.25), Choice("C # 25%", True, fraction=0.25), Choice("D sai", fraction=-1.0)]),
        QuestionData(key="IU02-004", type="true_false", module="IU02", status="review", text="Telex gõ chữ “ư” bằng phím w.", answer=True),
        QuestionData(key="IU02-005", type="true_false", module="IU02", text="Xóa bằng Shift+Delete vẫn vào Thùng rác.", answer=False,
                     explanation="Shift+Delete xóa hẳn, không qua Thùng rác."),
        QuestionData(key="IU02-006", type="short_answer", module="IU02", text="Kiểu gõ nào dùng **aa** cho chữ â?",
                     answers=["Telex", "Kiểu Telex"]),
        QuestionData(key="IU06-007", type="short_answer", module="IU06", case_sensitive=True, text="Tên thủ đô (viết đúng hoa thường):",
                     answers=["Hà Nội"]),
        QuestionData(key="IU01-008", type="numeric", module="IU01", text="1 KB bằng bao nhiêu byte?", answer=1024.0),
        QuestionData(key="IU04-009", type="numeric", module="IU04", text="=ROUND(3,456; 1) cho kết quả bao nhiêu?", answer=3.5,
                     tolerance=0.05, points=2.0),
        QuestionData(key="IU04-010", type="matching", module="IU04", text="Ghép hàm với công dụng.", shuffle=False,
                     pairs=[["SUM", "Tính tổng"], ["AVERAGE", "Trung bình cộng"], ["MAX", "Giá trị lớn nhất"], ["", "Đếm ô trống"]]),
        QuestionData(key="IU03-011", type="practical", module="IU03", syllabus="IU03.3.1", text="Soạn công văn theo mẫu và nộp tệp.",
                     rubric=[{"criterion": "Thể thức đúng Nghị định 30/2020", "points": 2.0}, {"criterion": "Chính tả", "points": 1.0}],
                     extensions=[".docx", ".odt"]),
        QuestionData(key="IU05-012", type="single_choice", module="IU05", text_format="html", category="$course$/top/IU05",
                     text="<p>Phím <b>F5</b> trong PowerPoint dùng để?</p>", choices=[Choice("Trình chiếu từ đầu", True),
                     Choice("Lưu tệp"), Choice("Chèn trang chiếu mới")]),
        QuestionData(key="IU06-013", type="single_choice", module="IU06", text_format="plain", title="Tiêu đề riêng",
                     text=SPECIAL, choices=[Choice(SPECIAL, True, SPECIAL), Choice("Không ~ có = gì #")], explanation=SPECIAL),
    ]
    return [canonicalize(q) for q in questions]

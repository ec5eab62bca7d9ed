"""The example rows and the column guide of the downloadable Excel template."""
from lms.questionbank.schema import Choice, QuestionData

TEMPLATE_QUESTIONS = [
    QuestionData(key="IU01-M01", type="single_choice", module="IU01", syllabus="IU01.1.1", difficulty="easy",
                 tags=["phần cứng", "bộ nhớ"], text="Bộ nhớ nào **mất dữ liệu** khi tắt máy tính?",
                 choices=[Choice("RAM", True), Choice("ROM"), Choice("Ổ cứng SSD"), Choice("Thẻ nhớ USB")],
                 explanation="RAM là bộ nhớ tạm thời, dữ liệu mất khi mất điện."),
    QuestionData(key="IU01-M02", type="multiple_response", module="IU01", syllabus="IU01.1.1", pool="practice",
                 text="Những thiết bị nào là **thiết bị vào**? (Chọn tất cả đáp án đúng.)",
                 choices=[Choice("Bàn phím", True), Choice("Máy quét", True), Choice("Máy in"), Choice("Loa")]),
    QuestionData(key="IU02-M03", type="true_false", module="IU02", difficulty="easy",
                 text="Trong Windows, tệp bị xóa bằng phím Delete được chuyển vào Thùng rác (Recycle Bin).", answer=True),
    QuestionData(key="IU02-M04", type="short_answer", module="IU02", difficulty="medium",
                 text="Kiểu gõ tiếng Việt nào gõ chữ **ư** bằng phím w?", answers=["Telex"]),
    QuestionData(key="IU01-M05", type="numeric", module="IU01", text="1 KB bằng bao nhiêu byte?", answer=1024.0),
    QuestionData(key="IU04-M06", type="matching", module="IU04", difficulty="hard", text="Ghép mỗi hàm với công dụng của nó.",
                 pairs=[["SUM", "Tính tổng"], ["AVERAGE", "Tính trung bình cộng"], ["MAX", "Tìm giá trị lớn nhất"]]),
]

GUIDE = [
    ("Mã câu hỏi", "Mã duy nhất trong ngân hàng, ví dụ IU04-015. Nhập lại tệp sẽ cập nhật câu hỏi có cùng mã. "
                   "Để trống thì hệ thống tự tạo mã từ nội dung."),
    ("Mô đun", "IU01 … IU15. Để trống thì dùng mô đun của ngân hàng."),
    ("Mã nội dung", "Mã trong chương trình, ví dụ IU04.3.1 (phải thuộc mô đun ở cột Mô đun)."),
    ("Loại", "Một lựa chọn đúng | Nhiều lựa chọn đúng | Đúng/Sai | Ghép cặp | Trả lời ngắn | Số | Thực hành (nộp tệp)."),
    ("Mức độ", "Dễ | Trung bình | Khó (mặc định Trung bình)."),
    ("Dùng cho", "Thi (không bao giờ hiện cho học viên ngoài bài thi) | Ôn luyện (mặc định Thi)."),
    ("Trạng thái", "Nháp | Chờ duyệt | Đã duyệt | Ngừng dùng (mặc định Đã duyệt). Chỉ câu Đã duyệt được đưa vào đề thi."),
    ("Thẻ", "Các từ khóa, cách nhau bằng dấu phẩy."),
    ("Nội dung câu hỏi", "Văn bản Markdown: **đậm**, *nghiêng*, danh sách bắt đầu bằng '- '. Xuống dòng trong ô bằng Alt+Enter."),
    ("Phương án A … F", "Các phương án của câu một lựa chọn hoặc nhiều lựa chọn, điền liên tiếp từ A (ít nhất 2)."),
    ("Đáp án đúng", "Một lựa chọn: một chữ cái, ví dụ B. Nhiều lựa chọn: các chữ cái cách nhau bằng dấu phẩy, ví dụ A,C. "
                    "Đúng/Sai: Đúng hoặc Sai. Trả lời ngắn: các đáp án được chấp nhận cách nhau bằng |, ví dụ Telex | telex. "
                    "Số: giá trị và sai số cho phép, ví dụ 3,5 ± 0,5 (dùng dấu phẩy hoặc dấu chấm thập phân). "
                    "Ghép cặp: các cặp 'trái -> phải' cách nhau bằng |. Thực hành: các tiêu chí 'tiêu chí: điểm' cách nhau bằng |."),
    ("Giải thích", "Hiện sau khi trả lời ở phần ôn luyện và khi xem lại bài thi."),
    ("Thuộc tính khác (JSON)", "Không cần điền. Khi xuất, hệ thống ghi vào đây những gì các cột khác không chứa được "
                               "(phản hồi từng phương án, hơn 6 phương án …) để nhập lại được đúng như cũ."),
]

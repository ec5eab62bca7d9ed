"""Practice presentation of IU05 (Sử dụng trình chiếu cơ bản).

The builder makes a draft .pptx in memory with python-pptx and returns its bytes;
nothing touches the disk or the network. The commune and its figures are fictional.
The draft is deliberately plain (default theme, long bullet lists, figures written as
text) so that the learner improves it: theme and slide master, a chart, a picture,
animations, transitions, speaker notes, then a PDF handout.
"""
from __future__ import annotations

from io import BytesIO
from typing import Callable

from pptx import Presentation
from pptx.util import Pt

# (tiêu đề, các dòng nội dung, ghi chú cho người trình bày)
SLIDES: list[tuple[str, list[str], str]] = [
    (
        "Báo cáo sơ kết 6 tháng đầu năm 2025",
        ["Ứng dụng công nghệ thông tin và chuyển đổi số tại UBND xã Đông Phong",
         "Đông Phong, tháng 7 năm 2025"],
        "Chào các đại biểu; giới thiệu người trình bày và thời lượng khoảng 10 phút.",
    ),
    (
        "Nội dung báo cáo",
        ["Kết quả ứng dụng công nghệ thông tin",
         "Số liệu dịch vụ công trực tuyến",
         "Tồn tại, hạn chế và nguyên nhân",
         "Phương hướng, nhiệm vụ 6 tháng cuối năm"],
        "",
    ),
    (
        "Kết quả ứng dụng công nghệ thông tin",
        ["100% cán bộ, công chức xã được cấp và sử dụng hộp thư điện tử công vụ",
         "Văn bản đi, đến được xử lý trên hệ thống quản lý văn bản và điều hành, "
         "ký số đối với văn bản đi của UBND xã",
         "Bộ phận một cửa sử dụng phần mềm một cửa dùng chung của thành phố",
         "12/15 công chức đạt chuẩn kỹ năng sử dụng CNTT cơ bản; 3 công chức đang ôn thi",
         "Trang thông tin điện tử của xã đăng 46 tin, bài trong 6 tháng",
         "Máy tính của bộ phận một cửa được thay mới 2 bộ, cài phần mềm diệt virus có bản quyền"],
        "",
    ),
    (
        "Số liệu dịch vụ công trực tuyến",
        ["Tổng số hồ sơ tiếp nhận: 612 hồ sơ",
         "Quý I: 138 hồ sơ trực tuyến, 162 hồ sơ trực tiếp",
         "Quý II: 187 hồ sơ trực tuyến, 125 hồ sơ trực tiếp",
         "Tỷ lệ hồ sơ trực tuyến 6 tháng: 53,1%",
         "Tỷ lệ hồ sơ giải quyết đúng hạn: 98,4%"],
        "",
    ),
    (
        "Tồn tại, hạn chế và nguyên nhân",
        ["Một bộ phận người dân cao tuổi chưa quen nộp hồ sơ trên Cổng Dịch vụ công",
         "Đường truyền Internet tại nhà văn hóa các thôn còn chậm",
         "Một số công chức chưa sử dụng thành thạo bảng tính và trình chiếu",
         "Kinh phí cho ứng dụng công nghệ thông tin còn hạn chế"],
        "",
    ),
    (
        "Phương hướng, nhiệm vụ 6 tháng cuối năm",
        ["Phấn đấu tỷ lệ hồ sơ nộp trực tuyến đạt trên 60%",
         "Tổ công nghệ số cộng đồng hướng dẫn người dân tại 6 thôn",
         "100% công chức đạt chuẩn kỹ năng sử dụng CNTT cơ bản",
         "Nâng cấp đường truyền Internet cho bộ phận một cửa"],
        "",
    ),
]


def build_bao_cao_so_ket() -> bytes:
    """A plain 6-slide draft of a báo cáo sơ kết, to be improved in the lessons of IU05."""
    prs = Presentation()
    title_layout = prs.slide_layouts[0]   # Title Slide
    content_layout = prs.slide_layouts[1]  # Title and Content
    for index, (title, lines, notes) in enumerate(SLIDES):
        if index == 0:
            slide = prs.slides.add_slide(title_layout)
            slide.shapes.title.text = title
            slide.placeholders[1].text = "\n".join(lines)
        else:
            slide = prs.slides.add_slide(content_layout)
            slide.shapes.title.text = title
            body = slide.placeholders[1].text_frame
            body.text = lines[0]
            for line in lines[1:]:
                body.add_paragraph().text = line
            if len(lines) > 5:  # the too-long slide the learner must split or trim
                for paragraph in body.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(18)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    prs.core_properties.title = SLIDES[0][0]
    prs.core_properties.author = "Văn phòng UBND xã Đông Phong"
    buf = BytesIO()
    prs.save(buf)
    return buf.getvalue()


FILES: dict[str, Callable[[], bytes]] = {
    "IU05-bao-cao-so-ket.pptx": build_bao_cao_so_ket,
}

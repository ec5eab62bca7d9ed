"""The words for the formula's choices, shared by the pages and the exports."""
from lms.messages import N_

MISSING_RULE_LABELS = {
    "exclude": N_("Đơn vị thiếu số liệu không được xếp hạng (ghi «thiếu số liệu»)."),
    "lowest": N_("Chỉ tiêu thiếu số liệu được tính bằng giá trị chuẩn hóa thấp nhất trong khối."),
    "zero": N_("Chỉ tiêu thiếu số liệu được tính bằng 0."),
}
NORMALISATION_LABELS = {
    "best": N_("Giá trị / giá trị tốt nhất khối"),
    "minmax": N_("(x − min)/(max − min) trong khối"),
    "target": N_("Giá trị / mục tiêu năm (tối đa 1)"),
}
BAND_BY_LABELS = {"index": N_("Xếp loại theo ngưỡng chỉ số"), "rank": N_("Xếp loại theo thứ hạng")}

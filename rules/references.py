"""By another document or on request ("Theo Kế hoạch số 156/KH-UBND ...", "Theo yêu cầu của
UBND tỉnh"), and ongoing work ("Thường xuyên"). Neither has a due date of its own: a reference is
flagged for a person to set; ongoing work is reported on in every periodic report."""

from __future__ import annotations

import re

from rules.base import Example, Rule
from rules.types import Context, Kind, Timing

# "... hoặc theo yêu cầu của ..." - an alternative that does not replace the first part.
ON_REQUEST = re.compile(
    r"(?:theo |khi có |khi )?(?:yêu cầu|đề nghị|chỉ đạo|hướng dẫn)\b.*|đột xuất\b.*|khi cần\b.*"
)


class ReferenceRule(Rule):
    name = "reference"
    requires = ('theo ', 'khi có yêu cầu', 'đột xuất', 'khi cần thiết')
    pattern = re.compile(
        r"(?:(?:thực hiện|hoàn thành|triển khai|thời gian) )?"
        r"theo (?P<what>kế hoạch|công văn|văn bản|"
        r"quyết định|thông báo|hướng dẫn|yêu cầu|chỉ đạo|lộ trình|tiến độ|quy định|chương trình|"
        r"nghị quyết|chỉ thị|thông tư|nghị định|đề án|đề nghị)\b.*"
        r"|(?:khi có yêu cầu|đột xuất|khi cần thiết)\b.*"
    )
    examples = (
        Example("Theo Kế hoạch số 156/KH-UBND ngày 30/10/2022 của UBND tỉnh và văn bản hướng "
                "dẫn của Văn phòng Chính phủ", "reference", source="seed 196/KH-UBND"),
        Example("Theo Công văn số 3553/UBND-NC ngày 31/10/2024 của Chủ tịch UBND tỉnh Sóc Trăng",
                "reference", source="seed 196/KH-UBND"),
        Example("Theo hướng dẫn của Bộ Nội vụ", "reference", source="contract"),
        Example("Theo yêu cầu của UBND tỉnh", "reference", source="contract"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        return Timing(
            phrase, Kind.REFERENCE, (),
            "Thời hạn theo văn bản khác hoặc theo yêu cầu: cần người xác định ngày cụ thể",
            self.name, (f"Thời hạn «{phrase.strip()}» dẫn chiếu văn bản khác: cần người đặt "
                        "ngày cụ thể",),
        )


class OngoingRule(Rule):
    name = "ongoing"
    requires = ('thường xuyên', 'liên tục', 'hàng ngày')
    pattern = re.compile(
        r"(?:thực hiện |triển khai )?(?:thường xuyên(?:,? liên tục)?|liên tục|hàng ngày)"
        r"(?: trong (?:cả )?năm(?: \d{4})?)?"
    )
    examples = (
        Example("Thường xuyên", "ongoing", source="seed 196/KH-UBND"),
        Example("Thường xuyên, liên tục", "ongoing", source="contract"),
        Example("Thực hiện thường xuyên trong năm 2025", "ongoing",
                source="common wording of provincial plans"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        return Timing(
            phrase, Kind.ONGOING, (),
            "Nhiệm vụ thường xuyên: không có hạn riêng, báo cáo kết quả trong mỗi kỳ báo cáo "
            "định kỳ", self.name,
        )

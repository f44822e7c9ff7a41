"""What the bot says, in Vietnamese, and the small values its handlers share.

Fixed one-line replies live here as constants (tests compare against them); anything longer is a
template in `templates/telegram/`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from telegram.ext import ContextTypes

from core.formatting import role_name, status_name, vn_date
from notifiers.bot_backend import TaskLine

Context = ContextTypes.DEFAULT_TYPE

REFUSAL = ("Xin lỗi, nhóm này chưa được liên kết với cơ quan nào nên bot không thể trả lời. "
           "Vui lòng liên hệ Sở Nội vụ để nhận mã liên kết, rồi gửi /link MÃ_LIÊN_KẾT.")
LINK_ERRORS = {
    "unknown": "Mã liên kết không đúng. Vui lòng kiểm tra lại mã do Sở Nội vụ cấp.",
    "used": "Mã liên kết này đã được sử dụng. Mỗi mã chỉ dùng được một lần; "
            "vui lòng xin Sở Nội vụ cấp mã mới.",
    "expired": "Mã liên kết đã hết hạn (mã chỉ có hiệu lực 48 giờ). "
               "Vui lòng xin Sở Nội vụ cấp mã mới.",
}
LINK_LOCKED = ("Nhóm này đã nhập sai mã liên kết {tries} lần. Vui lòng thử lại sau {minutes} phút "
               "hoặc liên hệ Sở Nội vụ.")
NOT_YOURS = "Nhiệm vụ này không thuộc cơ quan của nhóm."
NEED_LINK = "Nhóm này chưa liên kết với cơ quan nào nên không thể báo hoàn thành."
ONLY_ALL = ("Chỉ nhóm của Sở Nội vụ và Ban Chỉ đạo CCHC mới xem được nhiệm vụ của cơ quan "
            "khác.")
FAILURE = "Xin lỗi, bot gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau."
MAX_LINES = 100  # one answer lists at most this many deadlines, then says how many more
MAX_DOCUMENT = 40  # characters of a document number (it travels in the button's data)
DEFAULT_UPCOMING_DAYS = 7


@dataclass(frozen=True)
class Viewer:
    chat_id: int
    agency_id: str | None
    sees_all: bool

    @property
    def allowed(self) -> bool:
        return self.sees_all or self.agency_id is not None


def line_ctx(t: TaskLine) -> dict[str, Any]:
    days = t.days or 0
    return {
        "code": t.code, "group": t.group, "title": t.title, "label": t.label or "",
        "agency_name": t.agency_name, "due": vn_date(t.due), "status": status_name(t.status),
        "days_left": days if days > 0 else 0, "days_late": -days if days < 0 else 0,
        "role": role_name(t.role), "plan_number": t.plan_number or "",
        "completed_on": vn_date(t.completed_on) if t.completed_on else "",
        "document_no": t.document_no or "",
    }


def clean_code(text: str) -> str:
    return text.strip().rstrip(".")


def due_key(t: TaskLine) -> tuple[int, dt.date]:
    """Soonest first; deadlines without a date last."""
    return (t.due is None, t.due or dt.date.max)

"""Hand-made OutgoingMessages for the email tests, one per kind, written from the seed plan.

Titles are the seed plan's own wording (Kế hoạch 196/KH-UBND, Sóc Trăng, 2025); one title
carries markup and an ampersand to check escaping.
"""

from __future__ import annotations

import datetime as dt

from core.messages import Item, OutgoingMessage, Recipient
from core.vocabulary import MessageKind, Reason

TZ = dt.timezone(dt.timedelta(hours=7))
AT = dt.datetime(2025, 1, 17, 8, 0, tzinfo=TZ)  # a Friday
PLAN = "196/KH-UBND"
HOSTILE_TITLE = 'Rà soát <script>alert("x")</script> & đơn giản hóa TTHC'

VP_UBND = Recipient("vp-ubnd", "Văn phòng UBND tỉnh",
                    ("vanthu@vp-ubnd.example.org", "lanhdao@vp-ubnd.example.org"))
STP = Recipient("so-tu-phap", "Sở Tư pháp", ("vanthu@so-tu-phap.example.org",))
SNV = Recipient("so-noi-vu", "Sở Nội vụ", ("vanthu@so-noi-vu.example.org",))
BCD = Recipient("bcd-cchc", "Ban Chỉ đạo CCHC tỉnh", ("bcd@ubnd.example.org",))


def agency_digest(key: str = "email:vp-ubnd:2025-01-17",
                  recipient: Recipient = VP_UBND) -> OutgoingMessage:
    """3 deadlines due (1 today, 2 soon, one of them as support), 1 late, 1 report."""
    items = (
        Item(Reason.REMINDER, group="Cải cách thủ tục hành chính", code="4.1",
             title=HOSTILE_TITLE, due=dt.date(2025, 1, 24), role="lead", days_left=5,
             deadline_id=41),
        Item(Reason.REMINDER, group="Cải cách thủ tục hành chính", code="4.3",
             title="Công bố danh mục thủ tục hành chính", due=dt.date(2025, 1, 17),
             role="lead", days_left=0, label="Quyết định", deadline_id=43),
        Item(Reason.REMINDER, group="Cải cách thể chế", code="2.2",
             title="Kiểm tra, rà soát văn bản quy phạm pháp luật", due=dt.date(2025, 1, 24),
             role="support", days_left=5, deadline_id=22),
        Item(Reason.LATE, group="Cải cách thủ tục hành chính", code="4.5",
             title="Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
             due=dt.date(2025, 1, 10), role="lead", days_late=5, deadline_id=45),
        Item(Reason.REPORT_REMINDER, period="Quý I", due=dt.date(2025, 3, 18),
             cutoff_from=dt.date(2024, 12, 15), cutoff_to=dt.date(2025, 3, 14),
             data_entry_url="https://cchc.soctrang.example.org/bao-cao", days_left=5),
    )
    ongoing = (Item(Reason.REMINDER, code="4.2.1", role="lead",
                    title="Cập nhật, công khai TTHC theo các Quyết định công bố"),)
    return OutgoingMessage(key, MessageKind.AGENCY_DIGEST, "email", recipient, AT, items,
                           ongoing=ongoing, plan_number=PLAN)


def late_notice(key: str = "email:so-tu-phap:2025-02-03") -> OutgoingMessage:
    """Only late items: the digest must read as a late notice."""
    at = dt.datetime(2025, 2, 3, 8, 0, tzinfo=TZ)
    items = (
        Item(Reason.LATE, group="Cải cách thể chế", code="2.1",
             title="Xây dựng Kế hoạch kiểm tra công tác cải cách hành chính",
             due=dt.date(2025, 1, 24), role="lead", days_late=1, label="Kế hoạch"),
        Item(Reason.LATE, group="Cải cách thể chế", code="2.4",
             title="Theo dõi thi hành pháp luật", due=dt.date(2025, 1, 20), role="lead",
             days_late=5),
    )
    return OutgoingMessage(key, MessageKind.AGENCY_DIGEST, "email", STP, at, items,
                           plan_number=PLAN)


def monitor_list(key: str = "email:so-noi-vu:monitor:2025-01-29") -> OutgoingMessage:
    at = dt.datetime(2025, 1, 29, 8, 0, tzinfo=TZ)
    items = (
        Item(Reason.LATE, code="2.1", title="Xây dựng Kế hoạch kiểm tra công tác CCHC",
             due=dt.date(2025, 1, 24), days_late=3, agency_id="so-tu-phap",
             agency_name="Sở Tư pháp"),
        Item(Reason.LATE, code="4.5", title=HOSTILE_TITLE, due=dt.date(2025, 1, 10),
             days_late=12, agency_id="vp-ubnd", agency_name="Văn phòng UBND tỉnh"),
        Item(Reason.LATE, code="4.6", title="Rà soát quy trình nội bộ", due=dt.date(2025, 1, 3),
             days_late=17, agency_id="vp-ubnd", agency_name="Văn phòng UBND tỉnh"),
        Item(Reason.NEEDS_DUE, group="Cải cách tổ chức bộ máy", code="3.2",
             title="Sắp xếp tổ chức bộ máy theo hướng dẫn của Trung ương",
             label="Theo hướng dẫn của Bộ Nội vụ", agency_id="so-noi-vu",
             agency_name="Sở Nội vụ"),
        Item(Reason.FAILED, title="tin nhắc việc gửi cơ quan",
             agency_id="so-tai-chinh", agency_name="Sở Tài chính",
             label="email: 550 5.1.1 hộp thư không tồn tại"),
    )
    return OutgoingMessage(key, MessageKind.MONITOR_LIST, "email", SNV, at, items,
                           plan_number=PLAN)


def steering_digest(key: str = "email:bcd-cchc:steering:2025-01-20") -> OutgoingMessage:
    at = dt.datetime(2025, 1, 20, 8, 0, tzinfo=TZ)  # Monday
    stats = {
        "Sở Tư pháp": {"overdue": 2, "due_soon": 1, "done_on_time": 7},
        "Văn phòng UBND tỉnh": {"overdue": 3, "done_late": 1, "done_on_time": 4},
        "Sở Tài chính": {"not_due": 5, "done_on_time": 5},
    }
    items = (
        Item(Reason.LATE, code="2.1", title="Xây dựng Kế hoạch kiểm tra", due=dt.date(2025, 1, 14),
             days_late=4, agency_name="Sở Tư pháp"),
        Item(Reason.LATE, code="4.6", title="Rà soát quy trình nội bộ", due=dt.date(2025, 1, 3),
             days_late=11, agency_name="Văn phòng UBND tỉnh"),
        Item(Reason.LATE, code="4.5", title=HOSTILE_TITLE, due=dt.date(2025, 1, 10),
             days_late=6, agency_name="Văn phòng UBND tỉnh"),
    )
    return OutgoingMessage(key, MessageKind.STEERING_DIGEST, "email", BCD, at, items, stats=stats,
                           plan_number=PLAN)


def explanation_request(key: str = "email:vp-ubnd:explain:45",
                        reply_by: dt.date | None = dt.date(2025, 2, 14)) -> OutgoingMessage:
    at = dt.datetime(2025, 2, 7, 8, 0, tzinfo=TZ)
    items = (Item(Reason.LATE, group="Cải cách thủ tục hành chính", code="4.5",
                  title=HOSTILE_TITLE, due=dt.date(2025, 1, 10), role="lead", days_late=11,
                  reply_by=reply_by, deadline_id=45),)
    return OutgoingMessage(key, MessageKind.EXPLANATION_REQUEST, "email", VP_UBND, at, items,
                           plan_number=PLAN)


ALL = {
    "agency_digest": agency_digest,
    "late_notice": late_notice,
    "monitor_list": monitor_list,
    "steering_digest": steering_digest,
    "explanation_request": explanation_request,
}

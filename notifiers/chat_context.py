"""What a chat channel's templates see (Telegram's HTML, Zalo's plain text): an OutgoingMessage
sorted into the sections a reader expects, the late list of an oversight message cut to what a
chat shows (`notifiers.late_view`), the Steering Committee's table cut to its most late
agencies. Each channel passes its own limits and adds what only it has (Telegram's buttons,
Zalo's web address line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.formatting import role_name, status_name, vn_date
from core.messages import Item, OutgoingMessage
from core.vocabulary import MessageKind, Reason
from notifiers.email.build import split_addresses
from notifiers.late_view import LateView, late_view

MONITOR_SECTIONS = (
    (Reason.LATE, "Nhiệm vụ quá hạn"),
    (Reason.NEEDS_DUE, "Nhiệm vụ cần xác định thời hạn"),
    (Reason.NEEDS_LEAD, "Nhiệm vụ chưa có cơ quan chủ trì"),
    (Reason.MISSED, "Nhắc việc không gửi được trong thời gian cho phép"),
    (Reason.FAILED, "Gửi thông báo không thành công"),
    (Reason.REMINDER, "Nhiệm vụ sắp đến hạn"),
)


@dataclass(frozen=True)
class ChatLimits:
    late_lines: int  # late items an oversight message shows (the oldest)
    other_agencies: int  # agencies without lines shown, named with their counts
    table_agencies: int  # rows of the Steering Committee's status table


def item_ctx(i: Item) -> dict[str, Any]:
    return {
        "reason": i.reason, "group": i.group or "", "code": i.code or "", "title": i.title or "",
        "due": vn_date(i.due), "role": role_name(i.role), "label": i.label or "",
        "product": i.product or "", "period": i.period or "",
        "cutoff_from": vn_date(i.cutoff_from) if i.cutoff_from else "",
        "cutoff_to": vn_date(i.cutoff_to) if i.cutoff_to else "",
        "data_entry_url": i.data_entry_url or "", "days_left": i.days_left or 0,
        "days_late": i.days_late or 0, "agency_name": i.agency_name or i.agency_id or "",
        "status": status_name(i.status),
    }


def email_to(msg: OutgoingMessage) -> str:
    """Who gets the same message by email, whole (a cut list's .xlsx, the whole table); "" when
    the recipient has no usable address."""
    usable, _ = split_addresses(msg.recipient.emails)
    return msg.recipient.name if usable else ""


def cut_late_view(msg: OutgoingMessage, limits: ChatLimits) -> LateView | None:
    """The late list of an oversight message when it is too long to show whole, else None."""
    if msg.kind not in (MessageKind.MONITOR_LIST, MessageKind.STEERING_DIGEST):
        return None
    view = late_view((i for i in msg.items if i.reason == Reason.LATE), limits.late_lines)
    return view if view.cut else None


def late_view_ctx(view: LateView, msg: OutgoingMessage, limits: ChatLimits) -> dict[str, Any]:
    rest = view.others[limits.other_agencies:]
    return {
        "total": view.total, "shown": view.shown, "agencies": view.agencies,
        "groups": [{"agency": g.agency, "total": g.total, "rest": g.rest,
                    "entries": [item_ctx(i) for i in g.shown]} for g in view.groups],
        "others": [{"agency": g.agency, "total": g.total}
                   for g in view.others[:limits.other_agencies]],
        "more_agencies": len(rest), "more_items": sum(g.total for g in rest),
        # where the complete list is: the same message by email, with the .xlsx attached
        "email_to": email_to(msg),
    }


def message_context(msg: OutgoingMessage, limits: ChatLimits) -> dict[str, Any]:
    view = cut_late_view(msg, limits)
    # A cut late list is rendered from the view alone: its thousands of items are not copied.
    source = msg.items if view is None else [i for i in msg.items if i.reason != Reason.LATE]
    items = [item_ctx(i) for i in source]
    tasks = [c for c in items if c["reason"] in (Reason.REMINDER, Reason.LATE)]
    late_ctx = late_view_ctx(view, msg, limits) if view is not None else None
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in items:
        groups.setdefault(c["agency_name"], []).append(c)
    table = list(msg.stats.items())  # ranked
    if len(table) > limits.table_agencies:  # most late first; the ranking among equals
        table = sorted(table, key=lambda row: -row[1].get("overdue", 0))
        table = table[:limits.table_agencies]
    more = len(msg.stats) - len(table)
    return {
        "recipient": msg.recipient.name, "plan_number": msg.plan_number or "",
        "plan_title": msg.plan_title or "", "items": items,
        "late": [c for c in tasks if c["reason"] == Reason.LATE],
        "today": [c for c in tasks if c["reason"] == Reason.REMINDER and not c["days_left"]],
        "soon": [c for c in tasks if c["reason"] == Reason.REMINDER and c["days_left"]],
        "reports": [c for c in items if c["reason"] == Reason.REPORT_REMINDER],
        "ongoing": [item_ctx(i) for i in msg.ongoing],
        "late_view": late_ctx,
        "sections": [
            {"title": title, "entries": [c for c in items if c["reason"] == reason],
             "view": late_ctx if reason == Reason.LATE else None}
            for reason, title in MONITOR_SECTIONS
            if any(c["reason"] == reason for c in items) or (reason == Reason.LATE and view)],
        "groups": [{"agency": k, "entries": v} for k, v in groups.items()],
        "stats": [{"agency": name, "summary": ", ".join(f"{n} {status_name(s)}"
                                                       for s, n in counts.items())}
                  for name, counts in table],
        "stats_more": more,
        "email_to": email_to(msg) if more else "",  # where the whole table is
    }

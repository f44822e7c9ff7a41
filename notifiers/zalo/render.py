"""What a message looks like on Zalo: plain text from `templates/zalo/*.txt.j2`, cut in parts.

Plain text (Zalo shows no markup), so the templates are `.txt.j2` and nothing is escaped: a task
title with "<" or "&" is shown as written. The late list of a Sở Nội vụ's list or a Steering
Committee digest shows at most ZALO_LATE_LINES items, the oldest (`notifiers.late_view`), and
says where the complete list is; the committee's table at most ZALO_TABLE_AGENCIES agencies.
Each message ends with the agency's personal web address when there is one (`web_link`).
"""

from __future__ import annotations

from typing import Any

from core.errors import ConfigError
from core.formatting import role_name, status_name, vn_date
from core.messages import Item, OutgoingMessage
from core.vocabulary import MessageKind, Reason
from notifiers.email.build import split_addresses
from notifiers.late_view import LateView, late_view
from notifiers.render import render
from notifiers.zalo.text import split_text

ZALO_LATE_LINES = 30
ZALO_OTHER_AGENCIES = 60
ZALO_TABLE_AGENCIES = 60
TEMPLATES = {
    MessageKind.AGENCY_DIGEST: "zalo/agency_digest.txt.j2",
    MessageKind.MONITOR_LIST: "zalo/monitor_list.txt.j2",
    MessageKind.STEERING_DIGEST: "zalo/steering_digest.txt.j2",
    MessageKind.EXPLANATION_REQUEST: "zalo/explanation_request.txt.j2",
}
MONITOR_SECTIONS = (
    (Reason.LATE, "Nhiệm vụ quá hạn"),
    (Reason.NEEDS_DUE, "Nhiệm vụ cần xác định thời hạn"),
    (Reason.NEEDS_LEAD, "Nhiệm vụ chưa có cơ quan chủ trì"),
    (Reason.MISSED, "Nhắc việc không gửi được trong thời gian cho phép"),
    (Reason.FAILED, "Gửi thông báo không thành công"),
    (Reason.REMINDER, "Nhiệm vụ sắp đến hạn"),
)


def item_ctx(i: Item) -> dict[str, Any]:
    return {
        "reason": i.reason, "group": i.group or "", "code": i.code or "", "title": i.title or "",
        "due": vn_date(i.due), "role": role_name(i.role), "label": i.label or "",
        "period": i.period or "",
        "cutoff_from": vn_date(i.cutoff_from) if i.cutoff_from else "",
        "cutoff_to": vn_date(i.cutoff_to) if i.cutoff_to else "",
        "data_entry_url": i.data_entry_url or "", "days_left": i.days_left or 0,
        "days_late": i.days_late or 0, "agency_name": i.agency_name or i.agency_id or "",
        "status": status_name(i.status),
    }


def _email_to(msg: OutgoingMessage) -> str:
    usable, _ = split_addresses(msg.recipient.emails)
    return msg.recipient.name if usable else ""


def _view_ctx(view: LateView, msg: OutgoingMessage) -> dict[str, Any]:
    rest = view.others[ZALO_OTHER_AGENCIES:]
    return {
        "total": view.total, "shown": view.shown, "agencies": view.agencies,
        "groups": [{"agency": g.agency, "total": g.total, "rest": g.rest,
                    "entries": [item_ctx(i) for i in g.shown]} for g in view.groups],
        "others": [{"agency": g.agency, "total": g.total}
                   for g in view.others[:ZALO_OTHER_AGENCIES]],
        "more_agencies": len(rest), "more_items": sum(g.total for g in rest),
        "email_to": _email_to(msg),
    }


def message_context(msg: OutgoingMessage, web_link: str | None = None) -> dict[str, Any]:
    view = None
    if msg.kind in (MessageKind.MONITOR_LIST, MessageKind.STEERING_DIGEST):
        view = late_view((i for i in msg.items if i.reason == Reason.LATE), ZALO_LATE_LINES)
        view = view if view.cut else None
    source = msg.items if view is None else [i for i in msg.items if i.reason != Reason.LATE]
    items = [item_ctx(i) for i in source]
    tasks = [c for c in items if c["reason"] in (Reason.REMINDER, Reason.LATE)]
    late_ctx = _view_ctx(view, msg) if view is not None else None
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in items:
        groups.setdefault(c["agency_name"], []).append(c)
    table = list(msg.stats.items())
    if len(table) > ZALO_TABLE_AGENCIES:
        table = sorted(table, key=lambda row: -row[1].get("overdue", 0))[:ZALO_TABLE_AGENCIES]
    more = len(msg.stats) - len(table)
    return {
        "recipient": msg.recipient.name, "plan_number": msg.plan_number or "",
        "items": items,
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
        "stats_more": more, "email_to": _email_to(msg) if more else "",
        "web_link": web_link or "",
    }


def render_message(msg: OutgoingMessage, web_link: str | None = None) -> list[str]:
    """The parts of `msg` as they will be sent (plain text, each at most 2,000 characters)."""
    try:
        template = TEMPLATES[msg.kind]
    except KeyError:
        raise ConfigError(f"không có mẫu tin Zalo cho loại «{msg.kind}»") from None
    return split_text(render(template, **message_context(msg, web_link)))

"""What each email template sees: an OutgoingMessage sorted into the sections a reader expects.

Templates get the engine's own values (``Item`` objects, dates) and format them with the
Vietnamese filters of ``notifiers.render``; this module only groups and orders. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from core.messages import Item, OutgoingMessage
from core.numbering import code_key
from core.vocabulary import STATUS_ORDER, MessageKind, Reason, Status
from notifiers.email import late_sheet
from notifiers.late_view import FAR_FUTURE, agency_of, late_view

# An explanation request names the reply date when the engine sets one (Item.reply_by);
# otherwise the letter gives the usual period counted from receipt.
DEFAULT_REPLY_WORKING_DAYS = 5
# The most late-item lines the body of a monitoring list or steering digest shows; beyond it the
# oldest ones are shown, every agency is named with its count, and the complete list is attached.
EMAIL_LATE_LINES = 200


def _by_due(items: Iterable[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.due or FAR_FUTURE, i.group or "", code_key(i.code)))


def is_due_today(i: Item, day: dt.date) -> bool:
    if i.days_left is not None:
        return i.days_left <= 0
    return i.due is not None and i.due <= day


def common(msg: OutgoingMessage) -> dict[str, Any]:
    return {
        "kind": msg.kind,
        "recipient": msg.recipient,
        "plan_number": msg.plan_number,
        "plan_title": msg.plan_title,
        "at": msg.at,
        "day": msg.at.date(),
        "link": msg.link,  # the agency's personal address on the web desk, or None
    }


def agency_digest(msg: OutgoingMessage) -> dict[str, Any]:
    day = msg.at.date()
    reminders = [i for i in msg.items if i.reason == Reason.REMINDER]
    late = _by_due(i for i in msg.items if i.reason == Reason.LATE)
    today = _by_due(i for i in reminders if is_due_today(i, day))
    soon = _by_due(i for i in reminders if not is_due_today(i, day))
    reports = _by_due(i for i in msg.items if i.reason == Reason.REPORT_REMINDER)
    return {
        "late": late,
        "today": today,
        "soon": soon,
        "reports": reports,
        "ongoing": list(msg.ongoing),
        # A late notice is a digest holding nothing but late items: it must not open with
        # "sắp đến hạn" wording.
        "only_late": bool(late) and not (today or soon or reports),
        "has_support": any(i.role == "support" for i in reminders),
        # How to report a completion by chat, shown with one of the message's own tasks.
        "example_ref": _example_ref([*late, *today, *soon]),
    }


def _example_ref(items: list[Item]) -> str:
    """A task number of the message, for the example of how to report a completion by chat
    (the bots' /done takes the number and asks which task when several share it)."""
    return next((i.code for i in items if i.code and i.role != "support"), "1.1")


def _late(msg: OutgoingMessage, late: list[Item]) -> dict[str, Any]:
    """The late list as the body shows it, and the attachment's name when it is cut."""
    view = late_view(late, EMAIL_LATE_LINES)
    return {"late_view": view,
            "attachment": late_sheet.file_name(msg.at.date()) if view.cut else None}


def monitor_list(msg: OutgoingMessage) -> dict[str, Any]:
    late = [i for i in msg.items if i.reason == Reason.LATE]
    return {
        **_late(msg, late),
        "late_count": len(late),
        "needs_due": sorted((i for i in msg.items if i.reason == Reason.NEEDS_DUE),
                            key=lambda i: (i.group or "", code_key(i.code))),
        "needs_lead": sorted((i for i in msg.items if i.reason == Reason.NEEDS_LEAD),
                             key=lambda i: (i.group or "", code_key(i.code))),
        "missed": _by_due(i for i in msg.items if i.reason == Reason.MISSED),
        "failed": _by_due(i for i in msg.items if i.reason == Reason.FAILED),
        "upcoming": _by_due(i for i in msg.items if i.reason == Reason.REMINDER),
    }


def _status_columns(stats: dict[str, dict[str, int]]) -> list[str]:
    seen = {s for counts in stats.values() for s, n in counts.items() if n}
    known = [s for s in STATUS_ORDER if s in seen]
    return known + sorted(seen - set(STATUS_ORDER))


def _is_late(status: str) -> bool:
    return status in (Status.OVERDUE, Status.LATE)


def steering_digest(msg: OutgoingMessage) -> dict[str, Any]:
    columns = _status_columns(msg.stats)
    rows = []
    for agency, counts in msg.stats.items():
        cells = [counts.get(s, 0) for s in columns]
        late = sum(n for s, n in counts.items() if _is_late(s))
        rows.append({"agency": agency, "cells": cells, "total": sum(cells), "late": late,
                     "pairs": [(s, n) for s, n in zip(columns, cells, strict=True) if n]})
    # The committee reads the table to see who lags: most late first.
    rows.sort(key=lambda r: (-r["late"], r["agency"].casefold()))
    totals = [sum(r["cells"][k] for r in rows) for k in range(len(columns))]
    grand = sum(totals)
    peak = max(totals, default=0)
    chart = [
        {"status": s, "count": n,
         "percent": round(100 * n / grand) if grand else 0,
         # bar length relative to the largest status, so small counts stay visible
         "width": max(1, round(100 * n / peak)) if n else 0}
        for s, n in zip(columns, totals, strict=True)
    ]
    late = sorted((i for i in msg.items if i.reason == Reason.LATE),
                  key=lambda i: (i.due or FAR_FUTURE, agency_of(i).casefold(), code_key(i.code)))
    return {"columns": columns, "rows": rows, "totals": totals, "grand_total": grand,
            "chart": chart, "late": late, "period_report": _period_report(msg),
            **_late(msg, late)}


def _period_report(msg: OutgoingMessage) -> dict[str, Any] | None:
    """The latest period report the digest names (engine.reports.latest), dates as dates."""
    r = msg.period_report
    if not r:
        return None
    return {"plan": r.get("plan"), "period": r.get("period"), "url": r.get("url"),
            **{k: dt.date.fromisoformat(r[k]) if r.get(k) else None
               for k in ("cutoff_from", "cutoff_to", "deadline")}}


def explanation_request(msg: OutgoingMessage,
                        reply_days: int = DEFAULT_REPLY_WORKING_DAYS) -> dict[str, Any]:
    items = _by_due(msg.items)
    dated = [i.reply_by for i in items if i.reply_by is not None]
    return {"items": items, "reply_by": min(dated) if dated else None,
            "reply_days": reply_days,
            # Without the desk's link: how to report a completion by chat, with a task of its own.
            "example_ref": _example_ref(items)}


KINDS = {
    MessageKind.AGENCY_DIGEST: agency_digest,
    MessageKind.MONITOR_LIST: monitor_list,
    MessageKind.STEERING_DIGEST: steering_digest,
    MessageKind.EXPLANATION_REQUEST: explanation_request,
}


def context(msg: OutgoingMessage) -> dict[str, Any]:
    try:
        specific = KINDS[msg.kind]
    except KeyError:
        raise ValueError(f"không có mẫu thư cho loại «{msg.kind}»") from None
    return {**common(msg), **specific(msg)}

"""Tổng quan: per plan and as of a day, the status table by agency
(`engine.tracking.status.table`, the one the CLI prints) in the four colours, the rates, a chart
and the oldest late items."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from sqlalchemy import select
from sqlmodel import Session

from engine.storage.models import Plan, WebUser
from engine.tracking.desk import oldest_late
from engine.tracking.status import table
from engine.web.deps import db, officer, page, today
from engine.web.forms import parse_day
from notifiers.render import render

router = APIRouter()
FOUR = (("overdue", "quá hạn", "red"), ("done_late", "hoàn thành quá hạn", "orange"),
        ("in_time", "trong hạn", "blue"), ("done_on_time", "đúng hạn", "green"),
        ("undated", "chưa có hạn", "grey"))


def four_counts(counts: dict[str, int]) -> dict[str, int]:
    return {"overdue": counts["overdue"], "done_late": counts["done_late"],
            "in_time": counts["due_soon"] + counts["not_due"],
            "done_on_time": counts["done_on_time"],
            "undated": counts["waiting_event"] + counts["needs_due"]}


@router.get("/")
def overview(request: Request, ke_hoach: str = "", ngay: str | None = None,
             user: WebUser = Depends(officer), s: Session = Depends(db),
             day: dt.date = Depends(today)):  # noqa: ANN201
    rt = request.app.state.rt
    as_of = parse_day(ngay, "ngày") or day
    plans = list(s.scalars(select(Plan).order_by(Plan.year.desc(), Plan.id.desc())))
    plan = next((p for p in plans if str(p.id) == ke_hoach.strip()), None)
    plan_id = plan.id if plan else None
    kept = request.app.state.cache.recent(("overview", plan_id, as_of),
                                          lambda: _overview(rt, plan_id, as_of))
    rows, table_rows, totals, late = kept.value
    due = totals["overdue"] + totals["done_late"] + totals["done_on_time"]
    done = totals["done_late"] + totals["done_on_time"]
    rates = {"completion": done / due if due else None,
             "on_time": totals["done_on_time"] / due if due else None}
    return page(request, "overview.html", user=user, plans=plans, plan=plan, as_of=as_of,
                rows=rows, table_rows=table_rows, totals=totals, rates=rates, four=FOUR,
                late=late, kept=kept, tz=rt.policy.tz,
                names=request.app.state.names, peak=max(totals.values()) or 1)


def _overview(rt, plan_id: int | None, as_of: dt.date) -> tuple:  # noqa: ANN001
    """The status table by agency in four colours (and its rows as HTML: 3,500 agencies make
    a long table, rendered once), the totals and the oldest late items."""
    rows = []
    totals = dict.fromkeys((k for k, _, _ in FOUR), 0)
    with rt.session() as s:  # its own: it may run in the cache's background thread
        result = table(s, as_of, rt.calendar, rt.directory, soon=rt.policy.soon_working_days,
                       plan_id=plan_id)
        late = oldest_late(s, as_of, plan_id=plan_id, limit=20)
    for rank, a in enumerate(result, 1):
        four = four_counts(a.counts)
        for k, n in four.items():
            totals[k] += n
        rows.append((rank, a, four))
    html = Markup(render("web/_status_rows.html", rows=rows, four=FOUR))
    return rows, html, totals, late

"""The latest period report, for the Steering Committee's Monday digest to name and link.

The latest period is the one whose data cut-off ended most recently before the digest's day
(its report can be built: `nhacviec report build --period ...`). Its address on the web desk is
`{web base URL}/bao-cao/{plan id}/{period}.xlsx` (`report_path`): the desk serves the workbook
there from `build_report` and `engine.reports.xlsx.write`; the dispatcher's `report_link` hook
makes the whole address (unset: the digest names the period without a link).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from engine.storage.models import Plan, ReportPeriod
from engine.tracking.lookup import fold

REPORT_PATH = "/bao-cao"
# A period without a data cut-off window (the plan gives none) ends with its deadline.
_cutoff = func.coalesce(ReportPeriod.cutoff_to, ReportPeriod.deadline)
# (plan id, period name) -> the report's address on the web desk
ReportLink = Callable[[int, str], str]


def period_slug(name: str) -> str:
    """"Quý I" -> "quy-i", "6 tháng" -> "6-thang": the period in an address."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


def report_path(plan_id: int, period: str) -> str:
    return f"{REPORT_PATH}/{plan_id}/{period_slug(period)}.xlsx"


def links_under(base_url: str) -> ReportLink:
    """The `ReportLink` of a desk served at `base_url` (NHACVIEC_WEB_BASE_URL)."""
    base = base_url.rstrip("/")
    return lambda plan_id, period: base + report_path(plan_id, period)


def latest_period(s: Session, day: dt.date, link: ReportLink | None = None
                  ) -> dict[str, Any] | None:
    """The period whose cut-off ended last before `day` (the latest plan's, when two end the
    same day), as plain values a stored message keeps; None before any cut-off."""
    row = s.execute(
        select(Plan.id, Plan.number, ReportPeriod.name, ReportPeriod.cutoff_from,
               ReportPeriod.cutoff_to, ReportPeriod.deadline)
        .join(Plan, Plan.id == ReportPeriod.plan_id)
        .where(_cutoff < day)
        .order_by(_cutoff.desc(), Plan.year.desc(), Plan.id.desc())
        .limit(1)).first()
    if row is None:
        return None
    plan_id, number, name, cut_from, cut_to, deadline = row
    return {"plan": number, "period": name,
            "cutoff_from": cut_from.isoformat() if cut_from else None,
            "cutoff_to": cut_to.isoformat() if cut_to else None, "deadline": deadline.isoformat(),
            "url": link(plan_id, name) if link else None}

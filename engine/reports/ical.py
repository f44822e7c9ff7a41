"""An agency's calendar feed (iCalendar, RFC 5545; contract section 10), for Outlook, Google
Calendar or a phone to subscribe to.

One all-day VEVENT per open deadline the agency leads (and per report it has not sent yet) on
its due day; its UID is made of database ids that never change (`nhacviec-deadline-<deadline
id>-<agency id>@nhacviec`, `nhacviec-report-<obligation id>@nhacviec`), so a calendar that
fetches the feed again updates the same events. SUMMARY names the task, DESCRIPTION holds the
task in full, its plan and product, and the agency's page when there is one (`page_url`); a
VALARM rings at the send time of the policy's first reminder day (5 working days before, by
default). Work a reorganisation moved to the agency (successor links) is in its feed.

The web desk serves the same bytes at the agency's personal address (`GET
/co-quan/{token}/lich.ics`, `engine.web.routes.agency`), as `nhacviec agency ical` prints them.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Alarm, Calendar, Event
from sqlalchemy import select
from sqlmodel import Session

from core.formatting import label_is_period, product_of
from engine.directory.agencies import Directory
from engine.planning.policy import Policy
from engine.storage.models import (
    Completion,
    Deadline,
    Duty,
    Plan,
    ReportObligation,
    ReportPeriod,
    Task,
)
from rules import WorkingCalendar

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//nhacviec//Nhắc việc CCHC//VI"
UID_DOMAIN = "nhacviec"
SUMMARY_CHARS = 120  # a calendar cell shows little; the whole task is in the description
REFRESH = dt.timedelta(hours=6)  # how often a subscribed calendar should fetch again


def agency_feed(s: Session, agency_id: str, *, directory: Directory,
                calendar: WorkingCalendar, policy: Policy, now: dt.datetime,
                page_url: str | None = None) -> bytes:
    today = now.astimezone(policy.tz).date()
    stamp = now.astimezone(dt.UTC)
    origins = sorted({a.id for a in directory if directory.current(a.id, today).id == agency_id}
                     | {agency_id})
    name = directory.get(agency_id).name if agency_id in directory else agency_id
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Nhắc việc CCHC - {name}")
    cal.add("x-wr-caldesc", f"Thời hạn nhiệm vụ cải cách hành chính và hạn báo cáo của {name}")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")  # Outlook's name for the same
    events = _deadlines(s, origins, name, today, calendar, policy, page_url) + _reports(
        s, origins, name, today, calendar, policy, page_url)
    for *_, event in sorted(events, key=lambda e: (e[0], e[1])):
        event.add("dtstamp", stamp)
        cal.add_component(event)
    return cal.to_ical()


def _live():  # noqa: ANN202
    return Completion.undone_at.is_(None)


def _deadlines(s, origins, name, today, calendar, policy, page_url) -> list:  # noqa: ANN001
    rows = s.execute(
        select(Deadline.id, Duty.agency_id, Deadline.due, Deadline.label, Task.group_name,
               Task.code, Task.title, Task.product, Plan.number)
        .join(Deadline, Deadline.id == Duty.deadline_id)
        .join(Task, Task.id == Deadline.task_id).join(Plan, Plan.id == Task.plan_id)
        .outerjoin(Completion, (Completion.deadline_id == Duty.deadline_id)
                   & (Completion.agency_id == Duty.agency_id) & _live())
        .where(Duty.agency_id.in_(origins), Duty.role == "lead", Deadline.active,
               Task.removed.is_(False), Completion.id.is_(None))).all()
    out = []
    for did, agency, due, label, group, code, title, product, plan in rows:
        uid = f"nhacviec-deadline-{did}-{agency}@{UID_DOMAIN}"
        lines = [f"Nhiệm vụ {group} / {code}: {title}",
                 f"Sản phẩm: {product_of(label, product)}" if product_of(label, product)
                 else None,
                 f"Kỳ: {label}" if label_is_period(label) else None,
                 f"Kế hoạch: {plan}", f"Cơ quan chủ trì: {name}",
                 f"Hạn: {due:%d/%m/%Y}" + (" (đã quá hạn)" if due < today else "")]
        summary = _summary(title, f"{group} {code}")
        out.append((due, uid, _event(uid, due, summary, lines, page_url,
                                     _first_reminder(due, policy.lead_reminders, calendar),
                                     policy)))
    return out


def _reports(s, origins, name, today, calendar, policy, page_url) -> list:  # noqa: ANN001
    rows = s.execute(
        select(ReportObligation.id, ReportPeriod.name, ReportPeriod.deadline,
               ReportPeriod.cutoff_from, ReportPeriod.cutoff_to, Plan.number,
               Plan.data_entry_url)
        .join(ReportPeriod, ReportPeriod.id == ReportObligation.period_id)
        .join(Plan, Plan.id == ReportPeriod.plan_id)
        .outerjoin(Completion, (Completion.obligation_id == ReportObligation.id) & _live())
        .where(ReportObligation.agency_id.in_(origins), Completion.id.is_(None))).all()
    out = []
    for oid, period, due, cut_from, cut_to, plan, url in rows:
        uid = f"nhacviec-report-{oid}@{UID_DOMAIN}"
        lines = [f"Báo cáo kết quả thực hiện CCHC {period} (Kế hoạch {plan})",
                 f"Số liệu từ {cut_from:%d/%m/%Y} đến {cut_to:%d/%m/%Y}"
                 if cut_from and cut_to else None,
                 f"Nhập dữ liệu tại: {url}" if url else None,
                 f"Cơ quan báo cáo: {name}",
                 f"Hạn: {due:%d/%m/%Y}" + (" (đã quá hạn)" if due < today else "")]
        out.append((due, uid, _event(uid, due, f"Hạn gửi báo cáo CCHC {period}", lines,
                                     page_url,
                                     _first_reminder(due, policy.report_reminders, calendar),
                                     policy)))
    return out


def _event(uid: str, due: dt.date, summary: str, lines: list[str | None],
           page_url: str | None, remind: dt.date | None, policy: Policy) -> Event:
    e = Event()
    e.add("uid", uid)
    e.add("summary", summary)
    e.add("dtstart", due)
    e.add("dtend", due + dt.timedelta(days=1))
    e.add("transp", "TRANSPARENT")  # a deadline does not make the day busy
    if page_url:
        lines = [*lines, f"Trang của cơ quan: {page_url}"]
        e.add("url", page_url)
    e.add("description", "\n".join(x for x in lines if x))
    if remind is not None:
        a = Alarm()
        a.add("action", "DISPLAY")
        a.add("description", summary)
        a.add("trigger", policy.slot_instant(remind).astimezone(dt.UTC),
              parameters={"VALUE": "DATE-TIME"})
        e.add_component(a)
    return e


def _first_reminder(due: dt.date, steps: tuple[int, ...], calendar: WorkingCalendar
                    ) -> dt.date | None:
    """The first reminder's day: the most working days before the due day the policy says
    (the planner's own arithmetic: n working days before, or the due day itself for 0)."""
    if not steps:
        return None
    n = max(steps)
    return calendar.next_working_day(due) if n == 0 else calendar.add_working_days(due, -n)


def _summary(title: str, ref: str) -> str:
    """"<title> (<group> <code>)", the title cut short when long (the whole is in the
    description)."""
    title = " ".join(title.split())
    room = max(20, SUMMARY_CHARS - len(ref) - 3)
    if len(title) > room:
        title = title[:room - 1].rstrip() + "…"
    return f"{title} ({ref})"

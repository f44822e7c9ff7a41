"""The reminder and escalation rules of the policy, as days and recipients (no database).

`Planner.duty_wants` / `obligation_wants` say which items a deadline asks for, on which working
days, to whom: per lead duty with due day D (policy defaults) reminders D-5, D-1, D (working
days), the late notice D+1, the Sở Nội vụ's list D+3, an explanation request D+11 ("more than
10"); support duties D-5; report obligations D-5, D-1, D and the same escalation. Recipients
follow reorganisations: an agency merged into another before a send day is reached as its
successor that day. `steering_days` and `needs_due_days` are the weekly and monthly notices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from engine.agencies import Directory
from engine.policy import Policy
from notifiers.base import (
    AGENCY_DIGEST,
    EXPLANATION_REQUEST,
    LATE,
    MONITOR_LIST,
    REMINDER,
    REPORT_REMINDER,
)
from rules import WorkingCalendar

EXPLANATION = "explanation"  # the item of an explanation request (giải trình)
STEERING = "steering"  # the weekly marker: the digest itself is composed when it is sent
UNDATED_KINDS = ("reference", "unknown")


class Want(NamedTuple):
    key: str
    kind: str
    reason: str
    recipient_id: str
    send_on: dt.date
    plan_id: int | None = None
    task_id: int | None = None
    duty_id: int | None = None
    obligation_id: int | None = None
    role: str | None = None
    escalation: bool = False


class _Days(NamedTuple):
    lead: tuple[tuple[int, dt.date], ...]
    support: tuple[tuple[int, dt.date], ...]
    report: tuple[tuple[int, dt.date], ...]
    late: dt.date
    monitor: dt.date
    explanation: dt.date


class Planner:
    def __init__(self, directory: Directory, calendar: WorkingCalendar, policy: Policy) -> None:
        self.d, self.cal, self.p = directory, calendar, policy
        self._route: dict[tuple[str, dt.date], str | None] = {}
        self._days: dict[dt.date, _Days] = {}
        # Agencies no reorganisation touches receive their own messages whatever the day.
        self.stable = frozenset(a.id for a in directory
                                if a.successor is None and a.valid_from is None)

    def holder(self, agency_id: str, day: dt.date) -> str:
        """The agency holding `agency_id`'s tasks on `day`."""
        if agency_id in self.stable:
            return agency_id
        return self.d.current(agency_id, day).id

    # --- routing ---------------------------------------------------------------------------
    def recipients(self, origins: list[str], day: dt.date) -> list[str]:
        """Who receives, on `day`, what `origins` owe: each origin, or its successor once a
        reorganisation took effect; an agency not yet created that day receives nothing."""
        if len(origins) == 1 and origins[0] in self.stable:
            return list(origins)
        out: list[str] = []
        for o in origins:
            if o in self.stable:
                if o not in out:
                    out.append(o)
                continue
            key = (o, day)
            if key not in self._route:
                a = self.d.current(o, day)
                self._route[key] = (None if a.valid_from is not None and a.valid_from > day
                                    else a.id)
            r = self._route[key]
            if r is not None and r not in out:
                out.append(r)
        return out

    def _day(self, due: dt.date, n: int) -> dt.date:
        return self.cal.next_working_day(due) if n == 0 else self.cal.add_working_days(due, n)

    def days(self, due: dt.date) -> _Days:
        """Every send day a deadline on `due` asks for (cached: deadlines share due days)."""
        got = self._days.get(due)
        if got is None:
            p, add = self.p, self.cal.add_working_days
            got = self._days[due] = _Days(
                tuple((n, self._day(due, -n)) for n in p.lead_reminders),
                tuple((n, self._day(due, -n)) for n in p.support_reminders),
                tuple((n, self._day(due, -n)) for n in p.report_reminders),
                add(due, p.late_agency_after), add(due, p.late_monitor_after),
                add(due, p.explanation_after + 1))
        return got

    # --- what a duty / an obligation asks for ------------------------------------------------
    def duty_wants(self, duty_id: int, role: str, due: dt.date, origins: list[str],
                   plan_id: int, task_id: int) -> Iterator[Want]:
        days = self.days(due)
        # One agency that no reorganisation touches (nearly every duty): no routing per day.
        only = origins[0] if len(origins) == 1 and origins[0] in self.stable else None
        if role == "support":
            for n, day in days.support:
                for r in (only,) if only else self.recipients(origins, day):
                    yield Want(f"support{n}/{duty_id}/{r}", AGENCY_DIGEST, REMINDER, r, day,
                               plan_id, task_id, duty_id, None, role, False)
            return
        for n, day in days.lead:
            for r in (only,) if only else self.recipients(origins, day):
                yield Want(f"reminder{n}/{duty_id}/{r}", AGENCY_DIGEST, REMINDER, r, day,
                           plan_id, task_id, duty_id, None, role, False)
        yield from self._escalations(str(duty_id), days, origins, plan_id, task_id, duty_id,
                                     None)

    def obligation_wants(self, obligation_id: int, due: dt.date, origins: list[str],
                         plan_id: int) -> Iterator[Want]:
        days = self.days(due)
        for n, day in days.report:
            for r in self.recipients(origins, day):
                yield Want(f"report{n}/{obligation_id}/{r}", AGENCY_DIGEST, REPORT_REMINDER, r,
                           day, plan_id, None, None, obligation_id, None, False)
        if self.p.escalate_reports:
            yield from self._escalations(f"r{obligation_id}", days, origins, plan_id, None,
                                         None, obligation_id)

    def _escalations(self, ref: str, days: _Days, origins: list[str], plan_id: int,
                     task_id: int | None, duty_id: int | None, obligation_id: int | None
                     ) -> Iterator[Want]:
        for r in self.recipients(origins, days.late):
            yield Want(f"late/{ref}/{r}", AGENCY_DIGEST, LATE, r, days.late, plan_id, task_id,
                       duty_id, obligation_id, None, True)
        yield Want(f"monitor/{ref}", MONITOR_LIST, LATE, self.d.monitor_id, days.monitor,
                   plan_id, task_id, duty_id, obligation_id, None, True)
        for r in self.recipients(origins, days.explanation):
            yield Want(f"explain/{ref}/{r}", EXPLANATION_REQUEST, EXPLANATION, r,
                       days.explanation, plan_id, task_id, duty_id, obligation_id, None, True)

    # --- calendars of the periodic notices ---------------------------------------------------
    def steering_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The steering digest's day of every week in [start, end]: the policy's weekday, or the
        next working day when that day is off."""
        first = start - dt.timedelta(days=start.weekday())
        days: list[dt.date] = []
        week = first
        while week <= end:
            day = self.cal.next_working_day(week + dt.timedelta(days=self.p.steering_weekday))
            if start <= day <= end and (not days or days[-1] != day):
                days.append(day)
            week += dt.timedelta(days=7)
        return days

    def needs_due_days(self, today: dt.date, year: int) -> list[dt.date]:
        if self.p.needs_due_cadence == "never":
            return []
        first = self.cal.next_working_day(max(today, dt.date(year, 1, 1)))
        end = dt.date(year, 12, 31)
        if self.p.needs_due_cadence == "weekly":
            later = self.steering_days(first + dt.timedelta(days=1), end)
        else:
            later = [self.cal.next_working_day(dt.date(year, m, 1)) for m in range(1, 13)]
            later = [d for d in later if first < d <= end]
        return [first, *later]



"""The reminder and escalation rules of the policy, as days and recipients (no database).

`Planner.duty_wants` / `obligation_wants` say which items a deadline asks for, on which working
days, to whom: per lead duty with due day D (policy defaults) reminders D-5, D-1, D (working
days), the late notice D+1, an explanation request D+11 ("more than 10"); support duties D-5;
report obligations D-5, D-1, D and the same escalation. The Sở Nội vụ's list D+3 is one marker
per plan and due day (`monitor_marker`), like the weekly steering digest: the list is composed
when it is sent, from what is late then (a national plan has 350,000 lead duties and report
obligations, and a few dozen due days). Recipients follow reorganisations: an agency merged into
another before a send day is reached as its successor that day. `steering_days` and
`needs_due_days` are the weekly and monthly notices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from core.vocabulary import MessageKind, Reason
from engine.directory.agencies import Directory
from engine.planning.policy import Policy
from rules import WorkingCalendar

MONITOR_PREFIX = "monitor/"  # the Sở Nội vụ's list: "monitor/<plan id>/<due day>"
UNDATED_KINDS = ("reference", "unknown")


def marker_due(key: str) -> dt.date:
    """The due day of a Sở Nội vụ's list marker (`Planner.monitor_marker`) from its key."""
    return dt.date.fromisoformat(key.rsplit("/", 1)[1])


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


class Step(NamedTuple):
    """One item a deadline asks for: its key is ``<prefix><id>/<recipient>``."""

    prefix: str
    kind: str
    reason: str
    day: dt.date
    escalation: bool
    role: str | None  # the duty's role on its reminders; None on escalations and reports


class _Days(NamedTuple):
    lead: tuple[tuple[int, dt.date], ...]
    support: tuple[tuple[int, dt.date], ...]
    report: tuple[tuple[int, dt.date], ...]
    late: dt.date
    monitor: dt.date
    explanation: dt.date


class Planner:
    def __init__(self, directory: Directory, calendar: WorkingCalendar, policy: Policy) -> None:
        self.directory, self.calendar, self.policy = directory, calendar, policy
        self._route: dict[tuple[str, dt.date], str | tuple[str, ...] | None] = {}
        self._days: dict[dt.date, _Days] = {}
        self._steps: dict[tuple[str, dt.date], tuple[Step, ...]] = {}
        self._fresh: dict[tuple[str, dt.date, dt.date], tuple[Step, ...]] = {}
        # Agencies no reorganisation touches receive their own messages whatever the day.
        self.stable = frozenset(a.id for a in directory
                                if a.successor is None and a.valid_from is None)

    def holder(self, agency_id: str, day: dt.date) -> str:
        """The agency holding `agency_id`'s tasks on `day`."""
        if agency_id in self.stable:
            return agency_id
        return self.directory.current(agency_id, day).id

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
                a = self.directory.current(o, day)
                self._route[key] = (None if a.valid_from is not None and a.valid_from > day
                                    else a.id if a.is_single else tuple(
                                        self.directory.holders(o, day)) or None)
            r = self._route[key]
            for x in (r if isinstance(r, tuple) else () if r is None else (r,)):
                if x not in out:
                    out.append(x)
        return out

    def _day(self, due: dt.date, n: int) -> dt.date:
        cal = self.calendar
        return cal.next_working_day(due) if n == 0 else cal.add_working_days(due, n)

    def days(self, due: dt.date) -> _Days:
        """Every send day a deadline on `due` asks for (cached: deadlines share due days)."""
        got = self._days.get(due)
        if got is None:
            p, add = self.policy, self.calendar.add_working_days
            got = self._days[due] = _Days(
                tuple((n, self._day(due, -n)) for n in p.lead_reminders),
                tuple((n, self._day(due, -n)) for n in p.support_reminders),
                tuple((n, self._day(due, -n)) for n in p.report_reminders),
                add(due, p.late_agency_after), add(due, p.late_monitor_after),
                add(due, p.explanation_after + 1))
        return got

    # --- what a duty / an obligation asks for ------------------------------------------------
    def steps(self, what: str, due: dt.date) -> tuple[Step, ...]:
        """Every item a deadline on `due` asks for; `what`: "lead" / "support" (a duty's role)
        or "report" (a report obligation). Cached: deadlines share due days."""
        got = self._steps.get((what, due))
        if got is not None:
            return got
        days = self.days(due)
        if what == "support":
            got = tuple(Step(f"support{n}/", MessageKind.AGENCY_DIGEST, Reason.REMINDER, day,
                             False, what) for n, day in days.support)
        elif what == "lead":
            got = tuple(Step(f"reminder{n}/", MessageKind.AGENCY_DIGEST, Reason.REMINDER, day,
                             False, what) for n, day in days.lead)
            got += self._escalation_steps("", days)
        else:
            got = tuple(Step(f"report{n}/", MessageKind.AGENCY_DIGEST, Reason.REPORT_REMINDER,
                             day, False, None) for n, day in days.report)
            if self.policy.escalate_reports:
                got += self._escalation_steps("r", days)
        self._steps[(what, due)] = got
        return got

    @staticmethod
    def _escalation_steps(ref: str, days: _Days) -> tuple[Step, ...]:
        return (Step(f"late/{ref}", MessageKind.AGENCY_DIGEST, Reason.LATE, days.late, True, None),
                Step(f"explain/{ref}", MessageKind.EXPLANATION_REQUEST, Reason.EXPLANATION,
                     days.explanation, True, None))

    def monitor_marker(self, plan_id: int, due: dt.date) -> Want:
        """The Sở Nội vụ's list of what is late among a plan's deadlines due on `due`, sent
        `late_monitor_after` working days after it: a marker, whose list is composed when it is
        sent (`engine.dispatch.compose.Composer.monitor_late`). The due day is the key's last
        part."""
        return Want(f"{MONITOR_PREFIX}{plan_id}/{due.isoformat()}", MessageKind.MONITOR_LIST,
                    Reason.LATE, self.directory.monitor_id, self.days(due).monitor, plan_id,
                    escalation=True)

    def when(self, day: dt.date, escalation: bool, today: dt.date,
             kind: str | None = None) -> dt.date | None:
        """The day an item asked for on `day` is planned, planning on `today`: its own day; for
        an escalation whose day has passed (a plan imported after its deadlines), the first
        working day from `today` (the catch-up digest), except an explanation request, held
        until the officer asks (`engine.tracking.explain_requests`) unless the policy says
        `explain_already_late`; a reminder whose day has passed is not planned (None)."""
        if day >= today:
            return day
        if not escalation:
            return None
        if kind == MessageKind.EXPLANATION_REQUEST and not self.policy.explain_already_late:
            return None
        return self.calendar.next_working_day(today)

    def _wants(self, steps: tuple[Step, ...], ident: int, origins: list[str], plan_id: int,
               task_id: int | None, duty_id: int | None, obligation_id: int | None
               ) -> Iterator[Want]:
        for st in steps:
            for r in self.recipients(origins, st.day):
                yield Want(f"{st.prefix}{ident}/{r}", st.kind, st.reason, r, st.day, plan_id,
                           task_id, duty_id, obligation_id, st.role, st.escalation)

    def duty_wants(self, duty_id: int, role: str, due: dt.date, origins: list[str],
                   plan_id: int, task_id: int) -> Iterator[Want]:
        return self._wants(self.steps(role, due), duty_id, origins, plan_id, task_id, duty_id,
                           None)

    def obligation_wants(self, obligation_id: int, due: dt.date, origins: list[str],
                         plan_id: int) -> Iterator[Want]:
        return self._wants(self.steps("report", due), obligation_id, origins, plan_id, None,
                           None, obligation_id)

    def duty_rows(self, duty_id: int, role: str, due: dt.date, origins: list[str],
                  plan_id: int, task_id: int, today: dt.date) -> list[tuple]:
        """The planned-item rows (columns of `engine.planning.plan_table`, state pending) of a duty
        planned on `today` into a table holding none of them yet: `duty_wants` through `when`,
        without the intermediate objects (a national plan has millions)."""
        if len(origins) != 1 or origins[0] not in self.stable:
            rows = []
            for w in self.duty_wants(duty_id, role, due, origins, plan_id, task_id):
                day = self.when(w.send_on, w.escalation, today, w.kind)
                if day is not None:
                    rows.append((*w[:4], day, *w[5:10], "pending"))
            return rows
        # One agency no reorganisation touches (nearly every duty): the same recipient each day.
        key = (role, due, today)
        steps = self._fresh.get(key)
        if steps is None:
            steps = self._fresh[key] = tuple(
                st._replace(day=day) for st in self.steps(role, due)
                if (day := self.when(st.day, st.escalation, today, st.kind)) is not None)
        r = origins[0]
        return [(f"{st.prefix}{duty_id}/{r}", st.kind, st.reason, r, st.day, plan_id, task_id,
                 duty_id, None, st.role, "pending") for st in steps]

    # --- calendars of the periodic notices ---------------------------------------------------
    def steering_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The steering digest's day of every week in [start, end]: the policy's weekday, or the
        next working day when that day is off."""
        first = start - dt.timedelta(days=start.weekday())
        days: list[dt.date] = []
        week = first
        while week <= end:
            weekday = week + dt.timedelta(days=self.policy.steering_weekday)
            day = self.calendar.next_working_day(weekday)
            if start <= day <= end and (not days or days[-1] != day):
                days.append(day)
            week += dt.timedelta(days=7)
        return days

    def needs_due_days(self, today: dt.date, year: int) -> list[dt.date]:
        if self.policy.needs_due_cadence == "never":
            return []
        first = self.calendar.next_working_day(max(today, dt.date(year, 1, 1)))
        end = dt.date(year, 12, 31)
        if self.policy.needs_due_cadence == "weekly":
            later = self.steering_days(first + dt.timedelta(days=1), end)
        else:
            later = [self.calendar.next_working_day(dt.date(year, m, 1)) for m in range(1, 13)]
            later = [d for d in later if first < d <= end]
        return [first, *later]



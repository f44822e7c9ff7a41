"""A period report: the counted rows (`engine.reports.counting`) summed per agency, ranked, scored
(`engine.reports.par_index`), and as the JSON object of contract section 9.

Per agency: the four counts; `due`, their sum; the completion rate (done on time or late) and the
on-time rate, both of the deadlines that had to be done by the as-of day (`due` less those still
in time: a deadline due on the as-of day itself and still open is not yet a failure, as the
status table counts it); the period's own report, submitted or not and when; the rank.

Rank: by completion rate, then on-time rate, both descending; agencies equal on both share a
rank and the next rank skips as many places (standard competition ranking, "1, 2, 2, 4").
Agencies with nothing that had to be done yet have no rank (null) and come last.

An agency that a reorganisation merged into another during the plan year appears once, under
the agency holding its work at the as-of day, with its rows counted there (`predecessors` names
the agencies folded in).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session

from engine.directory.agencies import Directory
from engine.reports.counting import (
    FOUR,
    Counted,
    Heading,
    ListedTask,
    ReportLine,
    TaskLine,
    count,
)
from engine.reports.par_index import Projection, Scoring, Tally, project
from engine.storage.gc_pause import gc_paused
from engine.tracking.lookup import find_period, find_plan
from rules import WorkingCalendar


@dataclass
class AgencyRow:
    id: str
    name: str
    predecessors: tuple[str, ...]
    counts: dict[str, int]
    report: ReportLine | None  # the period's own report obligation
    par: Projection
    ongoing: int = 0
    undated: int = 0
    rank: int | None = None

    @property
    def due(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts["done_on_time"] + self.counts["done_late"]

    @property
    def rated(self) -> int:
        return self.due - self.counts["open_in_time"]

    @property
    def completion_rate(self) -> float | None:
        return round(self.done / self.rated, 4) if self.rated else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.counts["done_on_time"] / self.rated, 4) if self.rated else None

    def to_json(self) -> dict:
        r = self.report
        return {
            "id": self.id, "name": self.name, "due": self.due, **self.counts,
            "completion_rate": self.completion_rate, "on_time_rate": self.on_time_rate,
            "report_submitted": r.submitted.isoformat() if r and r.submitted else None,
            "rank": self.rank,
            "report_due": r.due.isoformat() if r else None,
            "report_status": r.status if r else None,
            "report_doc_number": r.doc_number if r else None,
            "predecessors": list(self.predecessors),
            "ongoing": self.ongoing, "undated": self.undated,
            "par_points": self.par.points, "par_max_points": self.par.max_points,
        }


@dataclass
class PeriodReport:
    heading: Heading
    as_of: dt.date
    judged_on: dt.date
    agencies: list[AgencyRow]  # by rank, then name; unranked last
    tasks: list[TaskLine]  # by agency (as listed), due day, plan order
    reports: list[ReportLine]
    ongoing: list[ListedTask]
    undated: list[ListedTask]
    par: Projection  # the whole plan
    scoring: Scoring
    names: dict[str, str]

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(FOUR, 0)
        for a in self.agencies:
            for k in FOUR:
                out[k] += a.counts[k]
        return out

    def late_by_agency(self) -> dict[str, list[TaskLine]]:
        out: dict[str, list[TaskLine]] = defaultdict(list)
        for t in self.tasks:
            if t.status == "late_open":
                out[t.agency].append(t)
        return out

    def what_it_would_take(self) -> list[dict]:
        """Agencies whose points completing some of their late tasks would raise: fewest
        completions needed first."""
        late = self.late_by_agency()
        out = []
        for a in self.agencies:
            steps = [s for s in a.par.steps if s.completions]
            if not steps:
                continue
            out.append({"id": a.id, "name": a.name, "points": a.par.points,
                        "steps": [s.to_json() for s in a.par.steps],
                        "late_tasks": [{"group": t.group, "code": t.code,
                                        "due": t.due.isoformat()} for t in late[a.id]]})
        out.sort(key=lambda x: (min(s["complete_late_tasks"] for s in x["steps"]
                                    if "complete_late_tasks" in s), x["name"]))
        return out

    def json_chunks(self, rows: int = 5_000) -> Iterator[str]:
        """`to_json()` as text, in pieces: the deadline rows are written a few thousand at a
        time instead of as one list of dictionaries (a national report has 280,000)."""
        marker = "\u0000tasks\u0000"
        head, tail = json.dumps(self._object(marker), ensure_ascii=False).split(
            json.dumps(marker), 1)
        yield head + "["
        for at in range(0, len(self.tasks), rows):
            text = json.dumps(_tasks_json(self.tasks[at:at + rows]), ensure_ascii=False)
            yield ("," if at else "") + text[1:-1]
        yield "]" + tail

    def to_json(self) -> dict:
        return self._object(_tasks_json(self.tasks))

    def _object(self, tasks: object) -> dict:
        h = self.heading
        name = self.names.get
        return {
            "plan": h.plan_number, "period": h.period, "as_of": self.as_of.isoformat(),
            "agencies": [a.to_json() for a in self.agencies],
            "tasks": tasks,
            "par_index": {
                "points": self.par.points, "max_points": self.par.max_points,
                "rules": self.par.rules_json(), "source": self.scoring.source,
                "steps": [s.to_json() for s in self.par.steps],
                "what_it_would_take": self.what_it_would_take(),
            },
            "year": h.plan_year,
            "cutoff": {"from": h.cutoff_from.isoformat() if h.cutoff_from else None,
                       "to": h.cutoff_to.isoformat() if h.cutoff_to else None},
            "report_deadline": h.report_deadline.isoformat(),
            "reports_judged_on": self.judged_on.isoformat(),
            "totals": self.totals(),
            "reports": [{"agency": r.agency, "name": name(r.agency, r.agency),
                         "period": r.period, "due": r.due.isoformat(), "status": r.status,
                         "submitted": r.submitted.isoformat() if r.submitted else None,
                         "doc_number": r.doc_number} for r in self.reports],
            "ongoing": [_listed_json(t) for t in self.ongoing],
            "undated": [_listed_json(t) for t in self.undated],
        }


def _tasks_json(tasks: list[TaskLine]) -> list[dict]:
    """The contract's fields per row (the task's title is in the plan: `plan parse`, and in
    the workbook); each distinct day written once."""
    iso: dict = {None: None}
    out = []
    add = out.append
    for t in tasks:
        due, done = t.due, t.done
        d = iso.get(due) or iso.setdefault(due, due.isoformat())
        c = iso[done] if done in iso else iso.setdefault(done, done.isoformat())
        row = {"group": t.group, "code": t.code, "agency": t.agency, "role": "lead", "due": d,
               "status": t.status, "done": c, "doc_number": t.doc_number}
        if t.origin != t.agency:
            row["predecessor"] = t.origin
        add(row)
    return out


def _listed_json(t: ListedTask) -> dict:
    return {"group": t.group, "code": t.code, "title": t.title, "agency": t.agency,
            "reason": t.reason}


def competition_ranks(keys: list[tuple]) -> list[int]:
    """Ranks of already sorted keys, equal keys ranked equal: 1, 2, 2, 4."""
    ranks: list[int] = []
    for i, k in enumerate(keys):
        ranks.append(ranks[-1] if i and k == keys[i - 1] else i + 1)
    return ranks


def assemble(c: Counted, scoring: Scoring) -> PeriodReport:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FOUR, 0))
    for t in c.tasks:
        counts[t.agency][t.status] += 1
    reports_of: dict[str, list[ReportLine]] = defaultdict(list)
    for r in c.reports:
        reports_of[r.agency].append(r)
    ongoing: dict[str, int] = defaultdict(int)
    for t in c.ongoing:
        ongoing[t.agency] += 1
    undated: dict[str, int] = defaultdict(int)
    for t in c.undated:
        undated[t.agency] += 1
    own = c.heading.period
    ids = set(counts) | {r.agency for r in c.reports if r.period == own}
    rows = []
    for a in ids:
        n = counts[a]
        mine = tuple(sorted(reports_of[a], key=lambda r: r.due))
        rows.append(AgencyRow(
            a, c.names.get(a, a), tuple(c.predecessors.get(a, ())), dict(n),
            next((r for r in mine if r.period == own), None),
            project(scoring, Tally(*(n[k] for k in FOUR), mine)),
            ongoing[a], undated[a]))
    rated = sorted((r for r in rows if r.rated),
                   key=lambda r: (-r.completion_rate, -r.on_time_rate, r.name.casefold()))
    for r, rank in zip(rated, competition_ranks(
            [(r.completion_rate, r.on_time_rate) for r in rated]), strict=True):
        r.rank = rank
    rows = rated + sorted((r for r in rows if not r.rated), key=lambda r: r.name.casefold())
    order = {r.id: i for i, r in enumerate(rows)}
    tasks = sorted(c.tasks, key=lambda t: (order[t.agency], t.due, t.position))
    reports = sorted(c.reports, key=lambda r: (r.due, order.get(r.agency, len(order))))
    listed = lambda t: (order.get(t.agency, len(order)), t.position)  # noqa: E731
    total = Tally(*(sum(counts[a][k] for a in counts) for k in FOUR), tuple(c.reports))
    return PeriodReport(c.heading, c.as_of, c.judged_on, rows, tasks, reports,
                        sorted(c.ongoing, key=listed), sorted(c.undated, key=listed),
                        project(scoring, total), scoring, c.names)


def build_report(s: Session, *, period: str, directory: Directory, calendar: WorkingCalendar,
                 today: dt.date, plan: str | None = None, as_of: dt.date | None = None,
                 scoring: Scoring | None = None, soon: int = 5) -> PeriodReport:
    """The report of `period` of the plan numbered `plan` (default: the latest imported),
    counted at the period's data cut-off unless `as_of` says otherwise. `today` (the clock,
    read by the caller) is the day report obligations are judged on, when later than the
    as-of day."""
    p = find_plan(s, plan)
    pr = find_period(s, p.id, period)
    day = as_of or pr.cutoff_to or pr.deadline  # no window: counted at the report's deadline
    with gc_paused():  # hundreds of thousands of rows, no cycles among them
        counted = count(s, p, pr, day, directory=directory, calendar=calendar, today=today,
                        soon=soon)
        return assemble(counted, scoring or Scoring.bundled())

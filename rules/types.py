"""What the timing rules return, and what they are given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, NamedTuple

from core.vocabulary import TaskKind as Kind  # how a phrase reads: one enum, stored as is
from rules.calendar import WorkingCalendar
from rules.report_cycle import ReportCycle

EventUnit = Literal["working", "calendar"]


class Due(NamedTuple):
    """One due date, with the period or product it belongs to where there is one."""

    date: dt.date
    label: str | None = None


@dataclass
class Timing:
    """The result of a timing phrase. A value: nothing changes it after it is built (it is not
    frozen only because frozen dataclasses cost 5x more to build, and the rules build one for
    every task of a national-scale plan)."""

    phrase: str
    kind: Kind
    deadlines: tuple[Due, ...] = ()
    # The one-line Vietnamese explanation, or a function that builds it: it is text for a person,
    # built on first use, because a national-scale import evaluates phrases by the hundred
    # thousand and reads no explanation.
    explain: str | Callable[[], str] = field(default="", compare=False, repr=False)
    rule: str = ""
    warnings: tuple[str, ...] = ()
    event_offset: int | None = None
    event_unit: EventUnit | None = None
    event_description: str | None = None
    frequencies: tuple[str, ...] = ()
    # The phrase names a period only roughly ("Đầu năm 2026", "Cuối quý I", "Tuần đầu tiên của
    # tháng 3"): the due date is the policy's reading of it, for a person to confirm.
    approximate: bool = False

    @cached_property
    def explanation(self) -> str:
        return self.explain() if callable(self.explain) else self.explain

    @property
    def due(self) -> tuple[dt.date, ...]:
        return tuple(sorted({d.date for d in self.deadlines}))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "phrase": self.phrase,
            "kind": str(self.kind),
            "due": [d.isoformat() for d in self.due],
            "explanation": self.explanation,
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.kind is Kind.EVENT:
            out["event"] = {
                "offset": self.event_offset,
                "unit": self.event_unit,
                "description": self.event_description,
            }
        if self.frequencies:
            out["frequencies"] = list(self.frequencies)
        if self.approximate:
            out["approximate"] = True
        return out


@dataclass(frozen=True)
class Context:
    """What a rule needs besides the phrase: the plan's year, the calendar, the report cycle,
    and the plan's span. No clock: nothing in ``rules`` knows what day it is.

    ``year`` is the plan's (first) year: a phrase without a year takes it. ``horizon_to`` is the
    last year of a plan that spans several ("giai đoạn 2026-2030", "đến năm 2030"): recurring
    phrases ("Hằng quý", "trước ngày 20/11 hằng năm") recur in every year from ``year`` to it.
    ``not_before`` is the plan's date: a recurrence due before the plan was issued is dropped.
    """

    year: int
    calendar: WorkingCalendar
    cycle: ReportCycle = field(default_factory=ReportCycle)
    horizon_to: int | None = None
    not_before: dt.date | None = None

    @property
    def last_year(self) -> int:
        return max(self.year, self.horizon_to or self.year)

    @property
    def years(self) -> range:
        """Every year of the plan's span, in order."""
        return range(self.year, self.last_year + 1)

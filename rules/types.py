"""What the timing rules return, and what they are given."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from rules.calendar import WorkingCalendar
from rules.report_cycle import ReportCycle


class Kind(StrEnum):
    FIXED = "fixed"
    PERIODIC = "periodic"
    ONGOING = "ongoing"
    EVENT = "event"
    REFERENCE = "reference"
    UNKNOWN = "unknown"


EventUnit = Literal["working", "calendar"]


@dataclass(frozen=True)
class Due:
    """One due date, with the period or product it belongs to where there is one."""

    date: dt.date
    label: str | None = None


@dataclass(frozen=True)
class Timing:
    phrase: str
    kind: Kind
    deadlines: tuple[Due, ...] = ()
    explanation: str = ""
    rule: str = ""
    warnings: tuple[str, ...] = ()
    event_offset: int | None = None
    event_unit: EventUnit | None = None
    event_description: str | None = None
    frequencies: tuple[str, ...] = ()

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
        return out


@dataclass(frozen=True)
class Context:
    """What a rule needs besides the phrase: the plan's year, the calendar, the report cycle.
    No clock: nothing in ``rules`` knows what day it is."""

    year: int
    calendar: WorkingCalendar
    cycle: ReportCycle = field(default_factory=ReportCycle)

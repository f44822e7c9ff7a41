"""Timing phrases -> due dates, on the Vietnamese civil-service working-day calendar.

Pure: nothing here reads the clock; the plan's year, the calendar and the report cycle are passed
in. Public API:

    evaluate(phrase, ctx) -> Timing       # contract section 1
    Context(year, calendar, cycle)
    WorkingCalendar.default()
    ReportCycle(day=18)
"""

from rules.calendar import WorkingCalendar
from rules.engine import RULES, evaluate
from rules.report_cycle import DEFAULT_PERIODS, PeriodSpec, ReportCycle, ReportPeriod
from rules.types import Context, Due, Kind, Timing

__all__ = [
    "RULES", "DEFAULT_PERIODS", "Context", "Due", "Kind", "PeriodSpec", "ReportCycle",
    "ReportPeriod", "Timing", "WorkingCalendar", "evaluate",
]

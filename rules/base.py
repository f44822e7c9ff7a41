"""The Rule base class, shared pattern fragments, and result helpers.

Like APScheduler's cron expressions, every rule is a small class with a named-group ``pattern``
matched in full against the *normalised* phrase (see ``rules.normalize``); the first rule that
matches wins. Every rule carries ``examples`` taken from real plans; one test runs them all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from core.formatting import vn_day_month
from rules.calendar import WorkingCalendar
from rules.types import Context, Due, Kind, Timing


class ImpossibleDate(ValueError):
    """A date, month or quarter that does not exist ("31/02/2026", "Quý V")."""


@dataclass(frozen=True)
class Example:
    phrase: str
    kind: str
    due: tuple[str, ...] = ()
    year: int = 2025
    source: str = ""


class Rule:
    name: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]
    examples: ClassVar[tuple[Example, ...]]
    # Words one of which the phrase must contain for the pattern to have a chance: a substring
    # test is far cheaper than a failed regex match, and most phrases reach only two rules.
    requires: ClassVar[tuple[str, ...]] = ()
    # `requires` compiled into one search (None: no filter); a failed search costs ~0.1 µs.
    needs: ClassVar[Callable[[str], re.Match[str] | None] | None] = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "requires" in cls.__dict__:
            cls.needs = re.compile("|".join(map(re.escape, cls.requires))).search

    def match(self, text: str) -> re.Match[str] | None:
        if self.needs is not None and self.needs(text) is None:
            return None
        return self.pattern.fullmatch(text)

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        raise NotImplementedError


# ----------------------------------------------------------------------------- fragments
# A date after normalisation: "15/3/2026" or "15/3" (year from context).
DATE = r"(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?"
# Qualifiers that name the year relative to the plan's (reporting) year.
YEAR_QUALIFIER = (
    r"(?: (?P<yq>của năm báo cáo|thuộc kỳ báo cáo|thuộc năm báo cáo|của kỳ báo cáo"
    r"|của năm liền kề năm báo cáo|của năm sau|năm sau"
    r"|của năm trước kỳ báo cáo|của năm trước|năm trước"
    r"|hàng năm|mỗi năm|của năm))?"
)


def qualified_year(qualifier: str | None, ctx: Context) -> int:
    q = qualifier or ""
    if "liền kề" in q or "sau" in q:
        return ctx.year + 1
    if "trước" in q:
        return ctx.year - 1
    return ctx.year


def make_date(day: int | str, month: int | str, year: int | str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        text = f"ngày {int(day):02d}/{int(month):02d}/{year} không tồn tại"
        raise ImpossibleDate(text) from None




# ----------------------------------------------------------------------------- results
def fixed(phrase: str, rule: str, deadlines: list[Due], explanation: str | Callable[[], str],
          warnings: tuple[str, ...] = (), *, approximate: bool = False) -> Timing:
    if len(deadlines) > 1:
        unique: dict[dt.date, Due] = {}
        for d in sorted(deadlines, key=lambda d: d.date):
            unique.setdefault(d.date, d)
        deadlines = list(unique.values())
    return Timing(phrase, Kind.FIXED, tuple(deadlines), explanation, rule, warnings,
                  approximate=approximate)


def unknown(phrase: str, reason: str, rule: str = "unknown") -> Timing:
    quoted = phrase.strip()
    warning = f"Không hiểu thời hạn «{quoted}»: {reason}" if quoted else reason
    return Timing(phrase, Kind.UNKNOWN, (), f"{reason}; cần người xác định thời hạn", rule,
                  (warning,))


def moved_note(cal: WorkingCalendar, intended: dt.date, actual: dt.date) -> str:
    """Why ``actual`` is not ``intended``: the days off in between, named.

    "(27–31/01 nghỉ Tết)" for the last working day of January 2025; "" when only a weekend
    is in between (that needs no explaining)."""
    if actual == intended:
        return ""
    lo, hi = (actual, intended) if actual < intended else (intended, actual)
    day, runs = lo, []
    while day <= hi:
        name = cal.day_off_name(day)
        if name and day != actual:
            if runs and (day - runs[-1][1]).days <= 3 and runs[-1][2] == _short(name):
                runs[-1][1] = day
            else:
                runs.append([day, day, _short(name)])
        day += dt.timedelta(days=1)
    parts = []
    for start, end, name in runs:
        if start == end:
            parts.append(f"{vn_day_month(start)} {name}")
        elif start.month == end.month:
            parts.append(f"{start.day:02d}–{vn_day_month(end)} {name}")
        else:
            parts.append(f"{vn_day_month(start)}–{vn_day_month(end)} {name}")
    return f" ({'; '.join(parts)})" if parts else ""


def _short(name: str) -> str:
    low = name.lower()
    if "nguyên đán" in low or "giao thừa" in low or low.endswith("tết"):
        return "nghỉ Tết"
    if low.startswith("tết"):
        return f"nghỉ {name}"
    if "thay cho" in low or "hoán đổi" in low:
        return "nghỉ hoán đổi"
    return f"nghỉ lễ {name.removeprefix('Ngày ')}"

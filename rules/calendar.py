"""The Vietnamese civil-service working-day calendar.

Working day = Monday to Friday, minus the civil-service days off of that year (public holidays,
Tết, compensatory days and swapped days), plus the weekend days officially worked in exchange.

The days come from ``holidays.country_holidays("VN")`` and its ``weekend_workdays`` (filtered by
year: the library holds every year's swapped Saturdays at once), corrected by an override table
(``config/calendar_overrides.yaml``) for notices the library does not know yet.

Arithmetic runs on a table built once per range of years: a sorted tuple of working days and, for
every calendar day, how many working days fall on or before it. Adding N working days is then two
lookups, which is what makes the calendar cheap enough to call millions of times when a
national-scale plan is scheduled.

Nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CULTURE_DAY_NAME = "Ngày Văn hóa Việt Nam"
TET_FIRST_DAY = "Tết Nguyên Đán"  # holidays' Vietnamese name of mùng 1 Tết
MIN_YEAR = 1995
MAX_YEAR = 2100
_ONE_DAY = dt.timedelta(days=1)


class CalendarRangeError(ValueError):
    """A date outside the years the calendar can answer for (1995-2100)."""


@dataclass(frozen=True)
class Override:
    date: dt.date
    name: str
    source: str


@dataclass(frozen=True)
class Overrides:
    """Corrections to the library, each citing the notice that decided it."""

    days_off: tuple[Override, ...] = ()
    working_days: tuple[Override, ...] = ()
    not_days_off: tuple[Override, ...] = ()

    @classmethod
    def load(cls, path: Path | str) -> Overrides:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}

        def entries(key: str) -> tuple[Override, ...]:
            out = []
            for raw in data.get(key) or ():
                day = raw["date"]
                if not isinstance(day, dt.date):
                    day = dt.date.fromisoformat(str(day))
                if not raw.get("source"):
                    raise ValueError(f"{path}: entry {day} in {key} cites no notice (source)")
                out.append(Override(day, str(raw.get("name", "")), str(raw["source"])))
            return tuple(out)

        return cls(entries("days_off"), entries("working_days"), entries("not_days_off"))

    @classmethod
    def bundled(cls) -> Overrides:
        from importlib.resources import files

        return cls.load(Path(str(files("config") / "calendar_overrides.yaml")))


@dataclass(frozen=True)
class DayOff:
    date: dt.date
    name: str
    source: str  # "holidays" or the notice cited by the override


@dataclass
class _Table:
    first: dt.date
    last: dt.date
    work: tuple[dt.date, ...]
    upto: dict[dt.date, int]  # working days on or before each calendar day in [first, last]


@dataclass(frozen=True)
class LibraryYear:
    """What the `holidays` library says of one year in Vietnam: its named days (several names
    of one day joined by "; ", as the library does) and its weekend working days."""

    days: tuple[tuple[dt.date, str], ...]
    weekend_workdays: tuple[dt.date, ...]


def library_years(years: Iterable[int]) -> dict[int, LibraryYear]:
    """The `holidays` library's Vietnam for these years (in Vietnamese)."""
    # late import: the library loads every country it knows (0.1 s); a calendar given the
    # library's days by its caller (engine.settings keeps them on disk) never pays it
    import holidays

    wanted = sorted(set(years))
    lib = holidays.country_holidays("VN", years=wanted, language="vi")
    out = {y: ([], []) for y in wanted}
    for day, names in sorted(lib.items()):
        if day.year in out:
            out[day.year][0].append((day, names))
    for day in sorted(lib.weekend_workdays):
        if day.year in out:
            out[day.year][1].append(day)
    return {y: LibraryYear(tuple(d), tuple(w)) for y, (d, w) in out.items()}


LibrarySource = Callable[[Iterable[int]], dict[int, LibraryYear]]


@dataclass
class WorkingCalendar:
    """Working days of the Vietnamese civil service.

    ``culture_day`` keeps 24/11 (Ngày Văn hóa Việt Nam, listed by ``holidays`` from 2026) as a day
    off; switch it off while its status as a paid day off is unconfirmed.
    """

    overrides: Overrides = field(default_factory=Overrides)
    culture_day: bool = True
    # Where the library's days come from: the library itself, or a keeper of its answers.
    library: LibrarySource = library_years
    _off: dict[dt.date, DayOff] = field(default_factory=dict, init=False, repr=False)
    _holidays: dict[dt.date, DayOff] = field(default_factory=dict, init=False, repr=False)
    _worked: dict[dt.date, DayOff] = field(default_factory=dict, init=False, repr=False)
    _years: set[int] = field(default_factory=set, init=False, repr=False)
    _table: _Table | None = field(default=None, init=False, repr=False)

    @classmethod
    def default(cls, *, culture_day: bool = True) -> WorkingCalendar:
        return cls(overrides=Overrides.bundled(), culture_day=culture_day)

    # ----------------------------------------------------------------- the days themselves
    def _load_years(self, years: Iterable[int]) -> None:
        wanted = sorted(set(years) - self._years)
        if not wanted:
            return
        if wanted[0] < MIN_YEAR or wanted[-1] > MAX_YEAR:
            raise CalendarRangeError(
                f"năm {wanted[0] if wanted[0] < MIN_YEAR else wanted[-1]} nằm ngoài "
                f"khoảng {MIN_YEAR}-{MAX_YEAR} của lịch làm việc"
            )
        lib = self.library(wanted)
        days = [pair for y in wanted for pair in lib[y].days]
        for day, names in days:
            for name in names.split("; "):
                if name == CULTURE_DAY_NAME and not self.culture_day:
                    continue
                entry = DayOff(day, name, "holidays")
                self._holidays.setdefault(day, entry)
                if day.weekday() < 5:
                    self._off.setdefault(day, entry)
        for day in (d for y in wanted for d in lib[y].weekend_workdays):
            if day.year in wanted:
                # The library names the day off "Ngày nghỉ (thay cho ngày 26/04/2025)".
                swapped = [d for d, n in days if day.strftime("%d/%m/%Y") in n]
                name = (f"Làm bù cho ngày nghỉ {swapped[0]:%d/%m/%Y}" if swapped
                        else "Ngày làm việc bù")
                self._worked[day] = DayOff(day, name, "holidays")
        for o in self.overrides.not_days_off:
            if o.date.year in wanted:
                self._off.pop(o.date, None)
                self._holidays.pop(o.date, None)
        for o in self.overrides.days_off:
            if o.date.year in wanted:
                self._off[o.date] = self._holidays[o.date] = DayOff(o.date, o.name, o.source)
                self._worked.pop(o.date, None)
        for o in self.overrides.working_days:
            if o.date.year in wanted:
                self._worked[o.date] = DayOff(o.date, o.name, o.source)
                self._off.pop(o.date, None)
        self._years.update(wanted)

    def _is_working(self, day: dt.date) -> bool:
        if day in self._worked:
            return True
        return day.weekday() < 5 and day not in self._off

    def is_working_day(self, day: dt.date) -> bool:
        self._ensure(day)
        return self._is_working(day)

    def days_off(self, year: int) -> list[DayOff]:
        """Weekdays off in ``year`` (holidays, Tết, swapped and compensatory days), by date."""
        self._load_years([year])
        return sorted((d for d in self._off.values() if d.date.year == year), key=lambda d: d.date)

    def holidays(self, year: int) -> list[DayOff]:
        """Every named holiday of ``year``, weekend ones included, by date."""
        self._load_years([year])
        return sorted(
            (d for d in self._holidays.values() if d.date.year == year), key=lambda d: d.date
        )

    def worked_weekend_days(self, year: int) -> list[DayOff]:
        self._load_years([year])
        days = (d for d in self._worked.values() if d.date.year == year)
        return sorted(days, key=lambda d: d.date)

    def lunar_new_year(self, year: int) -> dt.date:
        """The first day of Tết Nguyên đán (mùng 1 tháng Giêng) in ``year``, from ``holidays``:
        the holiday it names exactly "Tết Nguyên Đán" (the days around it carry other names)."""
        self._load_years([year])
        for day, names in self.library([year])[year].days:
            if TET_FIRST_DAY in names.split("; "):
                return day
        raise CalendarRangeError(f"không tìm thấy ngày mùng 1 Tết Nguyên đán năm {year}")

    def day_off_name(self, day: dt.date) -> str | None:
        self._ensure(day)
        entry = self._off.get(day)
        return entry.name if entry else None

    # ----------------------------------------------------------------- the table
    def _ensure(self, *days: dt.date) -> _Table:
        table = self._table
        if table is not None:
            if len(days) == 1:
                if table.first <= days[0] <= table.last:
                    return table
            elif all(table.first <= d <= table.last for d in days):
                return table
        years = {d.year for d in days}
        if table is not None:
            years |= {table.first.year, table.last.year}
        lo, hi = min(years), max(years)
        # A margin of a year on each side lets +/- N working days cross a year boundary.
        lo, hi = max(MIN_YEAR, lo - 1), min(MAX_YEAR, hi + 1)
        if min(d.year for d in days) < MIN_YEAR or max(d.year for d in days) > MAX_YEAR:
            raise CalendarRangeError(
                f"ngày nằm ngoài khoảng {MIN_YEAR}-{MAX_YEAR} của lịch làm việc"
            )
        self._load_years(range(lo, hi + 1))
        first, last = dt.date(lo, 1, 1), dt.date(hi, 12, 31)
        work: list[dt.date] = []
        upto: dict[dt.date, int] = {}
        day = first
        while day <= last:
            if self._is_working(day):
                work.append(day)
            upto[day] = len(work)
            day += _ONE_DAY
        self._table = _Table(first, last, tuple(work), upto)
        return self._table

    def _grow_for(self, day: dt.date, years: int) -> _Table:
        """Rebuild the table so that ``years`` more years around ``day`` are covered."""
        lo = dt.date(max(MIN_YEAR, day.year - years), 1, 1)
        hi = dt.date(min(MAX_YEAR, day.year + years), 12, 31)
        if self._table is not None and self._table.first <= lo and hi <= self._table.last:
            raise CalendarRangeError(f"ngày nằm ngoài khoảng {MIN_YEAR}-{MAX_YEAR} của lịch")
        return self._ensure(lo, hi)

    # ----------------------------------------------------------------- arithmetic
    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (n < 0: before it); ``day`` itself is not counted
        (Bộ luật Dân sự 2015, Điều 147). n == 0 gives ``day`` when it is a working day, else the
        next working day."""
        table = self._table
        try:
            k = table.upto[day]  # type: ignore[union-attr]
        except (AttributeError, KeyError):
            table = self._ensure(day)
            k = table.upto[day]
        if n > 0:
            i = k + n - 1
        elif n < 0:
            i = k - (1 if self._is_working(day) else 0) + n
        else:
            return self.next_working_day(day)
        if 0 <= i < len(table.work):
            return table.work[i]
        table = self._grow_for(day, abs(n) // 200 + 2)
        return self.add_working_days(day, n)

    def subtract_working_days(self, day: dt.date, n: int) -> dt.date:
        return self.add_working_days(day, -n)

    def _upto(self, day: dt.date) -> tuple[_Table, int]:
        """The table and the number of working days on or before ``day``."""
        table = self._table
        try:
            return table, table.upto[day]  # type: ignore[union-attr]
        except (AttributeError, KeyError):
            table = self._ensure(day)
            return table, table.upto[day]

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the first working day after it (Bộ luật Dân sự
        2015, Điều 148 khoản 5: a deadline on a day off ends on the next working day)."""
        table, k = self._upto(day)
        if k and table.work[k - 1] == day:
            return day
        if k < len(table.work):
            return table.work[k]
        self._grow_for(day, 2)
        return self.next_working_day(day)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day`` ("trước ngày X")."""
        table, k = self._upto(day)
        if k and table.work[k - 1] == day:
            k -= 1
        if k > 0:
            return table.work[k - 1]
        self._grow_for(day, 2)
        return self.previous_working_day(day)

    def last_working_day_on_or_before(self, day: dt.date) -> dt.date:
        table, k = self._upto(day)
        if k > 0:
            return table.work[k - 1]
        self._grow_for(day, 2)
        return self.last_working_day_on_or_before(day)

    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days in [start, end], both ends included (0 when end < start)."""
        if end < start:
            return 0
        table = self._ensure(start, end)
        return table.upto[end] - table.upto[start] + (1 if self._is_working(start) else 0)

    def working_days(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += _ONE_DAY

    # ----------------------------------------------------------------- periods
    def last_working_day_of_month(self, year: int, month: int) -> dt.date:
        return self.last_working_day_on_or_before(_month_end(year, month))

    def last_working_day_of_quarter(self, year: int, quarter: int) -> dt.date:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quý {quarter} không tồn tại")
        return self.last_working_day_of_month(year, quarter * 3)

    def last_working_day_of_half(self, year: int, half: int) -> dt.date:
        if half not in (1, 2):
            raise ValueError(f"nửa năm {half} không tồn tại")
        return self.last_working_day_of_month(year, half * 6)

    def last_working_day_of_year(self, year: int) -> dt.date:
        return self.last_working_day_of_month(year, 12)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - _ONE_DAY


def month_end(year: int, month: int) -> dt.date:
    return _month_end(year, month)

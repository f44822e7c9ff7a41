"""Periods: "Quý I/2025", "Tháng 6 và tháng 12/2026", "Từ tháng 3 đến tháng 6/2026" ...

Due: the last working day of each period (of the range's end for a range). A period without a
year takes the year of the next period in the list that has one, else the plan's year.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from rules.base import (
    DATE,
    YEAR_QUALIFIER,
    Example,
    ImpossibleDate,
    Rule,
    fixed,
    make_date,
    moved_note,
    qualified_year,
    unknown,
)
from rules.calendar import month_end
from rules.report_cycle import ROMAN
from rules.types import Context, Due, Timing

# One period, normalised ("quý 1/2025", "tháng 5", "6 tháng đầu năm 2026", "năm 2025").
ITEM = (
    r"(?:tháng (?P<month>\d{1,2})(?:/(?P<month_y>\d{4}))?"
    r"|quý (?P<quarter>\d{1,2})(?:/(?P<quarter_y>\d{4}))?"
    r"|(?:6 tháng|nửa) (?P<half>đầu|cuối) năm(?: (?P<half_y>\d{4}))?"
    r"|(?P<months>\d{1,2}) tháng(?: đầu)?(?: năm)?(?: (?P<months_y>\d{4}))?"
    r"|(?:(?:những )?(?:tháng )?cuối |hết )?năm (?P<year>\d{4})"
    r"|(?P<bare>\d{1,2})(?:/(?P<bare_y>\d{4}))?)"
)
SEP = r"(?:\s*(?:,|;|và|-)\s*|\s+)"
PREFIX = (
    r"(?:(?:hoàn thành|thực hiện|triển khai|tổ chức|trong|vào|định kỳ|dự kiến|xong|cả)"
    r"(?: tổ chức)?(?: \d+ ngày)? )*"
)
ITEM_RE = re.compile(ITEM)
_ITEM_UNNAMED = re.sub(r"\?P<\w+>", "?:", ITEM)
LIST = rf"(?:- )?{_ITEM_UNNAMED}(?:{SEP}(?:- )?{_ITEM_UNNAMED})*"


class Period(NamedTuple):
    label: str  # "Quý I/2025", "Tháng 01/2025", "6 tháng đầu năm 2026", "Năm 2025"
    first: dt.date
    last: dt.date  # the last calendar day of the period


def parse_items(text: str, ctx: Context) -> list[Period]:
    """The periods of a list, in order. Raises ImpossibleDate for month 13, quarter 5 ..."""
    raw: list[tuple[str, int, int | None]] = []  # (type, number, year)
    last_type = None
    for m in ITEM_RE.finditer(text):
        # groups() in pattern order: a tuple is several times cheaper than groupdict().
        month, month_y, quarter, quarter_y, half, half_y, months, months_y, year, bare, bare_y \
            = m.groups()
        if month:
            raw.append(("month", int(month), _int(month_y)))
        elif quarter:
            raw.append(("quarter", int(quarter), _int(quarter_y)))
        elif half:
            raw.append(("half", 1 if half == "đầu" else 2, _int(half_y)))
        elif months:
            raw.append(("months", int(months), _int(months_y)))
        elif year:
            raw.append(("year", 0, int(year)))
        elif bare:
            if last_type not in ("month", "quarter"):
                raise ImpossibleDate(f"không rõ «{m.group(0)}» là tháng hay quý")
            raw.append((last_type, int(bare), _int(bare_y)))
        last_type = raw[-1][0]
    # A period without a year takes the next stated year ("tháng 6 và tháng 12/2026").
    periods, next_year = [], ctx.year
    for kind, number, year in reversed(raw):
        year = year if year is not None else next_year
        next_year = year
        periods.append(_period(kind, number, year))
    return periods[::-1]


def _int(v: str | None) -> int | None:
    return int(v) if v else None


def _period(kind: str, n: int, year: int) -> Period:
    if kind == "month":
        if not 1 <= n <= 12:
            raise ImpossibleDate(f"tháng {n} không tồn tại")
        return Period(f"Tháng {n:02d}/{year}", dt.date(year, n, 1), month_end(year, n))
    if kind == "quarter":
        if not 1 <= n <= 4:
            raise ImpossibleDate(f"quý {n} không tồn tại")
        return Period(f"Quý {ROMAN[n]}/{year}", dt.date(year, 3 * n - 2, 1),
                      month_end(year, 3 * n))
    if kind == "half":
        label = f"6 tháng {'đầu' if n == 1 else 'cuối'} năm {year}"
        return Period(label, dt.date(year, 6 * n - 5, 1), month_end(year, 6 * n))
    if kind == "months":
        if not 1 <= n <= 12:
            raise ImpossibleDate(f"{n} tháng đầu năm không tồn tại")
        return Period(f"{n} tháng đầu năm {year}", dt.date(year, 1, 1), month_end(year, n))
    return Period(f"Năm {year}", dt.date(year, 1, 1), dt.date(year, 12, 31))


def period_deadline(period: Period, ctx: Context) -> Due:
    due = ctx.calendar.last_working_day_on_or_before(period.last)
    return Due(due, period.label)


def _period_text(period: Period, due: Due, ctx: Context) -> str:
    note = moved_note(ctx.calendar, period.last, due.date)
    label = period.label if period.label[0].isdigit() else period.label[0].lower() + \
        period.label[1:]
    return f"ngày làm việc cuối cùng của {label}{note}"


class PeriodRule(Rule):
    name = "period"
    requires = ('tháng', 'quý', 'năm', 'nửa')
    pattern = re.compile(rf"{PREFIX}(?P<list>{LIST})")
    examples = (
        Example("Quý I/2025", "fixed", ("2025-03-31",), source="seed 196/KH-UBND"),
        Example("Trong quý III/2025", "fixed", ("2025-09-30",), source="seed 196/KH-UBND"),
        Example("Tháng 01/2025", "fixed", ("2025-01-24",), source="seed 196/KH-UBND"),
        Example("Năm 2025", "fixed", ("2025-12-31",), source="seed 196/KH-UBND"),
        Example("Quý I", "fixed", ("2025-03-31",), source="seed 196/KH-UBND (no year)"),
        Example("- Tháng 02/2025 - Tháng 12/2025", "fixed", ("2025-02-28", "2025-12-31"),
                source="seed 196/KH-UBND"),
        Example("Tháng 6 và tháng 12/2026", "fixed", ("2026-06-30", "2026-12-31"), 2026,
                source="contract"),
        Example("trong tháng 11, tháng 12 năm 2025", "fixed", ("2025-11-28", "2025-12-31"),
                source="baothanhhoa.vn"),
        Example("tháng 7, quý III và 6 tháng cuối năm 2025", "fixed",
                ("2025-07-31", "2025-09-30", "2025-12-31"), source="NQ 205/NQ-CP"),
        Example("9 tháng đầu năm 2022", "fixed", ("2022-09-30",), 2022, source="hoabinh.gov.vn"),
        Example("Quí IV-2025", "fixed", ("2025-12-31",),
                source="Đồng Tháp 617/KH-UBND (tests/data/real_plans/dongthap-617-cds-doanh-"
                       "nghiep): the old spelling «Quí» and a dash before the year"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        periods = parse_items(m.group("list"), ctx)
        deadlines = [period_deadline(p, ctx) for p in periods]

        def explanation() -> str:
            texts = [_period_text(p, d, ctx) for p, d in zip(periods, deadlines, strict=True)]
            if len(texts) == 1:
                return texts[0][0].upper() + texts[0][1:]
            return "Mỗi kỳ một hạn: " + "; ".join(texts)

        return fixed(phrase, self.name, deadlines, explanation)


def _renamed(fragment: str, prefix: str) -> str:
    return fragment.replace("?P<", f"?P<{prefix}")


# The start of a range: "nay", a date, or a period (only the end decides the due date).
START = (
    rf"(?:nay|bây giờ|ngày {_renamed(DATE, 's_')}{_renamed(YEAR_QUALIFIER, 's_')}"
    rf"|{_renamed(ITEM, 's_')})"
)


class RangeRule(Rule):
    name = "range"
    # "giai đoạn 2026 - 2030" is a range of years: `rules.years`.
    requires = ('từ ', ' đến ')
    pattern = re.compile(
        rf"{PREFIX}(?:dự kiến )?(?:diễn ra )?(?:từ )?{START} đến (?:hết )?(?:ngày )?"
        rf"(?:{DATE}{YEAR_QUALIFIER}|(?P<end_list>{_ITEM_UNNAMED})|cuối năm (?P<end_year>\d{{4}}))"
    )
    examples = (
        Example("Từ tháng 3 đến tháng 6/2026", "fixed", ("2026-06-30",), 2026,
                source="contract"),
        Example("từ quý 2/2025 đến hết ngày 28/2/2027", "fixed", ("2027-02-26",),
                source="vietnamnet.vn"),
        Example("từ nay đến cuối năm 2025", "fixed", ("2025-12-31",), source="baothanhhoa.vn"),
        Example("dự kiến diễn ra từ ngày 22/9 đến 19/10/2025", "fixed", ("2025-10-17",),
                source="huengaynay.vn"),
        Example("tháng 11/2025 đến tháng 4/2026;", "fixed", ("2026-04-29",),
                source="xã Lương Minh 16/KH-MTTQ-BTT (tests/data/real_plans/luongminh-16-bau-cu):"
                       " a range written without «Từ»; 30/4/2026 is a holiday"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        g = m.groupdict()
        if g["end_year"]:
            end, label = dt.date(int(g["end_year"]), 12, 31), f"năm {g['end_year']}"
        elif g["end_list"]:
            period = parse_items(g["end_list"], ctx)[-1]
            end, label = period.last, period.label[0].lower() + period.label[1:]
        else:
            year = int(g["y"]) if g["y"] else qualified_year(g["yq"], ctx)
            end = make_date(g["d"], g["m"], year)
            label = f"ngày {end:%d/%m/%Y}"
        due = ctx.calendar.last_working_day_on_or_before(end)
        return fixed(phrase, self.name, [Due(due, None)], lambda: (
            f"Ngày làm việc cuối cùng của khoảng thời gian (đến hết {label})"
            f"{moved_note(ctx.calendar, end, due)}"))


def _backwards(phrase: str) -> Timing:

    return unknown(phrase, "khoảng thời gian kết thúc trước khi bắt đầu")

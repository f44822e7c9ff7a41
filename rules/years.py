"""Whole years: "2026", "Năm 2025 - 2026", "Giai đoạn 2026-2030", "Năm 2026 và các năm tiếp theo".

A bare year is the year ("2026" = "Năm 2026"): its last working day. A dash between two years is
a range, one deadline at its end, as the contract's "Từ tháng 3 đến tháng 6/2026"; two years
joined by "và" or a comma are two deadlines. "Năm X và các năm tiếp theo" is due at the end of X
and, in a plan that spans several years, at the end of every later year of its span (each year's
own plan repeats it otherwise: the explanation says so).
"""

from __future__ import annotations

import datetime as dt
import re

from rules.base import Example, Rule, fixed, moved_note, unknown
from rules.periods import PREFIX
from rules.types import Context, Due, Timing

_YEAR = r"(?:19|20)\d\d"
_LEAD = r"(?:giai đoạn |thời kỳ |các năm |năm )?"


def year_end(year: int, ctx: Context) -> Due:
    return Due(ctx.calendar.last_working_day_on_or_before(dt.date(year, 12, 31)), f"Năm {year}")


def _note(ctx: Context, year: int, due: dt.date) -> str:
    return moved_note(ctx.calendar, dt.date(year, 12, 31), due)


class BareYearRule(Rule):
    name = "bare_year"
    requires = ("19", "20")  # every year it reads contains one of them: a cheap filter
    pattern = re.compile(rf"{PREFIX}(?P<y>{_YEAR})")
    examples = (
        Example("2026", "fixed", ("2026-12-31",), 2026,
                source="issue #19 (a real plan's timing cell: the year alone)"),
        Example("Hoàn thành 2025", "fixed", ("2025-12-31",), 2025,
                source="issue #19 (the bare-year family with the plans' usual verb)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        year = int(m.group("y"))
        due = year_end(year, ctx)
        return fixed(phrase, self.name, [due], lambda: (
            f"Năm {year} (chỉ ghi năm): ngày làm việc cuối cùng của năm {year}"
            f"{_note(ctx, year, due.date)}"))


class YearRangeRule(Rule):
    name = "year_range"
    requires = ("-", " và ", ",")
    pattern = re.compile(
        rf"{PREFIX}{_LEAD}(?P<y1>{_YEAR})"
        rf"(?:(?P<dash> ?- ?)|(?:,| và) (?:năm )?)(?P<y2>{_YEAR})"
    )
    examples = (
        Example("Năm 2025 - 2026", "fixed", ("2026-12-31",), 2025,
                source="issue #19 (a ministry's end-of-year task list)"),
        Example("2025-2026", "fixed", ("2026-12-31",), 2025,
                source="issue #19 (a real plan's timing cell)"),
        Example("Trong năm 2026-2027", "fixed", ("2027-12-31",), 2026,
                source="vneconomy.vn/sap-thanh-lap-quy-phat-trien-ai-quoc-gia.htm "
                       "(QĐ 367/QĐ-TTg, Kế hoạch triển khai thi hành Luật Trí tuệ nhân tạo)"),
        Example("giai đoạn 2026 - 2027", "fixed", ("2027-12-31",), 2026,
                source="baothanhhoa.vn"),
        Example("Giai đoạn 2026-2030", "fixed", ("2030-12-31",), 2026,
                source="issue #19; baothanhhoa.vn (Kế hoạch CCHC giai đoạn 2026-2030)"),
        Example("Năm 2025 và 2026", "fixed", ("2025-12-31", "2026-12-31"), 2025,
                source="the list form of the same family (two years, two deadlines)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        if y2 <= y1:
            return unknown(phrase, f"khoảng năm {y1}–{y2} không hợp lệ", self.name)
        end = year_end(y2, ctx)
        if not m.group("dash"):
            first = year_end(y1, ctx)
            return fixed(phrase, self.name, [first, end], lambda: (
                f"Mỗi năm một hạn: ngày làm việc cuối cùng của năm {y1} và của năm {y2}"))
        return fixed(phrase, self.name, [end], lambda: (
            f"Khoảng năm {y1}–{y2}: một hạn ở cuối khoảng, ngày làm việc cuối cùng của năm {y2}"
            f"{_note(ctx, y2, end.date)}"))


class YearOnwardsRule(Rule):
    name = "year_onwards"
    requires = ("tiếp theo", "trở đi", "năm sau", "kế tiếp")
    pattern = re.compile(
        rf"{PREFIX}(?:từ )?năm (?P<y>{_YEAR})"
        r"(?:,? (?:và|cho|đến) (?:các|những) năm (?:tiếp theo|sau|kế tiếp)| trở đi)"
    )
    examples = (
        Example("Năm 2026 và các năm tiếp theo", "fixed", ("2026-12-31",), 2026,
                source="vneconomy.vn/sap-thanh-lap-quy-phat-trien-ai-quoc-gia.htm "
                       "(QĐ 367/QĐ-TTg, Kế hoạch triển khai thi hành Luật Trí tuệ nhân tạo)"),
        Example("Trong năm 2026 và các năm tiếp theo", "fixed", ("2026-12-31",), 2026,
                source="phaply.net.vn/ban-hanh-ke-hoach-trien-khai-thi-hanh-luat-tri-tue-nhan-"
                       "tao-a261430.html (QĐ 367/QĐ-TTg)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        first = int(m.group("y"))
        later = [y for y in ctx.years if y > first]
        years = [first, *later]
        dues = [year_end(y, ctx) for y in years]

        def explanation() -> str:
            head = f"Ngày làm việc cuối cùng của năm {first}"
            if later:
                return (f"{head} và của mỗi năm tiếp theo trong kỳ kế hoạch (đến năm "
                        f"{later[-1]})")
            return (f"{head}; «các năm tiếp theo»: nhiệm vụ lặp lại hằng năm, hạn của những "
                    "năm sau thuộc kế hoạch của năm đó")

        if later:
            return fixed(phrase, self.name, dues, explanation)
        # A one-year plan: the later years have no date here; a person confirms the reading.
        warning = (f"Thời hạn «{phrase.strip()}»: chỉ lập hạn cuối năm {first}; các năm tiếp "
                   "theo không có hạn trong kế hoạch này, cần người xác nhận.")
        return fixed(phrase, self.name, dues, explanation, (warning,), approximate=True)

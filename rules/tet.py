"""Before Tết: "Trước Tết Nguyên đán", "trước Tết Nguyên đán Bính Ngọ 2026", "Trước Tết".

Due: the last working day strictly before the first day of Tết (mùng 1 tháng Giêng, from the
`holidays` calendar) of the plan's year, or of the year the phrase names, by number or by its
can-chi name ("Bính Ngọ" is 2026; a can-chi name alone picks the year of that name nearest the
plan's, within one year; no such year: not understood). The days off around Tết are skipped, so
"Trước Tết Nguyên đán" in a 2026 plan is Friday 13/02/2026 (16-20/02 are Tết days off).
"""

from __future__ import annotations

import re

from core.formatting import vn_date
from rules.base import Example, Rule, fixed, unknown
from rules.periods import PREFIX
from rules.types import Context, Due, Timing

STEMS = ("canh", "tân", "nhâm", "quý", "giáp", "ất", "bính", "đinh", "mậu", "kỷ")  # year % 10
BRANCHES = ("thân", "dậu", "tuất", "hợi", "tý", "sửu", "dần", "mão", "thìn", "tỵ", "ngọ",
            "mùi")  # year % 12


def can_chi(year: int) -> str:
    return f"{STEMS[year % 10]} {BRANCHES[year % 12]}"


class BeforeTetRule(Rule):
    name = "before_tet"
    requires = ("tết",)
    pattern = re.compile(
        rf"{PREFIX}trước (?:kỳ nghỉ )?tết(?: (?:nguyên đán|âm lịch|cổ truyền))?"
        rf"(?: (?P<cc>(?:{'|'.join(STEMS)}) (?:{'|'.join(BRANCHES)})))?"
        r"(?: (?:năm )?(?P<y>\d{4}))?"
    )
    examples = (
        Example("Trước Tết Nguyên đán", "fixed", ("2026-02-13",), 2026,
                source="issue #19 (a real plan's timing cell); Tết Bính Ngọ: 17/02/2026"),
        Example("trước Tết Nguyên đán 2026", "fixed", ("2026-02-13",), 2025,
                source="giadinh.suckhoedoisong.vn («... chạy nước rút về đích trước Tết "
                       "Nguyên đán 2026»)"),
        Example("Hoàn thành trước Tết Nguyên đán Ất Tỵ", "fixed", ("2025-01-24",), 2025,
                source="the same family with the can-chi name (Ất Tỵ: 29/01/2025; 27-31/01 "
                       "are Tết days off)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        year = int(m.group("y")) if m.group("y") else ctx.year
        named = m.group("cc")
        if named and not m.group("y"):
            years = [y for y in (ctx.year, ctx.year + 1, ctx.year - 1) if can_chi(y) == named]
            if not years:
                return unknown(phrase, f"năm {named.title()} không gần năm {ctx.year} của kế "
                               "hoạch", self.name)
            year = years[0]
        elif named and can_chi(year) != named:
            return unknown(phrase, f"năm {year} là năm {can_chi(year).title()}, không phải "
                           f"{named.title()}", self.name)
        tet = ctx.calendar.lunar_new_year(year)
        due = ctx.calendar.previous_working_day(tet)
        return fixed(phrase, self.name, [Due(due, None)], lambda: (
            f"Ngày làm việc cuối cùng trước mùng 1 Tết Nguyên đán {can_chi(year).title()} "
            f"({vn_date(tet)}): {vn_date(due)}"))

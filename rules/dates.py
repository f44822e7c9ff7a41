"""Dates: "Chậm nhất ngày 24/11/2026", "Ngày 20/02/2026", "Trước ngày 15/3/2026" ...

By a date: that date; a day off moves it to the next working day (Bộ luật Dân sự 2015, Điều 148
khoản 5). Before a date: the last working day strictly before it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from core.formatting import vn_date
from rules.base import (
    DATE,
    YEAR_QUALIFIER,
    Example,
    Rule,
    fixed,
    make_date,
    qualified_year,
)
from rules.types import Context, Due, Timing

_DONE = r"(?:(?:hoàn thành|xong|thực hiện|gửi|báo cáo|nộp)(?: xong)? )?"


def _date(m: re.Match[str], ctx: Context):
    year = int(m.group("y")) if m.group("y") else qualified_year(m.group("yq"), ctx)
    return make_date(m.group("d"), m.group("m"), year)


def _yearly(m: re.Match[str]) -> bool:
    return not m.group("y") and (m.group("yq") or "") in ("hàng năm", "mỗi năm")


def _yearly_note(m: re.Match[str], ctx: Context) -> str:
    if not _yearly(m):
        return ""
    if ctx.last_year == ctx.year:
        return " (hằng năm: năm của kế hoạch)"
    return f" (hằng năm: mỗi năm từ {ctx.year} đến {ctx.last_year})"


def _days(m: re.Match[str], ctx: Context) -> list:
    """The date a phrase names; "... hằng năm" in a plan of several years: one per year of its
    span, those before the plan's date dropped (the first one always kept)."""
    if not _yearly(m) or ctx.last_year == ctx.year:
        return [_date(m, ctx)]
    days = [make_date(m.group("d"), m.group("m"), y) for y in ctx.years]
    kept = [d for d in days if ctx.not_before is None or d >= ctx.not_before]
    return kept or days[-1:]


class ByDateRule(Rule):
    name = "by_date"
    requires = ('/',)
    pattern = re.compile(
        rf"{_DONE}(?:(?:chậm nhất|muộn nhất|không muộn hơn|hạn chót|hạn cuối|hạn|đến hết|"
        rf"kết thúc|đến)(?: là| vào| trong)?(?: ngày)? |ngày |vào ngày )?{DATE}{YEAR_QUALIFIER}"
    )
    examples = (
        Example("Chậm nhất ngày 24/11/2026", "fixed", ("2026-11-25",), 2026,
                source="contract (24/11/2026 Ngày Văn hóa Việt Nam is a day off)"),
        Example("Ngày 20/02/2026", "fixed", ("2026-02-23",), 2026,
                source="contract (16-20/02/2026 Tết)"),
        Example("Chậm nhất ngày 06 (sáu) tháng 06 (sáu)", "fixed", ("2025-06-06",),
                source="thuvienphapluat.vn"),
        Example("chậm nhất vào ngày 15 tháng 6 hằng năm", "fixed", ("2025-06-16",),
                source="thukyluat.vn (15/6/2025 is a Sunday)"),
        Example("ngày 15-3-2026", "fixed", ("2026-03-16",), 2026, source="format variant"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        days = _days(m, ctx)
        dues = [ctx.calendar.next_working_day(d) for d in days]
        yearly = _yearly_note(m, ctx)
        day, due = days[0], dues[0]

        def explanation() -> str:
            if due == day:
                return f"Hạn ngày {vn_date(day)}{yearly}"
            why = ctx.calendar.day_off_name(day) or ("thứ Bảy" if day.weekday() == 5 else
                                                      "Chủ nhật")
            return (
                f"Ngày {vn_date(day)} là ngày nghỉ ({why}): hạn chuyển sang ngày làm việc tiếp "
                f"theo {vn_date(due)} (Bộ luật Dân sự 2015, Điều 148 khoản 5){yearly}"
            )

        return fixed(phrase, self.name, [Due(d) for d in dues], explanation)


class BeforeDateRule(Rule):
    name = "before_date"
    requires = ('trước',)
    pattern = re.compile(rf"{_DONE}trước(?: ngày)? {DATE}{YEAR_QUALIFIER}")
    examples = (
        Example("Trước ngày 15/3/2026", "fixed", ("2026-03-13",), 2026, source="contract"),
        Example("Trước 30/6/2026", "fixed", ("2026-06-29",), 2026, source="contract"),
        Example("trước ngày 20/11 hàng năm", "fixed", ("2025-11-19",),
                source="cchc.baria-vungtau.gov.vn"),
        Example("trước ngày 10/01 của năm liền kề năm báo cáo", "fixed", ("2026-01-09",),
                source="ppdvn.gov.vn"),
        Example("Hoàn thành trước ngày 30/10/2025", "fixed", ("2025-10-29",),
                source="medioq.com (QH quốc gia)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        days = _days(m, ctx)
        dues = [ctx.calendar.previous_working_day(d) for d in days]
        yearly = _yearly_note(m, ctx)
        return fixed(phrase, self.name, [Due(d) for d in dues],
                     lambda: f"Ngày làm việc cuối cùng trước ngày {vn_date(days[0])}{yearly}")


class EndsOnRule(Rule):
    """A sentence whose last clause names the end: "...; kết thúc vào 31/12/2025"."""

    name = "ends_on"
    requires = ('kết thúc', 'hoàn thành')
    pattern = re.compile(
        rf".*?(?:kết thúc|hoàn thành) (?:vào )?(?:lúc [^/]*? )?(?:ngày )?{DATE}{YEAR_QUALIFIER}"
    )
    examples = (
        Example("Thực hiện trong 4 tháng, bắt đầu từ tháng 9/2025; kết thúc vào 31/12/2025",
                "fixed", ("2025-12-31",), source="medioq.com (QH quốc gia)"),
        Example("kết thúc vào lúc 22 giờ 00 phút ngày 15/10/2022", "fixed", ("2022-10-17",),
                2022, source="cchc.soctrang.gov.vn (15/10/2022 is a Saturday)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        return replace(ByDateRule().resolve(m, ctx, phrase), rule=self.name)


class ParentheticalBeforeRule(Rule):
    """An event with its hard limit in parentheses: "... (trước 7h00 sáng ngày 01/7/2025)"."""

    name = "parenthetical_before"
    requires = ('(',)
    pattern = re.compile(
        rf".*?\((?:chậm nhất |hạn )?trước (?:\d{{1,2}} ?(?:h|giờ) ?\d{{0,2}}(?: phút)?"
        rf"(?: sáng| chiều| tối)? )?(?:ngày )?{DATE}{YEAR_QUALIFIER}\)"
    )
    examples = (
        Example("hoàn thành ngay sau UBND xã đi vào hoạt động (trước 7h00 sáng ngày 01/7/2025)",
                "fixed", ("2025-06-30",), source="haithinh.ninhbinh.gov.vn"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        return replace(BeforeDateRule().resolve(m, ctx, phrase), rule=self.name)


class ClauseBeforeRule(Rule):
    """A sentence whose deadline closes it: "... gửi kết quả rà soát về Bộ Công an trước ngày
    15 tháng 12 năm 2025" (prose plans write the date into the sentence)."""

    name = "clause_before"
    requires = ("trước",)
    # One sentence, one deadline: not a list of items ("+ ... trước ngày X. + ... trước Y").
    pattern = re.compile(rf"(?![+-] )[^+]+? trước (?:ngày )?{DATE}{YEAR_QUALIFIER}")
    examples = (
        Example("Bộ Công an tổng hợp kết quả rà soát, báo cáo Thủ tướng Chính phủ trước ngày 31 "
                "tháng 12 năm 2025.", "fixed", ("2025-12-30",),
                source="QĐ 2623/QĐ-TTg (tests/data/real_plans/ttg-2623-du-lieu-ca-nhan)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        return replace(BeforeDateRule().resolve(m, ctx, phrase), rule=self.name)

"""Periodic phrases: "Hàng quý", "Định kỳ quý, 6 tháng, năm", "chậm nhất ngày 25 hằng tháng" ...

Due: the report deadlines of that frequency within the plan year: the plan's report day (or the
day the phrase states) of the last month of each month / quarter / half-year / year, moved to the
next working day when it is not one ("trước ngày X": the last working day before it).
"""

from __future__ import annotations

import datetime as dt
import re

from core.formatting import vn_date
from rules.base import Example, ImpossibleDate, Rule, unknown
from rules.calendar import month_end
from rules.types import Context, Due, Kind, Timing

_FREQ = r"(?:hàng |mỗi )?(?:quý|6 tháng|sáu tháng|9 tháng|năm|tháng)"
_FREQ_NAMES = {
    "quý": "quarter", "6 tháng": "half", "sáu tháng": "half", "9 tháng": "nine_months",
    "năm": "year", "tháng": "month",
}
_FREQ_VI = {"month": "hằng tháng", "quarter": "hằng quý", "half": "6 tháng",
            "nine_months": "9 tháng", "year": "hằng năm", "cycle": "mỗi kỳ báo cáo"}


def _frequencies(text: str) -> list[str]:
    found = []
    for part in re.split(r"\s*(?:,|;|và)\s*", text):
        key = re.sub(r"^(?:hàng|mỗi) ", "", part.strip())
        if key:
            found.append(_FREQ_NAMES[key])
    return list(dict.fromkeys(found))


def periodic(phrase: str, rule: str, ctx: Context, frequencies: list[str], *,
             year: int | None = None, day: int | None = None, before: bool = False) -> Timing:
    """Every due date of a recurring obligation: in ``year`` when the phrase names one, else in
    every year of the plan's span; a recurrence due before the plan's date is dropped."""
    cal, cycle = ctx.calendar, ctx.cycle
    if day is not None and not 1 <= day <= 31:
        raise ImpossibleDate(f"ngày {day} của tháng không tồn tại")
    years = [year] if year else list(ctx.years)
    deadlines: dict[dt.date, Due] = {}
    dropped = 0
    for y in years:
        for freq in frequencies:
            for due, label in cycle.frequency_dates(freq, y, cal, day=day, before=before):
                if ctx.not_before is not None and due < ctx.not_before:
                    dropped += 1
                elif due not in deadlines:
                    deadlines[due] = Due(due, label)
    if not deadlines:
        return unknown(phrase, "mọi hạn định kỳ của cụm từ đều trước ngày ban hành kế hoạch "
                       f"({vn_date(ctx.not_before)})" if ctx.not_before else
                       "cụm từ định kỳ không cho hạn nào", rule)
    shown_day, shown_before = (day, before) if day is not None else (cycle.day, cycle.before)

    def explanation() -> str:
        names = [_FREQ_VI[f] for f in frequencies]
        which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} và {names[-1]}"
        rel = "trước" if shown_before else "chậm nhất"
        of = "mỗi tháng" if frequencies == ["month"] else "tháng cuối mỗi kỳ"
        moved = "ngày làm việc cuối cùng trước đó" if shown_before else \
            "ngày nghỉ chuyển sang ngày làm việc tiếp theo"
        span = f"năm {years[0]}" if len(years) == 1 else f"các năm {years[0]}–{years[-1]}"
        note = (f"; bỏ {dropped} hạn trước ngày ban hành kế hoạch {vn_date(ctx.not_before)}"
                if dropped and ctx.not_before else "")
        return (f"Định kỳ {which} trong {span}: {rel} ngày {shown_day} của {of} "
                f"({moved}){note}")

    return Timing(
        phrase, Kind.PERIODIC, tuple(sorted(deadlines.values())),
        explanation, rule, frequencies=tuple(frequencies),
    )


class FrequencyRule(Rule):
    name = "frequency"
    requires = ('định kỳ', 'hàng ', 'mỗi ')
    # Must start with "định kỳ", "hàng" or "mỗi": "năm 2025" and "tháng 5" alone are periods.
    pattern = re.compile(
        r"(?=(?:thực hiện |báo cáo )?(?:định kỳ|hàng|mỗi) )"
        rf"(?:(?:thực hiện|báo cáo) )?(?:định kỳ )?(?P<list>{_FREQ}(?:\s*(?:,|và)\s*{_FREQ})*)"
        r"(?: (?:năm )?(?P<year>\d{4}))?"
    )
    examples = (
        Example("Hàng quý", "periodic", ("2025-03-18", "2025-06-18", "2025-09-18", "2025-12-18"),
                source="seed 196/KH-UBND"),
        Example("Định kỳ hàng quý và năm 2025", "periodic",
                ("2025-03-18", "2025-06-18", "2025-09-18", "2025-12-18"),
                source="seed 196/KH-UBND"),
        Example("Định kỳ quý, 6 tháng, năm", "periodic",
                ("2025-03-18", "2025-06-18", "2025-09-18", "2025-12-18"), source="contract"),
        Example("Định kỳ 6 tháng", "periodic", ("2026-06-18", "2026-12-18"), 2026,
                source="contract"),
        Example("Hằng năm", "periodic", ("2026-12-18",), 2026, source="contract"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        year = int(m.group("year")) if m.group("year") else None
        return periodic(phrase, self.name, ctx, _frequencies(m.group("list")), year=year)


_WHEN = (r"(?P<rel>chậm nhất|trước|muộn nhất|không muộn hơn)(?: là| vào)?(?: ngày)? "
         r"(?P<day>\d{1,2})")


class MonthlyDayRule(Rule):
    name = "monthly_day"
    requires = ('tháng',)
    # "chậm nhất vào ngày 25 hằng tháng", or the other way round: "Hằng tháng, trước ngày 25".
    pattern = re.compile(
        rf"(?P<lead>(?:định kỳ )?(?:hàng|mỗi) tháng,? (?:(?:gửi )?báo cáo,? )?)?{_WHEN}"
        r"(?(lead)|(?: hàng tháng| của (?:mỗi )?tháng(?: báo cáo)?| tháng báo cáo| mỗi tháng))"
    )
    examples = (
        Example("chậm nhất vào ngày 25 hằng tháng", "periodic",
                ("2025-02-03", "2025-02-25", "2025-03-25", "2025-04-25", "2025-05-26",
                 "2025-06-25", "2025-07-25", "2025-08-25", "2025-09-25", "2025-10-27",
                 "2025-11-25", "2025-12-25"),
                source="thukyluat.vn (25/01/2025 Sat, 27-31/01 Tết)"),
        # The last working day before the 25th of each month of 2026: 25/01 is a Sunday (23/01),
        # 25/04 a Saturday (24/04), 25/07 a Saturday (24/07), 25/10 a Sunday (23/10), 24/11 is
        # Ngày Văn hóa Việt Nam (23/11).
        Example("Hằng tháng, trước ngày 25", "periodic",
                ("2026-01-23", "2026-02-24", "2026-03-24", "2026-04-24", "2026-05-22",
                 "2026-06-24", "2026-07-24", "2026-08-24", "2026-09-24", "2026-10-23",
                 "2026-11-23", "2026-12-24"), 2026,
                source="issue #19 (a real plan's timing cell); the same deadline as TB "
                       "1531/TB-BNV «trước ngày 25 hàng tháng» (thukyluat.vn)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        return periodic(phrase, self.name, ctx, ["month"], day=int(m.group("day")),
                        before=m.group("rel") == "trước")


class QuarterDayRule(Rule):
    name = "quarter_day"
    requires = ('tháng',)
    pattern = re.compile(
        rf"{_WHEN}(?: của)? tháng (?:cuối (?:cùng )?(?:của )?(?:mỗi )?(?P<q>quý)"
        r"|của cuối (?P<q2>quý)|cuối (?:cùng )?(?:của )?(?P<cycle>kỳ báo cáo))"
    )
    examples = (
        Example("chậm nhất là ngày 20 của tháng cuối kỳ báo cáo", "periodic",
                ("2025-03-20", "2025-06-20", "2025-09-22", "2025-12-22"),
                source="sonoivu.namdinh.gov.vn (BNV guidance)"),
        Example("trước ngày 05 tháng cuối cùng của mỗi quý", "periodic",
                ("2025-03-04", "2025-06-04", "2025-09-04", "2025-12-04"),
                source="cchc.baria-vungtau.gov.vn"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        freq = "cycle" if m.group("cycle") else "quarter"
        return periodic(phrase, self.name, ctx, [freq], day=int(m.group("day")),
                        before=m.group("rel") == "trước")



class MonthEveryYearRule(Rule):
    """"Tháng 12 hằng năm": that month of every year of the plan, due its last working day."""

    name = "month_every_year"
    requires = ("hàng năm", "mỗi năm")
    pattern = re.compile(r"(?:vào |trong |định kỳ )*tháng (?P<m>\d{1,2}) (?:hàng|mỗi) năm")
    examples = (
        Example("Tháng 12 hằng năm", "periodic", ("2025-12-31",),
                source="Nghệ An 980/KH-UBND (tests/data/real_plans/nghean-980-phong-thu-dan-su)"),
        Example("tháng 6 hàng năm", "periodic", ("2026-06-30",), 2026,
                source="the same family for another month"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        month = int(m.group("m"))
        if not 1 <= month <= 12:
            raise ImpossibleDate(f"tháng {month} không tồn tại")
        cal = ctx.calendar
        deadlines = []
        for y in ctx.years:
            due = cal.last_working_day_on_or_before(month_end(y, month))
            if ctx.not_before is None or due >= ctx.not_before:
                deadlines.append(Due(due, f"Tháng {month:02d}/{y}"))
        if not deadlines:
            return unknown(phrase, "mọi hạn của cụm từ đều trước ngày ban hành kế hoạch",
                           self.name)
        return Timing(phrase, Kind.PERIODIC, tuple(deadlines), lambda: (
            f"Tháng {month:02d} hằng năm: ngày làm việc cuối cùng của tháng "
            f"{month:02d} mỗi năm ({', '.join(vn_date(d.date) for d in deadlines)})"),
            self.name, frequencies=("year",))


class OngoingYearlyRule(Rule):
    """"Thường xuyên, hằng năm": continuous work with a yearly result, due with the plan's
    yearly report; approximate (a person confirms the reading)."""

    name = "ongoing_yearly"
    requires = ("thường xuyên",)
    pattern = re.compile(rf"thường xuyên,? (?:và |, )?(?P<list>{_FREQ}(?:\s*(?:,|và)\s*{_FREQ})*)")
    examples = (
        Example("Thường xuyên, hằng năm", "periodic", ("2025-12-18",),
                source="Đồng Tháp 617/KH-UBND (tests/data/real_plans/dongthap-617-cds-doanh-"
                       "nghiep)"),
    )

    def resolve(self, m: re.Match[str], ctx: Context, phrase: str) -> Timing:
        frequencies = _frequencies(m.group("list"))
        t = periodic(phrase, self.name, ctx, frequencies)
        if t.kind is not Kind.PERIODIC:
            return t
        warning = (f"Thời hạn «{phrase.strip()}»: việc thường xuyên có kết quả định kỳ; hạn "
                   "theo kỳ báo cáo của kế hoạch, cần người xác nhận.")
        return Timing(phrase, t.kind, t.deadlines, t.explain, self.name, (warning,),
                      frequencies=t.frequencies, approximate=True)

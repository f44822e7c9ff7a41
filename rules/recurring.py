"""Periodic phrases: "Hàng quý", "Định kỳ quý, 6 tháng, năm", "chậm nhất ngày 25 hằng tháng" ...

Due: the report deadlines of that frequency within the plan year: the plan's report day (or the
day the phrase states) of the last month of each month / quarter / half-year / year, moved to the
next working day when it is not one ("trước ngày X": the last working day before it).
"""

from __future__ import annotations

import datetime as dt
import re

from rules.base import Example, ImpossibleDate, Rule
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
    year = year or ctx.year
    cal, cycle = ctx.calendar, ctx.cycle
    if day is not None and not 1 <= day <= 31:
        raise ImpossibleDate(f"ngày {day} của tháng không tồn tại")
    deadlines: dict[dt.date, Due] = {}
    for freq in frequencies:
        for due, label in cycle.frequency_dates(freq, year, cal, day=day, before=before):
            if due not in deadlines:
                deadlines[due] = Due(due, label)

    def explanation() -> str:
        names = [_FREQ_VI[f] for f in frequencies]
        which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} và {names[-1]}"
        rel = "trước" if before else "chậm nhất"
        of = "mỗi tháng" if frequencies == ["month"] else "tháng cuối mỗi kỳ"
        moved = "ngày làm việc cuối cùng trước đó" if before else \
            "ngày nghỉ chuyển sang ngày làm việc tiếp theo"
        return (f"Định kỳ {which} trong năm {year}: {rel} ngày {day or cycle.day} của {of} "
                f"({moved})")

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
    pattern = re.compile(
        rf"{_WHEN}(?: hàng tháng| của (?:mỗi )?tháng(?: báo cáo)?| tháng báo cáo| mỗi tháng)"
    )
    examples = (
        Example("chậm nhất vào ngày 25 hằng tháng", "periodic",
                ("2025-02-03", "2025-02-25", "2025-03-25", "2025-04-25", "2025-05-26",
                 "2025-06-25", "2025-07-25", "2025-08-25", "2025-09-25", "2025-10-27",
                 "2025-11-25", "2025-12-25"),
                source="thukyluat.vn (25/01/2025 Sat, 27-31/01 Tết)"),
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


"""What the plan's body says about the plan itself: number, date, issuer, year (and the last year
of a plan that spans several), title, and the report cycle as its reporting sentences state it
(`rules.report_reader`: frequencies, deadlines, to whom, data cut-off windows, data-entry
address), or none.

A plan states its own number in its letterhead ("Số: 196/KH-UBND") or in the appendix heading
("Ban hành kèm theo Kế hoạch số 196/KH-UBND ngày 23/12/2024 của UBND tỉnh Sóc Trăng"); the
documents it cites ("Căn cứ Kế hoạch số 163/KH-UBND ...") are never taken for it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from core.errors import InputError
from engine.intake.model import PlanInfo, ReportCycleOut, ReportPeriodOut
from rules import ReportCycle, WorkingCalendar
from rules.normalize import fold
from rules.report_periods import stated_periods
from rules.report_reader import read_report_cycle

_DATE = r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})"
_ANNEX = re.compile(
    r"kèm theo Kế hoạch số\s+(?P<number>[\w./-]+)\s+ngày\s+" + _DATE
    + r"(?:\s+của\s+(?P<issuer>[^)\n]+?))?\s*\)?\s*$", re.I | re.M,
)
_LETTERHEAD_NUMBER = re.compile(r"^\s*Số\s*:\s*(\d+\s*/\s*[\w./-]+)", re.I | re.M)
_LETTERHEAD_DATE = re.compile(
    r"^[^\n,]{2,40},\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I | re.M
)
# "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG", or over two lines beside the national motto (Word tables).
_LETTERHEAD_ISSUER = re.compile(
    r"^\s*(?:ỦY|UỶ) BAN NHÂN DÂN(?:[ \t]*\t[^\n]*)?\s+(TỈNH|THÀNH PHỐ)\s+([^\t\n]+?)\s*(?:\t|$)",
    re.M,
)
_BODY_ISSUER = re.compile(r"\b(UBND (?:tỉnh|thành phố) [A-ZĐ][^\s,]*(?: [A-ZĐ][^\s,]*)*)"
                          r" ban hành Kế hoạch")
_YEAR = re.compile(r"\bnăm\s+(\d{4})\b", re.I)
_SPAN = re.compile(r"\b(?:giai đoạn|thời kỳ)\s+(\d{4})\s*[-–—]\s*(\d{4})", re.I)
# A one-line title, as a spreadsheet's title row: "Kế hoạch số 12/KH-UBND ngày 05/01/2026 thực
# hiện cải cách hành chính năm 2026". Anchored at the line start, so "Căn cứ Kế hoạch số ..."
# (a cited document) never matches.
_TITLE_LINE = re.compile(
    r"^\s*Kế hoạch\s+(?:số\s+(?P<number>\d+\s*/\s*[\w./-]+)\s*)?(?:ngày\s+" + _DATE
    + r"\s*)?(?P<title>[^\n]{0,200}?\bnăm\s+\d{4}[^\n]{0,100})$", re.I | re.M,
)


@dataclass
class Metadata:
    info: PlanInfo
    cycle: ReportCycleOut
    rules_cycle: ReportCycle
    warnings: list[str] = field(default_factory=list)


def read_metadata(body: str, *, calendar: WorkingCalendar, year: int | None,
                  default_report_day: int) -> Metadata:
    warnings: list[str] = []
    title = _title(body)
    number, date, issuer = _identity(body)
    stated_year, horizon = _plan_span(title, body)
    if year is None:
        if stated_year is not None:
            year = stated_year
        elif date is not None:
            year = date.year
            warnings.append(f"Tiêu đề kế hoạch không ghi «năm YYYY»: lấy năm {year} theo ngày ban "
                            f"hành {date:%d/%m/%Y} (dùng --year nếu không đúng).")
        else:
            raise InputError("không xác định được năm của kế hoạch (tiêu đề không ghi «năm "
                             "YYYY», văn bản không có ngày ban hành); hãy chỉ rõ bằng --year")
    elif stated_year is not None and stated_year != year:
        warnings.append(f"Kế hoạch ghi năm {stated_year} nhưng đang dùng năm {year} theo yêu cầu.")
    if horizon is not None and horizon <= year:
        horizon = None
    for what, value in (("số", number), ("ngày ban hành", date), ("cơ quan ban hành", issuer)):
        if value is None:
            warnings.append(f"Không tìm thấy {what} của kế hoạch trong văn bản.")
    info = PlanInfo(number=number, date=date, issuer=issuer, year=year, title=title,
                    horizon_to=horizon)
    cycle, rules_cycle, cycle_warnings = _report_cycle(body, info, calendar, default_report_day)
    return Metadata(info, cycle, rules_cycle, warnings + cycle_warnings)


def _title(body: str) -> str | None:
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if fold(line).strip(" *") == "ke hoach":
            parts = []
            for nxt in lines[i + 1:i + 4]:
                if parts and not nxt[:1].islower():
                    break
                parts.append(nxt.strip())
            return " ".join(parts) or None
    m = _TITLE_LINE.search(body)
    if m:
        title = m.group("title").strip(" .")
        return title[:1].upper() + title[1:]
    return None


def _identity(body: str) -> tuple[str | None, dt.date | None, str | None]:
    number = date = issuer = None
    m = _LETTERHEAD_NUMBER.search(body)
    if m:
        number = re.sub(r"\s+", "", m.group(1))
    m = _LETTERHEAD_DATE.search(body)
    if m:
        date = _date(m.group(3), m.group(2), m.group(1))
    annex = _ANNEX.search(body)
    if annex:
        number = number or annex.group("number").rstrip(".,")
        date = date or _date(annex.group(4), annex.group(3), annex.group(2))
        if annex.group("issuer"):
            issuer = annex.group("issuer").strip(" .;")
    line = _TITLE_LINE.search(body)
    if line and line.group("number"):
        number = number or re.sub(r"\s+", "", line.group("number"))
        date = date or _date(line.group(4), line.group(3), line.group(2))
    if issuer is None:
        m = _LETTERHEAD_ISSUER.search(body)
        if m:
            kind = "tỉnh" if m.group(1).upper() == "TỈNH" else "thành phố"
            issuer = f"UBND {kind} {m.group(2).title()}"
    if issuer is None:
        m = _BODY_ISSUER.search(body)
        if m:
            issuer = m.group(1)
    return number, date, issuer


def _plan_span(title: str | None, body: str) -> tuple[int | None, int | None]:
    """The plan's year and, for a plan of several years, its last year, from its title (or its
    appendix heading). "năm 2025" makes a plan of that year, even beside the span of the
    programme it implements ("... giai đoạn 2021-2030 năm 2025", "năm 2025 thực hiện Chiến lược
    ... đến năm 2030"), unless it joins a span starting that year ("năm 2026 và giai đoạn 2026 -
    2030"). Without "năm YYYY": "giai đoạn 2026 - 2030" is the span (its first year is the
    year); "đến năm 2030" is a horizon, never the year ("định hướng đến năm 2030", "tầm nhìn đến
    năm 2045" are neither)."""
    texts = [title or ""] + [line for line in body.split("\n") if line.isupper()]
    for text in texts:
        span = _SPAN.search(text)
        stated = horizon = None
        for m in _YEAR.finditer(text):
            before = fold(text[max(0, m.start() - 30):m.start()])
            if re.search(r"(?:^|\s)(?:den|toi)\s*$", before):
                if horizon is None and not re.search(r"(?:dinh huong|tam nhin)\s+(?:den|toi)"
                                                     r"\s*$", before):
                    horizon = int(m.group(1))
                continue
            if stated is None and not (span and span.start() <= m.start() < span.end()):
                stated = m
        if stated is not None:
            year = int(stated.group(1))
            joined = span is not None and int(span.group(1)) == year and re.search(
                r"\bvà\b", text[stated.end():span.start()], re.I)
            return year, int(span.group(2)) if joined else None
        if span is not None:
            return int(span.group(1)), int(span.group(2))
        if horizon is not None:
            return None, horizon
    return None, None


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _report_cycle(body: str, info: PlanInfo, calendar: WorkingCalendar,
                  default_day: int) -> tuple[ReportCycleOut, ReportCycle, list[str]]:
    """The report cycle as the plan states it (`rules.report_reader`): its periods in every year
    of the plan's span, none due before the plan's date; none at all, with one warning, when
    the plan states no cycle."""
    stated = read_report_cycle(body)
    warnings = list(stated.warnings)
    years = list(range(info.year, (info.horizon_to or info.year) + 1))
    periods, period_warnings = stated_periods(stated, years, calendar, not_before=info.date)
    warnings.extend(period_warnings)
    own = stated.period_day()
    day, before = (own.day, own.before) if own is not None else (default_day, False)
    if not stated.stated and not stated.frequencies and not stated.stated_windows:
        warnings.append(f"Kế hoạch không nêu chế độ báo cáo định kỳ (kỳ báo cáo, hạn gửi): không "
                        f"lập kỳ báo cáo nào; nhiệm vụ định kỳ (nếu có) lấy hạn ngày {day} của "
                        "tháng cuối kỳ theo mặc định.")
    out = ReportCycleOut(
        day=day, before=before, stated=stated.stated, data_entry_url=stated.url,
        periods=[ReportPeriodOut(name=p.name, from_=p.cutoff_from, to=p.cutoff_to,
                                 deadline=p.due) for p in periods],
        frequencies=stated.frequencies, report_to=stated.report_to,
        windows=stated.windows if any(p.cutoff_from for p in periods) else None,
        text=stated.sentences,
    )
    return out, ReportCycle(day=day, before=before), warnings

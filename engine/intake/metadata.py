"""What the plan's body says about the plan itself: number, date, issuer, year, title, and the
report cycle (report day, data cut-off windows, data-entry address).

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
# A one-line title, as a spreadsheet's title row: "Kế hoạch số 12/KH-UBND ngày 05/01/2026 thực
# hiện cải cách hành chính năm 2026". Anchored at the line start, so "Căn cứ Kế hoạch số ..."
# (a cited document) never matches.
_TITLE_LINE = re.compile(
    r"^\s*Kế hoạch\s+(?:số\s+(?P<number>\d+\s*/\s*[\w./-]+)\s*)?(?:ngày\s+" + _DATE
    + r"\s*)?(?P<title>[^\n]{0,200}?\bnăm\s+\d{4}[^\n]{0,100})$", re.I | re.M,
)
_REPORT_DAY = re.compile(r"(cham nhat|truoc)?\s*(?:vao\s+)?ngay\s+(\d{1,2})\s+(?:cua\s+)?"
                         r"thang cuoi")
_PERIOD = re.compile(r"báo cáo\s+(?P<name>[^:\n]{1,30}?)\s*:\s*từ ngày\s+" + _DATE
                     + r"\s+đến ngày\s+" + _DATE, re.I)
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")


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
    stated_year = _plan_year(title, body)
    if year is None:
        if stated_year is None:

            raise InputError("không xác định được năm của kế hoạch (tiêu đề không ghi «năm "
                             "YYYY»); hãy chỉ rõ bằng --year")
        year = stated_year
    elif stated_year is not None and stated_year != year:
        warnings.append(f"Kế hoạch ghi năm {stated_year} nhưng đang dùng năm {year} theo yêu cầu.")
    for what, value in (("số", number), ("ngày ban hành", date), ("cơ quan ban hành", issuer)):
        if value is None:
            warnings.append(f"Không tìm thấy {what} của kế hoạch trong văn bản.")
    info = PlanInfo(number=number, date=date, issuer=issuer, year=year, title=title)
    cycle, rules_cycle, cycle_warnings = _report_cycle(body, year, calendar, default_report_day)
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


def _plan_year(title: str | None, body: str) -> int | None:
    m = _YEAR.search(title or "")
    if m:
        return int(m.group(1))
    # The appendix heading: "PHÂN CÔNG ... THỰC HIỆN CCHC NĂM 2025".
    for line in body.split("\n"):
        if line.isupper():
            m = _YEAR.search(line)
            if m:
                return int(m.group(1))
    return None


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _report_cycle(body: str, year: int, calendar: WorkingCalendar,
                  default_day: int) -> tuple[ReportCycleOut, ReportCycle, list[str]]:
    warnings: list[str] = []
    day, url, stated = default_day, None, False
    paragraphs = body.split("\n")
    for i, para in enumerate(paragraphs):
        key = fold(para)
        m = _REPORT_DAY.search(key)
        if m and "bao cao" in key:
            day, stated = int(m.group(2)), True
            if m.group(1) == "truoc":
                day -= 1  # "trước ngày 15": the 14th is the last day that is in time
                warnings.append(f"Kế hoạch ghi hạn báo cáo «trước ngày {day + 1}»: dùng ngày "
                                f"{day} của tháng cuối kỳ.")
            found = _URL.search(para) or next(
                (u for p in paragraphs[i + 1:i + 6] if (u := _URL.search(p))), None)
            url = found.group(0).rstrip(".,;:") if found else None
            break
    if not 1 <= day <= 28:
        warnings.append(f"Ngày báo cáo {day} không hợp lệ; dùng ngày {default_day}.")
        day, stated = default_day, False
    if not stated:
        warnings.append(f"Kế hoạch không nêu ngày gửi báo cáo định kỳ; dùng ngày mặc định {day}"
                        " của tháng cuối kỳ.")
    rules_cycle = ReportCycle(day=day)
    periods = _stated_periods(body, day, calendar, warnings)
    if not periods:
        periods = [
            ReportPeriodOut(name=p.name, from_=p.cutoff_from, to=p.cutoff_to, deadline=p.due)
            for p in rules_cycle.report_periods(year, calendar)
        ]
    out = ReportCycleOut(day=day, periods=periods, data_entry_url=url, stated=stated)
    return out, rules_cycle, warnings


def _stated_periods(body: str, day: int, calendar: WorkingCalendar,
                    warnings: list[str]) -> list[ReportPeriodOut]:
    out = []
    for m in _PERIOD.finditer(body):
        start = _date(m.group(4), m.group(3), m.group(2))
        end = _date(m.group(7), m.group(6), m.group(5))
        name = m.group("name").strip()
        name = name[:1].upper() + name[1:]
        if start is None or end is None or end < start:
            warnings.append(f"Kỳ báo cáo «{name}»: thời điểm chốt số liệu không hợp lệ, bỏ qua.")
            continue
        deadline = calendar.next_working_day(dt.date(end.year, end.month, day))
        out.append(ReportPeriodOut(name=name, from_=start, to=end, deadline=deadline))
    return out

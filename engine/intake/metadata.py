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
    r"kèm theo (?:Kế hoạch|Quyết định|Công văn|Văn bản|Chỉ thị|Thông báo|Chương trình) số\s*:?"
    r"\s*(?P<number>\d+\s*/\s*[\w./-]+)\s+ngày\s+" + _DATE
    + r"(?:\s+của\s+(?P<issuer>[^)\n]+?))?\s*\)?\s*$", re.I | re.M,
)
_ANNEX_WORDS = re.compile(
    r"kèm theo (?:Kế hoạch|Quyết định|Công văn|Văn bản|Chỉ thị|Thông báo|Chương trình) số\s*:?"
    r"\s*(?P<number>\d+\s*/\s*[\w./-]+)\s+ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+"
    r"(\d{4})(?:\s+của\s+(?P<issuer>[^)\n]+?))?\s*\)?\s*$", re.I | re.M,
)
# The summary block a legal-document web page puts before the text ("Số hiệu: | 2629/QĐ-TTg |
# ... Ngày ban hành: | 01/12/2025"), each value on the line after its label.
_SUMMARY_NUMBER = re.compile(r"^\s*Số hiệu\s*:\s*\n?\s*(\d+\s*/\s*[\w./-]+)\s*$", re.I | re.M)
_SUMMARY_DATE = re.compile(r"^\s*Ngày ban hành\s*:\s*\n?\s*" + _DATE + r"\s*$", re.I | re.M)
_SUMMARY_ISSUER = re.compile(r"^\s*Nơi ban hành\s*:\s*\n\s*(\S[^\n]{2,120}?)\s*$", re.I | re.M)
_MOTTO = "cong hoa xa hoi chu nghia viet nam"
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


@dataclass(frozen=True)
class Identity:
    """The plan's number, date and issuer as a person supplies them (`plan import --number
    --date --issuer`): they win over what the document says, with a warning where they
    differ."""

    number: str | None = None
    date: dt.date | None = None
    issuer: str | None = None


def read_metadata(body: str, *, calendar: WorkingCalendar, year: int | None,
                  default_report_day: int, given: Identity | None = None,
                  table_text: str = "") -> Metadata:
    warnings: list[str] = []
    title = _title(body)
    number, date, issuer = _identity(body)
    if given is not None:
        for what, found, supplied in (("số", number, given.number), ("ngày ban hành", date,
                                      given.date), ("cơ quan ban hành", issuer, given.issuer)):
            if supplied is not None and found is not None and found != supplied:
                shown = f"{found:%d/%m/%Y}" if isinstance(found, dt.date) else found
                warnings.append(f"Văn bản ghi {what} «{shown}» nhưng đang dùng giá trị được "
                                "nhập kèm.")
        number = given.number or number
        date = given.date or date
        issuer = given.issuer or issuer
    stated_year, horizon = _plan_span(title, body)
    if year is None:
        if stated_year is not None:
            year = stated_year
        elif date is not None:
            year = date.year
            warnings.append(f"Tiêu đề kế hoạch không ghi «năm YYYY»: lấy năm {year} theo ngày ban "
                            f"hành {date:%d/%m/%Y} (dùng --year nếu không đúng).")
        else:
            year = _most_named_year(body + "\n" + table_text)
            if year is None:
                raise InputError("không xác định được năm của kế hoạch (tiêu đề không ghi «năm "
                                 "YYYY», văn bản không có ngày ban hành); hãy chỉ rõ bằng "
                                 "--date (ngày ban hành) hoặc --year")
            warnings.append(f"Không tìm thấy ngày ban hành, tiêu đề không ghi «năm YYYY»: tạm "
                            f"lấy năm {year} (năm được nhắc nhiều nhất trong văn bản); hãy ghi "
                            "ngày ban hành (--date) khi nhập.")
    elif stated_year is not None and stated_year != year:
        warnings.append(f"Kế hoạch ghi năm {stated_year} nhưng đang dùng năm {year} theo yêu cầu.")
    if horizon is not None and horizon <= year:
        horizon = None
    for what, value, option in (("số", number, "--number"), ("ngày ban hành", date, "--date"),
                                ("cơ quan ban hành", issuer, "--issuer")):
        if value is None:
            warnings.append(f"Không tìm thấy {what} của kế hoạch trong văn bản: cần ghi khi "
                            f"nhập ({option}, hoặc mục «plan» của tệp duyệt).")
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
    """The plan's number, date and issuer: from its letterhead ("Số: 196/KH-UBND", "Sóc Trăng,
    ngày 23 tháng 12 năm 2024", "ỦY BAN NHÂN DÂN / TỈNH SÓC TRĂNG"), a web page's summary block
    ("Số hiệu:", "Ngày ban hành:", "Nơi ban hành:") or the appendix heading ("kèm theo Kế hoạch
    số ... ngày ... của ..."). An issuer the appendix names without its place ("của Ủy ban nhân
    dân tỉnh") takes the place from the letterhead."""
    number = date = None
    m = _LETTERHEAD_NUMBER.search(body)
    if m:
        number = re.sub(r"\s+", "", m.group(1))
    m = _LETTERHEAD_DATE.search(body)
    if m:
        date = _date(m.group(3), m.group(2), m.group(1))
    m = _SUMMARY_NUMBER.search(body)
    if m:
        number = number or re.sub(r"\s+", "", m.group(1))
    m = _SUMMARY_DATE.search(body)
    if m:
        date = date or _date(m.group(3), m.group(2), m.group(1))
    annex_issuer = None
    for annex in (_ANNEX.search(body), _ANNEX_WORDS.search(body)):
        if annex:
            number = number or re.sub(r"\s+", "", annex.group("number")).rstrip(".,")
            date = date or _date(annex.group(4), annex.group(3), annex.group(2))
            if annex.group("issuer") and annex_issuer is None:
                annex_issuer = annex.group("issuer").strip(" .;")
    line = _TITLE_LINE.search(body)
    if line and line.group("number"):
        number = number or re.sub(r"\s+", "", line.group("number"))
        date = date or _date(line.group(4), line.group(3), line.group(2))
    return number, date, _issuer(body, annex_issuer)


def _issuer(body: str, annex: str | None) -> str | None:
    letterhead = _letterhead(body)
    if annex is not None and not _without_place(annex):
        return annex
    if letterhead is not None:
        return letterhead
    m = _SUMMARY_ISSUER.search(body)
    if m:
        return m.group(1)
    m = _BODY_ISSUER.search(body)
    if m:
        return m.group(1)
    return annex


def _without_place(issuer: str) -> bool:
    """"Ủy ban nhân dân tỉnh", "UBND Thành phố": an issuer named without its place."""
    return bool(re.search(r"(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+(?:tỉnh|thành phố|xã|"
                          r"phường)\s*$", issuer, re.I))


def _letterhead(body: str) -> str | None:
    """The issuing body as its letterhead names it, above or beside the national motto."""
    m = _LETTERHEAD_ISSUER.search(body)
    if m:
        kind = "tỉnh" if m.group(1).upper() == "TỈNH" else "thành phố"
        return f"UBND {kind} {m.group(2).title()}"
    lines = body.split("\n")
    for i, line in enumerate(lines[:80]):
        if fold(line).startswith(_MOTTO):
            block: list[str] = []
            for prev in reversed(lines[max(0, i - 8):i]):
                text = prev.strip(" -_")
                if not text or re.match(r"^Số\s*:", text, re.I):
                    if block:
                        break
                    continue
                if not text.isupper():
                    break
                block.insert(0, text)
            return _proper_name(block) if block else None
    return None


# Words kept as written in a letterhead turned into a name; places start with a capital.
_ACRONYMS = {"MTTQ", "HĐND", "UBND", "TW", "VN"}
_PLACE_WORDS = ("TỈNH", "THÀNH PHỐ", "XÃ", "PHƯỜNG", "ĐẶC KHU", "HUYỆN", "THỊ XÃ", "QUẬN")
_PROPER = {"VIỆT NAM": "Việt Nam", "CHÍNH PHỦ": "Chính phủ", "QUỐC HỘI": "Quốc hội",
           "NHÀ NƯỚC": "Nhà nước", "TRUNG ƯƠNG": "Trung ương"}
_HEADS = ("ỦY BAN", "UỶ BAN", "TỔNG CỤC", "VĂN PHÒNG", "THANH TRA", "BỘ", "SỞ", "CỤC", "VỤ",
          "BAN", "ĐÀI")


def _proper_name(block: list[str]) -> str:
    """["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"] -> "UBND tỉnh Đồng Tháp"; ["THỦ TƯỚNG CHÍNH PHỦ"]
    -> "Thủ tướng Chính phủ"; ["ỦY BAN MTTQ VIỆT NAM", "XÃ LƯƠNG MINH", "BAN THƯỜNG TRỰC"] ->
    "Ban Thường trực Ủy ban MTTQ Việt Nam xã Lương Minh" (the last line is the issuing unit of
    the body the lines above name)."""
    unit = None
    if len(block) >= 3 and block[-1].startswith(("BAN ", "VĂN PHÒNG", "THƯỜNG TRỰC")):
        unit = block[-1]
        block = block[:-1]
    text = " ".join(" ".join(block).split())
    if unit:
        text = f"{unit} {text}"
    out: list[str] = []
    for part in re.split(r"(,\s*|\s+VÀ\s+)", text):
        if re.fullmatch(r",\s*|\s+VÀ\s+", part):
            out.append(part.lower())
        elif part:
            out.append(_case(part.split()))
    name = "".join(out)
    return re.sub(r"^(?:Ủy|Uỷ) ban nhân dân\b", "UBND", name, flags=re.I)


def _case(words: list[str]) -> str:
    out: list[str] = []
    capital, place = True, False
    i = 0
    while i < len(words):
        two = " ".join(words[i:i + 2])
        if two in _PROPER:
            out.append(_PROPER[two])
            capital, i = False, i + 2
            continue
        head = two if two in _HEADS else words[i] if words[i] in _HEADS else None
        if head is not None and not place:
            out.append(head[:1] + head[1:].lower())
            capital, i = True, i + len(head.split())
            continue
        if two in _PLACE_WORDS or words[i] in _PLACE_WORDS:
            word = two if two in _PLACE_WORDS else words[i]
            out.append(word.lower())
            place, i = True, i + len(word.split())
            continue
        w = words[i]
        if w in _ACRONYMS:
            out.append(w)
            capital = False
        elif capital or place:
            out.append(w[:1] + w[1:].lower())
            capital = False
        else:
            out.append(w.lower())
        i += 1
    return " ".join(out)


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


def _most_named_year(body: str) -> int | None:
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", body)]
    return max(set(years), key=years.count) if years else None


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
    return out, ReportCycle(day=day, before=before, dated=stated.dated()), warnings


def rules_cycle_of(cycle: ReportCycleOut) -> ReportCycle:
    """The rules' cycle for a parsed (or reviewed) plan's report cycle: its day and `before`,
    and the reports its sentences date within the year."""
    dated = read_report_cycle("\n".join(cycle.text)).dated() if cycle.text else ()
    return ReportCycle(day=cycle.day, before=cycle.before, dated=dated)

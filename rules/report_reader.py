"""The report cycle as the plan states it: read from its reporting sentences, never assumed.

    read_report_cycle(body) -> StatedCycle          # what the sentences say (no dates yet)
    stated_periods(cycle, years, calendar, ...)     # its periods: rules/report_periods.py

What is read (the body is the plan without its task table; the text is normalised first):

- **how often**: "Báo cáo định kỳ quý, 6 tháng và năm", "định kỳ hằng quý", "hằng tháng", or what
  the deadline itself implies ("trước ngày 20 của tháng cuối quý": quarterly; "trước ngày 30
  tháng 11 hằng năm", "trước ngày 20/11": yearly; "chậm nhất ngày 25 hằng tháng": monthly);
- **by when**: a day of the period's last month ("chậm nhất vào ngày 18 của tháng cuối kỳ báo
  cáo", "trước ngày 20 của tháng cuối quý"), a day of the month for monthly reports, or a date of
  the year ("trước ngày 30 tháng 11 hằng năm", "trước ngày 30 tháng 01 của năm tiếp theo"); per
  period where the plan says so ("báo cáo 6 tháng trước ngày 15/6; báo cáo năm trước ngày 15/12");
  "chậm nhất": that day, moved to the next working day when it is not one; "trước": the last
  working day before it;
- **to whom**: "về UBND tỉnh (qua Sở Nội vụ)", "gửi Sở Nội vụ";
- **the data cut-off windows**: only the plan's own ("Báo cáo Quý I: Từ ngày 15/12/2024 đến ngày
  14/3/2025", or in words: "từ ngày 15 tháng trước đến ngày 14 của tháng cuối kỳ") or, when the
  plan cites Nghị định 09/2019/NĐ-CP, the decree's (Điều 12: from the 15th of the month before
  the period to the 14th of its last month; half-year 15/12-14/6, year 15/12-14/12), marked as
  coming from the decree. Otherwise none.

Which periods: those of the stated frequencies; a shorter period that ends with a longer one is
replaced by it (NĐ 09/2019's CCHC practice: "quý, 6 tháng và năm" is Quý I, 6 tháng, Quý III,
Năm). A frequency without a deadline is flagged, never given a default day. A plan that states
no cycle gets none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rules.normalize import normalize

DECREE = "Nghị định 09/2019/NĐ-CP"
_DECREE_CITED = re.compile(r"09\s*/\s*2019\s*/\s*NĐ\s*-\s*CP", re.I)

_REL = r"(?P<rel>chậm nhất|trước|muộn nhất|không muộn hơn|không quá)(?: là| vào| trước)*"
_FREQ_WORD = r"(?:hàng |mỗi )?(?:quý|6 tháng|sáu tháng|9 tháng|năm|tháng)"
# "định kỳ quý, 6 tháng và năm", "báo cáo định kỳ hàng quý", "báo cáo 6 tháng và năm".
_FREQ_LIST = re.compile(
    rf"(?:định kỳ|báo cáo) (?:định kỳ )?(?P<list>{_FREQ_WORD}(?:(?:, | và | hoặc ){_FREQ_WORD})*)"
    r"(?!\s?[\d/])"
)
_HANG = re.compile(r"\b(?:hàng|mỗi) (?P<f>quý|năm|tháng)\b")
_FREQ_KEY = {"quý": "quarter", "6 tháng": "half", "sáu tháng": "half", "9 tháng": "nine_months",
             "năm": "year", "tháng": "month"}
# The day of the period's last month.
_DL_END = re.compile(
    rf"{_REL}(?: ngày)? (?P<day>\d{{1,2}})(?: của)? tháng (?:cuối (?:cùng )?(?:của )?(?:mỗi )?"
    r"(?P<what>quý|kỳ báo cáo|kỳ|năm)|của cuối (?P<what2>quý)|(?P<month_rep>báo cáo))"
)
# A day of every month.
_DL_MONTHLY = re.compile(
    rf"(?:{_REL}(?: ngày)? (?P<day>\d{{1,2}}) (?:hàng tháng|mỗi tháng"
    r"|của (?:mỗi )?tháng(?! cuối| của| báo cáo)(?!\s?\d))"
    r"|(?:hàng|mỗi) tháng,? (?:(?:gửi )?báo cáo,? )?(?P<rel2>chậm nhất|trước)(?: là| vào)*"
    r"(?: ngày)? (?P<day2>\d{1,2})(?![\d/]))"
)
# A date of the year (or of the year after).
_DL_DATE = re.compile(
    rf"{_REL}(?: ngày)? (?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>\d{{4}}))?"
    r"(?P<next> (?:của )?năm (?:tiếp theo|sau|liền kề)(?: năm báo cáo)?)?"
)
_DL_AND_DATE = re.compile(r" và (?:ngày )?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\d/])")
_WINDOW = re.compile(
    r"báo cáo\s+(?P<name>[^:\n]{1,30}?)\s*:\s*(?:tính\s+)?từ ngày\s+"
    r"(?P<d1>\d{1,2})\s*/\s*(?P<m1>\d{1,2})\s*/\s*(?P<y1>\d{4})\s+đến ngày\s+"
    r"(?P<d2>\d{1,2})\s*/\s*(?P<m2>\d{1,2})\s*/\s*(?P<y2>\d{4})", re.I)
# The windows in words, as Điều 12 of the decree writes them.
_WINDOW_WORDS = re.compile(r"từ ngày 15[^.;]{0,60}?đến ngày 14")
_REPORT_TO = re.compile(
    r"(?:\bvề|\bgửi(?: báo cáo)?(?: về)?|\bcho)\s+(?P<to>(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân"
    r"|Sở|Bộ|Văn phòng|Ban Chỉ đạo|Ban|Thủ tướng|Chính phủ|Tỉnh ủy|Thành ủy|Cục|Tổng cục)"
    r"[^.;:]*?)(?=\s+(?:để|trước|chậm nhất|trong|theo|định kỳ)\b|[,.;]|$)"
)
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")


@dataclass(frozen=True)
class Deadline:
    """When a report is due, as the plan writes it."""

    day: int
    before: bool  # "trước ngày D": the last working day strictly before D
    month: int | None = None  # a month of the year ("trước ngày 30/11"); None: the period's last
    next_year: bool = False  # "của năm tiếp theo"
    year: int | None = None  # a date with its year ("trước ngày 20/11/2025"): that year only
    text: str = ""

    def describe(self) -> str:
        rel = "trước" if self.before else "chậm nhất"
        if self.month is None:
            return f"{rel} ngày {self.day} của tháng cuối kỳ"
        year = f"/{self.year}" if self.year else (" năm sau" if self.next_year else " hằng năm")
        return f"{rel} ngày {self.day:02d}/{self.month:02d}{year}"


@dataclass(frozen=True)
class StatedWindow:
    name: str
    start: dt.date
    end: dt.date


@dataclass
class StatedCycle:
    """What the plan's reporting sentences say. ``deadlines`` maps a frequency ("quarter",
    "half", ...) or "*" (every period) to its deadline."""

    frequencies: list[str] = field(default_factory=list)
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    windows: str | None = None  # "plan", "decree" or None
    stated_windows: list[StatedWindow] = field(default_factory=list)
    report_to: str | None = None
    url: str | None = None
    sentences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def stated(self) -> bool:
        return bool(self.deadlines)

    def dated(self) -> tuple[tuple[str, int, int, bool, bool], ...]:
        """The reports dated within the year, for `rules.report_cycle.ReportCycle.dated`."""
        out = []
        for key, d in self.deadlines.items():
            if d.month is not None and d.year is None:
                freq = "year" if key == "*" else key
                out.append((freq, d.month, d.day, d.before, d.next_year))
        return tuple(out)

    def period_day(self) -> Deadline | None:
        """The deadline that is a day of each period's last month, for periodic tasks."""
        for key in ("*", "quarter", "half", "month", "year"):
            d = self.deadlines.get(key)
            if d is not None and d.month is None:
                return d
        return None


# ------------------------------------------------------------------------------- reading
def read_report_cycle(body: str) -> StatedCycle:
    """What the plan's reporting sentences say (see the module docstring). Pure."""
    cycle = StatedCycle()
    raw = [p.strip() for p in body.split("\n")]
    paragraphs = [(i, p, normalize(p)) for i, p in enumerate(raw) if p]
    window_lines = set()
    for i, para, _ in paragraphs:
        for m in _WINDOW.finditer(para):
            start = _date(m["y1"], m["m1"], m["d1"])
            end = _date(m["y2"], m["m2"], m["d2"])
            name = m["name"].strip()
            name = name[:1].upper() + name[1:]
            window_lines.add(i)
            if start is None or end is None or end < start:
                cycle.warnings.append(f"Kỳ báo cáo «{name}»: thời điểm chốt số liệu không hợp "
                                      "lệ, bỏ qua.")
                continue
            cycle.stated_windows.append(StatedWindow(name, start, end))
    deadline_at = None
    for i, para, text in paragraphs:
        if i in window_lines or "báo cáo" not in text or text.startswith("căn cứ"):
            continue
        found = _deadlines(text)
        if found:
            cycle.deadlines = found
            cycle.sentences.append(para)
            deadline_at = i
            break
    freq_at = None
    candidates = [(i, para, text) for i, para, text in paragraphs
                  if i not in window_lines and not text.startswith("căn cứ")]
    if deadline_at is not None:
        # The frequency sentence nearest the deadline: the deadline's own, or up to three
        # paragraphs before it.
        near = [c for c in candidates if deadline_at - 3 <= c[0] <= deadline_at]
        for i, para, text in sorted(near, key=lambda c: deadline_at - c[0]):
            freqs = _frequencies(text)
            if freqs:
                cycle.frequencies, freq_at = freqs, i
                if i != deadline_at:
                    cycle.sentences.insert(0, para)
                break
    else:
        for i, para, text in candidates:
            freqs = _frequencies(text)
            if freqs and "báo cáo" in text:
                cycle.frequencies, freq_at = freqs, i
                cycle.sentences.append(para)
                break
    if not cycle.frequencies:
        cycle.frequencies = _implied(cycle.deadlines)
    else:  # a deadline given for a frequency the sentence does not list ("01/6 và 15/11")
        cycle.frequencies = list(dict.fromkeys(
            [*cycle.frequencies, *(k for k in cycle.deadlines if k in _FREQ_KEY.values())]))
    for i in (freq_at, deadline_at):
        if i is not None and cycle.report_to is None:
            m = _REPORT_TO.search(raw[i])
            if m:
                cycle.report_to = m.group("to").strip()
    if deadline_at is not None:
        for para in raw[deadline_at:deadline_at + 6]:
            m = _URL.search(para)
            if m:
                cycle.url = m.group(0).rstrip(".,;:")
                break
    if cycle.stated_windows or any(_WINDOW_WORDS.search(t) for _, _, t in paragraphs):
        cycle.windows = "plan"
    elif _DECREE_CITED.search(body):
        cycle.windows = "decree"
    return cycle


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _frequencies(text: str) -> list[str]:
    found: list[str] = []
    for m in _FREQ_LIST.finditer(text):
        for part in re.split(r", | và | hoặc ", m.group("list")):
            key = re.sub(r"^(?:hàng|mỗi) ", "", part.strip())
            if key in _FREQ_KEY:
                found.append(_FREQ_KEY[key])
    if not found:
        found = [_FREQ_KEY[m.group("f")] for m in _HANG.finditer(text)
                 if "định kỳ" in text or "báo cáo" in text]
    return list(dict.fromkeys(found))


def _deadlines(text: str) -> dict[str, Deadline]:
    """The deadlines of one paragraph, by frequency ("*": every period). A deadline belongs to
    the frequency named just before it when that names one ("báo cáo 6 tháng gửi trước ngày
    15/6; báo cáo năm gửi trước ngày 15/12"), else to every period."""
    found: list[tuple[int, str, Deadline]] = []
    for m in _DL_END.finditer(text):
        kind = "month" if m.group("month_rep") else None
        found.append((m.start(), kind or "", Deadline(int(m["day"]), m["rel"] == "trước",
                                                      text=m.group(0))))
    for m in _DL_MONTHLY.finditer(text):
        day, rel = (m["day"], m["rel"]) if m["day"] else (m["day2"], m["rel2"])
        found.append((m.start(), "month", Deadline(int(day), rel == "trước", text=m.group(0))))
    for m in _DL_DATE.finditer(text):
        found.append((m.start(), "", Deadline(
            int(m["d"]), m["rel"] == "trước", month=int(m["m"]), next_year=bool(m["next"]),
            year=int(m["y"]) if m["y"] else None, text=m.group(0))))
        # "trước ngày 01/6 và 15/11 hằng năm": two dates of the year, the half-year's report
        # and the year's.
        more = _DL_AND_DATE.match(text, m.end())
        if more and not m["y"] and not m["next"]:
            first = found.pop()[2]
            found.append((m.start(), "half", first))
            found.append((more.start(), "year", Deadline(
                int(more["d"]), first.before, month=int(more["m"]), text=more.group(0).strip())))
    out: dict[str, Deadline] = {}
    previous = 0
    for at, kind, deadline in sorted(found, key=lambda f: f[0]):
        key = kind or _named_before(text[previous:at])
        if key == "*" and deadline.month is not None:
            key = "year"  # a date of the year: the yearly report's
        out.setdefault(key, deadline)
        previous = at + len(deadline.text)
    return {k: v for k, v in out.items() if 1 <= v.day <= 31 and (v.month or 1) <= 12}


def _named_before(segment: str) -> str:
    """The one frequency the last frequency words of ``segment`` name, else "*"."""
    matches = list(_FREQ_LIST.finditer(segment))
    if not matches:
        return "*"
    names = _frequencies(matches[-1].group(0))
    return names[0] if len(names) == 1 else "*"


def _implied(deadlines: dict[str, Deadline]) -> list[str]:
    """Frequencies a deadline implies when the plan names none ("tháng cuối quý": quarterly;
    "tháng cuối kỳ báo cáo" implies none)."""
    out = [k for k in ("month", "quarter", "half", "nine_months", "year") if k in deadlines]
    star = deadlines.get("*")
    if star is not None and "quý" in star.text:
        out.append("quarter")
    return list(dict.fromkeys(out))

"""The period report as an .xlsx workbook, for the officer to file, filter and forward.

Sheets, in order:
    Tổng hợp                    per agency: rank, counts, rates, report, points; a native bar
                                chart (openpyxl.chart.BarChart) of the four statuses by agency
    Hoàn thành đúng hạn, Hoàn thành quá hạn, Quá hạn chưa hoàn thành, Đang thực hiện trong hạn
                                one row per lead agency's deadline
    Tài liệu kiểm chứng         the evidence: every completion and report sent, with its date and
                                document number (số, ký hiệu); a missing number is flagged
    Báo cáo định kỳ             report obligations: sent or not, and when
    Nhiệm vụ thường xuyên       ongoing tasks, per agency, to report on
    Chưa có thời hạn            tasks a person must give a date
    Chỉ số CCHC                 the PAR Index rules applied, points, and what it would take

Every sheet has bold frozen headings, an auto-filter over its rows, and column widths fitted to
the longest text (within bounds). openpyxl writes the workbook and the first row of each list;
the other rows are streamed after it (`notifiers.sheet_stream`): a national report has hundreds
of thousands of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.formatting import label_is_period
from engine.reports.counting import FOUR, FOUR_VI, REPORT_VI, UNDATED_VI
from engine.reports.period import PeriodReport
from notifiers import sheet_stream
from notifiers.sheet_stream import clean

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY = "Tổng hợp"
STATUS_SHEETS = {s: FOUR_VI[s][0].upper() + FOUR_VI[s][1:] for s in FOUR}
EVIDENCE = "Tài liệu kiểm chứng"
REPORTS = "Báo cáo định kỳ"
ONGOING = "Nhiệm vụ thường xuyên"
UNDATED = "Chưa có thời hạn"
PAR = "Chỉ số CCHC"
COLORS = {"done_on_time": "2E7D32", "done_late": "26A69A", "late_open": "C62828",
          "open_in_time": "F9A825"}
FORMATS = {"date": "dd/mm/yyyy", "pct": "0.0%", "int": "0", "num": "0.0"}
MIN_WIDTH, MAX_WIDTH = 8, 60
HEAD = Font(bold=True)
WRAP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class Col:
    heading: str
    kind: str = "text"  # text | date | int | pct | num
    width: float | None = None  # fixed width; None: fitted to the text


def write(report: PeriodReport, target: str | Path | IO[bytes], *,
          created: dt.datetime | None = None) -> None:
    h = report.heading
    wb = Workbook(write_only=True)
    wb.properties.title = clean(f"Báo cáo kết quả thực hiện Kế hoạch CCHC {h.plan_number} - "
                                f"{h.period}")
    wb.properties.creator = "Nhắc việc CCHC"
    if created is not None:
        wb.properties.created = created.astimezone(dt.UTC).replace(tzinfo=None)
    long: dict[str, Sequence[Sequence]] = {}
    _summary(wb, report, long)
    task_cols = (Col("Cơ quan"), Col("Nhóm nhiệm vụ"), Col("Số TT", width=9), Col("Nhiệm vụ"),
                 Col("Sản phẩm"), Col("Hạn", "date", 12), Col("Ngày hoàn thành", "date", 12),
                 Col("Số, ký hiệu văn bản"), Col("Cơ quan trước sắp xếp"))
    name = report.names.get
    by_status: dict[str, list[tuple]] = {s: [] for s in FOUR}
    evidence: list[tuple] = []
    for t in report.tasks:
        origin = name(t.origin, t.origin) if t.origin != t.agency else None
        agency = name(t.agency, t.agency)
        # "Sản phẩm" holds a product the plan pairs with the deadline, never a period label
        # ("Năm 2025"): that one is said after the title.
        period = label_is_period(t.label)
        title = f"{t.title} ({t.label})" if period and t.title else t.title
        by_status[t.status].append((agency, t.group, t.code, title, None if period else t.label,
                                    t.due, t.done, t.doc_number, origin))
        if t.done is not None:
            evidence.append((agency, t.title, t.group, t.code, t.due, t.done,
                             FOUR_VI[t.status], t.doc_number,
                             None if t.doc_number else "Chưa có số, ký hiệu văn bản"))
    for status in FOUR:
        _sheet(wb, STATUS_SHEETS[status], task_cols, by_status[status], long)
    for r in report.reports:
        if r.submitted is not None:
            evidence.append((name(r.agency, r.agency), f"Báo cáo CCHC {r.period}", None, None,
                             r.due, r.submitted, REPORT_VI[r.status], r.doc_number,
                             None if r.doc_number else "Chưa có số, ký hiệu văn bản"))
    _sheet(wb, EVIDENCE, (Col("Cơ quan"), Col("Nội dung"), Col("Nhóm nhiệm vụ"),
                          Col("Số TT", width=9), Col("Hạn", "date", 12),
                          Col("Ngày hoàn thành", "date", 12), Col("Tình trạng"),
                          Col("Số, ký hiệu văn bản"), Col("Ghi chú")), evidence, long)
    _sheet(wb, REPORTS, (Col("Cơ quan"), Col("Kỳ báo cáo"), Col("Hạn gửi", "date", 12),
                         Col("Ngày gửi", "date", 12), Col("Tình trạng"),
                         Col("Số, ký hiệu văn bản")),
           [(name(r.agency, r.agency), r.period, r.due, r.submitted,
             REPORT_VI[r.status], r.doc_number) for r in report.reports], long)
    listed = (Col("Cơ quan"), Col("Nhóm nhiệm vụ"), Col("Số TT", width=9), Col("Nhiệm vụ"))
    _sheet(wb, ONGOING, listed, [(name(t.agency, t.agency), t.group, t.code, t.title)
                                 for t in report.ongoing], long)
    _sheet(wb, UNDATED, (*listed, Col("Lý do")),
           [(name(t.agency, t.agency), t.group, t.code, t.title, UNDATED_VI[t.reason])
            for t in report.undated], long)
    _par(wb, report, long)
    sheet_stream.save(wb, target, long, compresslevel=1)


def _summary(wb: Workbook, report: PeriodReport, long: dict) -> None:
    h = report.heading
    totals = report.totals()
    par = report.par
    top = [
        f"Kết quả thực hiện Kế hoạch CCHC {h.plan_number} năm {h.plan_year} - kỳ báo cáo "
        f"{h.period} (số liệu " + (f"từ {h.cutoff_from:%d/%m/%Y} " if h.cutoff_from else "")
        + f"đến {report.as_of:%d/%m/%Y})",
        "Tổng số: " + "; ".join(f"{FOUR_VI[s]} {totals[s]}" for s in FOUR)
        + f". Chỉ số CCHC (dự kiến): {par.points:g}/{par.max_points:g} điểm.",
    ]
    cols = (Col("Hạng", "int", 7), Col("Cơ quan"), Col("Mã cơ quan"),
            Col("Số nhiệm vụ đến hạn", "int", 11),
            *(Col(FOUR_VI[s][0].upper() + FOUR_VI[s][1:], "int", 13) for s in FOUR),
            Col("Tỷ lệ hoàn thành", "pct", 11), Col("Tỷ lệ đúng hạn", "pct", 11),
            Col(f"Báo cáo {h.period}: ngày gửi", "date", 13), Col("Báo cáo: tình trạng"),
            Col("Điểm Chỉ số CCHC (dự kiến)", "num", 11), Col("Điểm tối đa", "num", 9),
            Col("Cơ quan trước sắp xếp"))
    rows = []
    for a in report.agencies:
        r = a.report
        rows.append((a.rank, a.name, a.id, a.due, *(a.counts[s] for s in FOUR),
                     a.completion_rate, a.on_time_rate, r.submitted if r else None,
                     REPORT_VI[r.status] if r else None, a.par.points, a.par.max_points,
                     ", ".join(report.names.get(p, p) for p in a.predecessors) or None))
    ws = _sheet(wb, SUMMARY, cols, rows, long, top=top)
    if rows:
        header = len(top) + 2
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
        chart.title = f"Tình trạng nhiệm vụ theo cơ quan - {h.period}"
        chart.y_axis.title = "Số nhiệm vụ"
        chart.x_axis.scaling.orientation = "maxMin"  # first-ranked agency at the top
        chart.add_data(Reference(ws, min_col=5, max_col=8, min_row=header,
                                 max_row=header + len(rows)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=header + 1,
                                       max_row=header + len(rows)))
        for series, status in zip(chart.series, FOUR, strict=True):
            series.graphicalProperties.solidFill = COLORS[status]
            series.graphicalProperties.line.solidFill = COLORS[status]
        chart.width, chart.height = 24, max(8.0, min(0.6 * len(rows), 120.0))
        ws.add_chart(chart, f"{get_column_letter(len(cols) + 2)}{header}")


def _par(wb: Workbook, report: PeriodReport, long: dict) -> None:
    par = report.par
    top = [f"Chỉ số CCHC (dự kiến) của kế hoạch: {par.points:g}/{par.max_points:g} điểm. "
           f"Căn cứ: {report.scoring.source}"]
    for s in par.scores:
        tiers = "; ".join(t.text() for t in s.criterion.tiers) or \
            f"{s.criterion.points:g} điểm khi mọi báo cáo gửi đúng hạn"
        top.append(f"- {s.criterion.name}: {s.points:g}/{s.criterion.max_points:g} điểm "
                   f"({s.note}; thang điểm: {tiers})")
    for step in par.steps:
        top.append("  Để tăng điểm: " + _step_text(step))
    rows = []
    for a in report.agencies:
        completion = next((x for x in a.par.scores if x.criterion.measure == "completion_rate"),
                          None)
        ups = {}
        for step in a.par.steps:
            ups.setdefault(step.criterion, []).append(_step_text(step))
        rows.append((a.name, a.par.points, a.par.max_points,
                     completion.value if completion and completion.applicable else None,
                     a.counts["late_open"], "; ".join(sum(ups.values(), [])) or None))
    _sheet(wb, PAR, (Col("Cơ quan"), Col("Điểm dự kiến", "num", 10),
                     Col("Điểm tối đa", "num", 9), Col("Tỷ lệ hoàn thành", "pct", 11),
                     Col("Số nhiệm vụ quá hạn chưa hoàn thành", "int", 14),
                     Col("Để tăng điểm (danh sách nhiệm vụ quá hạn: trang «Quá hạn chưa hoàn "
                         "thành»)")), rows, long, top=top)


def _step_text(step) -> str:  # noqa: ANN001 - par_index.Step
    if step.reports:
        periods = ", ".join(f"{r.period} (hạn {r.due:%d/%m/%Y})" for r in step.reports)
        return f"gửi đúng hạn báo cáo {periods}: +{step.gain:g} điểm"
    return f"hoàn thành thêm {step.completions} nhiệm vụ quá hạn: +{step.gain:g} điểm"


def _sheet(wb: Workbook, title: str, cols: Sequence[Col], rows: Sequence[Sequence],
           long: dict, *, top: Sequence[str] = ()):  # noqa: ANN202 - WriteOnlyWorksheet
    """A list sheet: optional lines of text above, bold headings frozen, the rows filtered."""
    ws = wb.create_sheet(title)
    for i, width in enumerate(_widths(cols, rows), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header = len(top) + 1 + (1 if top else 0)
    # Before the first row: write-only sheets write their view and filter with it.
    ws.freeze_panes = f"A{header + 1}"
    last = get_column_letter(len(cols))
    ws.auto_filter.ref = f"A{header}:{last}{header + max(len(rows), 1)}"
    for line in top:
        cell = WriteOnlyCell(ws, clean(line))
        cell.font = HEAD if line is top[0] else Font()
        ws.append([cell])
    if top:
        ws.append([])
    heads = []
    for c in cols:
        cell = WriteOnlyCell(ws, c.heading)
        cell.font, cell.alignment = HEAD, WRAP
        heads.append(cell)
    ws.append(heads)
    if not rows:
        ws.append(["Không có."])
        return ws
    first = []
    for c, v in zip(cols, rows[0], strict=True):
        cell = WriteOnlyCell(ws, clean(v) if isinstance(v, str) else v)
        if c.kind in FORMATS:
            cell.number_format = FORMATS[c.kind]
        first.append(cell)
    ws.append(first)
    if len(rows) > 1:
        long[title] = rows[1:]
    return ws


def _widths(cols: Sequence[Col], rows: Sequence[Sequence]) -> list[float]:
    """Each column as wide as its longest text (a heading may wrap), within bounds."""
    out = []
    for i, c in enumerate(cols):
        if c.width is not None:
            out.append(c.width)
            continue
        texts = set(map(itemgetter(i), rows))  # a few distinct texts per column, mostly
        longest = max((len(v) for v in texts if isinstance(v, str)), default=0)
        longest = max(longest, min(len(c.heading), 16))
        out.append(float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))))
    return out

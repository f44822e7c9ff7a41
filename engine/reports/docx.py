"""The period report as a draft .docx in the Vietnamese administrative style (Nghị định
30/2020/NĐ-CP, Phụ lục I: thể thức văn bản hành chính), for the officer to finish and sign.

Layout: A4, margins 20 / 20 / 30 / 15 mm, Times New Roman 13 pt. The heading block is a
borderless two-column table: on the left the governing body and the issuing agency (the
monitoring agency, Sở Nội vụ) with the number and symbol left blank ("Số:      /BC-..."); on
the right the Quốc hiệu and the Tiêu ngữ and the place and date, day and month left blank. Then
"BÁO CÁO" and its subject, "Kính gửi", the summary in prose with the numbers, the PAR Index
projection, a section left for the officer's proposals, "Nơi nhận" and the signature block; the
per-agency table follows as an appendix on a landscape page.

Everything the officer must fill in is in square brackets or dotted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from engine.reports.counting import FOUR, FOUR_VI
from engine.reports.period import PeriodReport
from notifiers.sheet_stream import clean

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
NAMED = 10  # agencies named in the prose before "và N cơ quan khác"
APPENDIX_HEADINGS = ("Hạng", "Cơ quan", "Đến hạn", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                     "Quá hạn chưa hoàn thành", "Đang thực hiện trong hạn", "Tỷ lệ hoàn thành",
                     "Tỷ lệ đúng hạn", "Báo cáo kỳ: ngày gửi", "Điểm Chỉ số CCHC")


def write(report: PeriodReport, target: str | Path | IO[bytes], *,
          created: dt.datetime | None = None, issuer: str = "Sở Nội vụ") -> None:
    doc = Document()
    _page(doc)
    h = report.heading
    authority = h.issuer or "Ủy ban nhân dân tỉnh ......"
    year = (created or dt.datetime.combine(report.as_of, dt.time())).year
    _heading_block(doc, authority, issuer, _place(h.issuer), year)
    _para(doc, "BÁO CÁO", bold=True, center=True, size=14, before=12)
    _para(doc, f"Kết quả thực hiện Kế hoạch cải cách hành chính {h.period} năm {h.plan_year}",
          bold=True, center=True, size=14)
    _para(doc, "Kính gửi: " + _full(authority), center=True, before=6, after=12)
    for text in _prose(report, issuer):
        _para(doc, text, indent=True, justify=True, bold=text.isupper())
    _signature(doc, issuer)
    _appendix(doc, report, year)
    if created is not None:
        doc.core_properties.created = created.astimezone(dt.UTC).replace(tzinfo=None)
    doc.core_properties.title = clean(f"Báo cáo CCHC {h.period} năm {h.plan_year}")
    doc.core_properties.author = "Nhắc việc CCHC"
    doc.save(target)


def _page(doc) -> None:  # noqa: ANN001 - docx.Document
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(6)


def _para(doc, text: str, *, bold: bool = False, italic: bool = False,  # noqa: ANN001
          center: bool = False, size: float | None = None, before: float = 0,
          after: float | None = None, indent: bool = False, justify: bool = False):  # noqa: ANN202
    p = doc.add_paragraph()
    run = p.add_run(clean(text) or "")
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    fmt = p.paragraph_format
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif justify:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        fmt.first_line_indent = Mm(10)
    fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    return p


def _cell_lines(cell, lines: list[tuple[str, dict]]) -> None:  # noqa: ANN001
    cell.paragraphs[0].text = ""
    for i, (text, style) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(text)
        run.bold, run.italic = style.get("bold", False), style.get("italic", False)
        run.underline = style.get("underline", False)
        run.font.size = Pt(style.get("size", 13))


def _heading_block(doc, authority: str, issuer: str, place: str, year: int) -> None:  # noqa: ANN001
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    _cell_lines(left, [
        (_upper(authority), {"size": 12}),
        (issuer.upper(), {"bold": True, "underline": True, "size": 12}),
        ("", {}),
        ("Số:        /BC-......", {"size": 13}),
    ])
    _cell_lines(right, [
        (QUOC_HIEU, {"bold": True, "size": 12}),
        (TIEU_NGU, {"bold": True, "underline": True, "size": 13}),
        ("", {}),
        (f"{place}, ngày      tháng      năm {year}", {"italic": True, "size": 13}),
    ])


def _prose(report: PeriodReport, issuer: str) -> list[str]:
    h = report.heading
    t = report.totals()
    due = sum(t.values())
    rated = due - t["open_in_time"]
    done = t["done_on_time"] + t["done_late"]
    agencies = [a for a in report.agencies if a.due]
    out = [
        f"Thực hiện Kế hoạch số {h.plan_number}"
        + (f" ngày {h.plan_issued_on:%d/%m/%Y}" if h.plan_issued_on else "")
        + f" của {h.issuer or '......'} về cải cách hành "
        f"chính năm {h.plan_year}, {issuer} báo cáo kết quả thực hiện kỳ {h.period} (số liệu "
        + (f"từ ngày {h.cutoff_from:%d/%m/%Y} " if h.cutoff_from else "")
        + f"đến ngày {report.as_of:%d/%m/%Y}) như sau:",
        "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ",
    ]
    if not due:
        out.append("Trong kỳ không có nhiệm vụ nào đến hạn theo Kế hoạch.")
    else:
        parts = "; ".join(f"{FOUR_VI[s]}: {t[s]} ({_pct(t[s], due)})" for s in FOUR)
        out.append(f"1. Tổng số nhiệm vụ đến hạn trong kỳ: {due} lượt nhiệm vụ của "
                   f"{len(agencies)} cơ quan, đơn vị chủ trì. Trong đó: {parts}.")
        if rated:
            out.append(f"Tỷ lệ hoàn thành: {_pct(done, rated)} ({done}/{rated} nhiệm vụ phải "
                       f"hoàn thành đến ngày {report.as_of:%d/%m/%Y}); tỷ lệ hoàn thành đúng "
                       f"hạn: {_pct(t['done_on_time'], rated)}.")
        lagging = sorted((a for a in agencies if a.counts["late_open"]),
                         key=lambda a: (-a.counts["late_open"], a.name))
        if lagging:
            out.append("2. Cơ quan, đơn vị còn nhiệm vụ quá hạn chưa hoàn thành: " + _names(
                [f"{a.name} ({a.counts['late_open']})" for a in lagging]) + ".")
        leading = [a for a in report.agencies if a.rank == 1]
        if leading:
            out.append("Cơ quan, đơn vị xếp hạng cao nhất: " + _names([a.name for a in leading])
                       + f" (tỷ lệ hoàn thành {_pct_value(leading[0].completion_rate)}).")
    own = [r for r in report.reports if r.period == h.period]
    if own:
        sent = [r for r in own if r.submitted]
        on_time = sum(r.status == "done_on_time" for r in own)
        missing = sorted(report.names.get(r.agency, r.agency) for r in own if not r.submitted)
        text = (f"3. Báo cáo định kỳ {h.period} (hạn {h.report_deadline:%d/%m/%Y}): {len(sent)}/"
                f"{len(own)} cơ quan, đơn vị đã gửi, trong đó {on_time} gửi đúng hạn")
        if missing:
            text += f"; chưa gửi: {_names(missing)}"
        out.append(text + ".")
    if report.ongoing:
        out.append(f"4. Nhiệm vụ thường xuyên: {len({(o.group, o.code) for o in report.ongoing})}"
                   " nhiệm vụ, các cơ quan chủ trì báo cáo kết quả trong kỳ.")
    if report.undated:
        out.append(f"Có {len({(u.group, u.code) for u in report.undated})} nhiệm vụ chưa xác "
                   "định thời hạn (chờ sự kiện hoặc theo văn bản khác): cần xác định thời hạn "
                   "để theo dõi.")
    par = report.par
    out.append("II. CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (DỰ KIẾN)")
    out.append(f"Theo {report.scoring.source}: tổng điểm dự kiến {par.points:g}/"
               f"{par.max_points:g} điểm.")
    for s in par.scores:
        out.append(f"- {s.criterion.name}: {s.points:g}/{s.criterion.max_points:g} điểm "
                   f"({s.note}).")
    for step in par.steps:
        if step.reports:
            out.append("Để đạt thêm " + f"{step.gain:g} điểm: các cơ quan gửi đúng hạn báo cáo "
                       + ", ".join(f"{r.period} (hạn {r.due:%d/%m/%Y})"
                                   for r in {(r.period, r.due): r for r in step.reports}.values())
                       + ".")
        else:
            out.append(f"Để đạt thêm {step.gain:g} điểm: hoàn thành thêm {step.completions} "
                       "nhiệm vụ quá hạn (danh sách tại bảng tính kèm theo, trang «Chỉ số "
                       "CCHC»).")
    out.append("III. ĐỀ XUẤT, KIẾN NGHỊ")
    out.append("[Cán bộ tham mưu bổ sung: nguyên nhân, giải pháp, đề xuất, kiến nghị.]")
    out.append("Trên đây là báo cáo kết quả thực hiện Kế hoạch cải cách hành chính "
               f"{h.period} năm {h.plan_year}./.")
    return out


def _signature(doc, issuer: str) -> None:  # noqa: ANN001
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    left.paragraphs[0].text = ""
    p = left.paragraphs[0]
    run = p.add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for line in ("- Như trên;", "- [...];", "- Lưu: VT, [...]."):
        q = left.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        q.add_run(line).font.size = Pt(11)
    _cell_lines(right, [("GIÁM ĐỐC" if issuer.lower().startswith("sở") else "THỦ TRƯỞNG",
                         {"bold": True, "size": 13}),
                        ("[Ký, ghi rõ họ tên]", {"italic": True, "size": 13})])


def _appendix(doc, report: PeriodReport, year: int) -> None:  # noqa: ANN001
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    h = report.heading
    _para(doc, "PHỤ LỤC", bold=True, center=True, size=14)
    _para(doc, f"Tình hình thực hiện Kế hoạch CCHC {h.period} năm {h.plan_year} theo cơ quan, "
          "đơn vị", bold=True, center=True)
    _para(doc, f"(Kèm theo Báo cáo số       /BC-...... ngày      tháng      năm {year})",
          italic=True, center=True, after=6)
    if not report.agencies:
        _para(doc, "Không có cơ quan nào có nhiệm vụ hoặc báo cáo trong kỳ.", center=True)
        return
    _table(doc, report)


def _table(doc, report: PeriodReport) -> None:  # noqa: ANN001
    """The appendix table, its rows written as XML: python-docx's add_row() re-reads the grid
    for every row (3,500 national rows took seconds); the cells are the same WordprocessingML."""
    table = doc.add_table(rows=1, cols=len(APPENDIX_HEADINGS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, APPENDIX_HEADINGS, strict=True):
        cell.paragraphs[0].text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, Pt(11)
    _repeat_header(table.rows[0])
    tbl = table._tbl
    rows = []
    for a in report.agencies:
        r = a.report
        sent = f"{r.submitted:%d/%m/%Y}" if r and r.submitted else ("chưa gửi" if r else "")
        cells = (str(a.rank or ""), a.name, str(a.due),
                 *(str(a.counts[s]) for s in FOUR), _pct_value(a.completion_rate),
                 _pct_value(a.on_time_rate), sent,
                 f"{a.par.points:g}/{a.par.max_points:g}")
        rows.append("<w:tr>" + "".join(_tc(c, i != 1) for i, c in enumerate(cells)) + "</w:tr>")
    for chunk in range(0, len(rows), 500):
        frag = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows[chunk:chunk + 500])}</w:tbl>")
        for tr in list(frag):
            tbl.append(tr)


def _tc(text: str, center: bool) -> str:
    body = (clean(text) or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    jc = '<w:jc w:val="center"/>' if center else ""
    return (f'<w:tc><w:p><w:pPr><w:spacing w:after="0"/>{jc}</w:pPr><w:r><w:rPr>'
            f'<w:sz w:val="22"/></w:rPr><w:t xml:space="preserve">{body}</w:t></w:r></w:p>'
            "</w:tc>")


def _repeat_header(row) -> None:  # noqa: ANN001
    trPr = row._tr.get_or_add_trPr()
    trPr.append(parse_xml(f'<w:tblHeader {nsdecls("w")} w:val="true"/>'))


def _pct(n: int, of: int) -> str:
    return _pct_value(n / of if of else None)


def _pct_value(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%".replace(".", ",")


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMED])
    return shown + (f" và {len(names) - NAMED} cơ quan khác" if len(names) > NAMED else "")


def _upper(text: str) -> str:
    return text.replace("UBND", "Ủy ban nhân dân").upper()


def _full(text: str) -> str:
    return text.replace("UBND", "Ủy ban nhân dân")


def _place(issuer: str | None) -> str:
    """"UBND tỉnh Sóc Trăng" -> "Sóc Trăng"; unknown: dots for the officer."""
    if issuer:
        for word in ("tỉnh ", "thành phố ", "Tỉnh ", "Thành phố "):
            if word in issuer:
                return issuer.split(word, 1)[1].strip()
    return "......"




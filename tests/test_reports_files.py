"""The period report's files opened again: the .xlsx with openpyxl (and its chart part read from
the package), the .docx with python-docx, cell by cell; `nhacviec report build` through the real
command. The seed walk and its numbers by hand: `tests/test_reports_seed.py`."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from xml.etree import ElementTree

import docx
import openpyxl
import pytest

from engine.reports import docx as report_docx
from engine.reports import xlsx as report_xlsx
from engine.reports.period import build_report
from tests.plan_factory import D
from tests.reports_seed import walk
from tests.test_plan_cli import nhacviec

CREATED = dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "seed.sqlite"
    rt = walk(f"sqlite:///{path}")
    with rt.session() as s:
        report = build_report(s, period="Quý I", directory=rt.directory, calendar=rt.calendar,
                              today=D("2025-04-02"), as_of=D("2025-03-31"))
    yield path, report
    from engine.storage.db import dispose_all

    dispose_all()


@pytest.fixture(scope="module")
def workbook(seed):
    out = io.BytesIO()
    report_xlsx.write(seed[1], out, created=CREATED)
    return out.getvalue()


def rows_of(ws) -> list[tuple]:  # noqa: ANN001
    return list(ws.iter_rows(values_only=True))


def test_xlsx_sheets_headings_and_filters(workbook):
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    assert wb.sheetnames == ["Tổng hợp", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                             "Quá hạn chưa hoàn thành", "Đang thực hiện trong hạn",
                             "Tài liệu kiểm chứng", "Báo cáo định kỳ", "Nhiệm vụ thường xuyên",
                             "Chưa có thời hạn", "Chỉ số CCHC"]
    for ws in wb:
        header = 4 if ws.title in ("Tổng hợp",) else None
        if header is None:
            header = next(i for i, r in enumerate(rows_of(ws), 1)
                          if r[0] in ("Cơ quan", "Hạng"))
        assert ws.freeze_panes == f"A{header + 1}", ws.title
        assert ws.auto_filter.ref.startswith(f"A{header}:"), ws.title
        assert ws.auto_filter.ref.endswith(str(max(ws.max_row, header + 1))), ws.title
        assert all(c.font.b for c in ws[header] if c.value), ws.title


def test_xlsx_summary_cell_by_cell_and_chart(workbook):
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = wb["Tổng hợp"]
    rows = rows_of(ws)
    assert rows[0][0].startswith("Kết quả thực hiện Kế hoạch CCHC 196/KH-UBND năm 2025 - kỳ "
                                 "báo cáo Quý I (số liệu từ 15/12/2024 đến 31/03/2025)")
    assert rows[3][:10] == ("Hạng", "Cơ quan", "Mã cơ quan", "Số nhiệm vụ đến hạn",
                            "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
                            "Quá hạn chưa hoàn thành", "Đang thực hiện trong hạn",
                            "Tỷ lệ hoàn thành", "Tỷ lệ đúng hạn")
    body = {r[2]: r for r in rows[4:]}
    # By hand (tests/test_reports_seed.py, at 31/03): rank, counts, rates, report, points.
    assert body["so-tu-phap"][:12] == (1, "Sở Tư pháp", "so-tu-phap", 2, 1, 0, 0, 1, 1, 1,
                                       dt.datetime(2025, 3, 14), "đã gửi đúng hạn")
    assert body["vp-ubnd"][:12] == (3, "Văn phòng UBND tỉnh", "vp-ubnd", 5, 2, 1, 1, 1, 0.75,
                                    0.5, dt.datetime(2025, 3, 17), "đã gửi đúng hạn")
    assert body["so-noi-vu"][10:14] == (dt.datetime(2025, 3, 20), "đã gửi quá hạn", 0, 3)
    assert body["so-nnmt"][0] is None
    assert [r[0] for r in rows[4:9]] == [1, 1, 3, 4, 5]
    assert ws.cell(5, 9).number_format == "0.0%" and ws.cell(6, 9).number_format == "0.0%"
    vp_row = 5 + [r[2] for r in rows[4:]].index("vp-ubnd")  # streamed after the first row
    assert ws.cell(vp_row, 11).number_format == "dd/mm/yyyy"
    assert ws.cell(vp_row, 9).number_format == "0.0%"
    assert ws.column_dimensions["B"].width >= len("Ban Quản lý các Khu công nghiệp")
    # The native chart: a stacked bar chart, one series per status, over the summary's rows.
    assert len(ws._charts) == 1
    with zipfile.ZipFile(io.BytesIO(workbook)) as z:
        chart = z.read(next(n for n in z.namelist() if n.startswith("xl/charts/chart")))
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    bar = ElementTree.fromstring(chart).find(f"{c}chart/{c}plotArea/{c}barChart")
    assert bar is not None
    assert (bar.find(f"{c}barDir").get("val"), bar.find(f"{c}grouping").get("val")) == (
        "bar", "stacked")
    series = bar.findall(f"{c}ser")
    last = 4 + len(body)
    assert [s.find(f"{c}val/{c}numRef/{c}f").text for s in series] == [
        f"'Tổng hợp'!${x}$5:${x}${last}" for x in "EFGH"]
    assert {s.find(f"{c}cat").find(f".//{c}f").text for s in series} == {
        f"'Tổng hợp'!$B$5:$B${last}"}  # the agencies' names


def test_xlsx_status_sheets_and_evidence(workbook):
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    late = rows_of(wb["Quá hạn chưa hoàn thành"])
    assert late[0] == ("Cơ quan", "Nhóm nhiệm vụ", "Số TT", "Nhiệm vụ", "Sản phẩm", "Hạn",
                       "Ngày hoàn thành", "Số, ký hiệu văn bản", "Cơ quan trước sắp xếp")
    assert sorted((r[0], r[2], r[5].date()) for r in late[1:]) == [
        ("Sở Khoa học và Công nghệ", "6", dt.date(2025, 3, 18)),
        ("Sở Nội vụ", "2", dt.date(2025, 2, 28)),
        ("Văn phòng UBND tỉnh", "6", dt.date(2025, 3, 18))]
    assert len(rows_of(wb["Đang thực hiện trong hạn"])) == 1 + 26
    assert len(rows_of(wb["Hoàn thành quá hạn"])) == 1 + 1
    evidence = rows_of(wb["Tài liệu kiểm chứng"])
    numbers = {r[7]: r for r in evidence[1:]}
    # Every recorded document number is there: six completions, three reports.
    assert set(numbers) == {"12/BC-VP", "15/KH-VP", "20/BC-SKHCN", "25/BC-VP", "31/KH-STP",
                            "30/BC-SYT", "30/BC-STP", "40/BC-VP", "41/BC-SNV"}
    assert numbers["15/KH-VP"][:7] == (
        "Văn phòng UBND tỉnh", "Ban hành Kế hoạch", "Cải cách TTHC", "2.1",
        dt.datetime(2025, 1, 24), dt.datetime(2025, 2, 5), "hoàn thành quá hạn")
    assert numbers["41/BC-SNV"][1] == "Báo cáo CCHC Quý I"
    assert wb["Tài liệu kiểm chứng"]["E3"].number_format == "dd/mm/yyyy"
    reports = rows_of(wb["Báo cáo định kỳ"])
    assert len(reports) == 1 + 32
    assert sum(r[4] == "quá hạn, chưa gửi" for r in reports[1:]) == 29
    par = rows_of(wb["Chỉ số CCHC"])
    assert par[0][0].startswith("Chỉ số CCHC (dự kiến) của kế hoạch: 0/3 điểm.")
    vp = next(r for r in par if r[0] == "Văn phòng UBND tỉnh")
    assert vp[1:5] == (2, 3, 0.75, 1)
    assert "hoàn thành thêm 1 nhiệm vụ quá hạn: +1 điểm" in vp[5]


def test_docx_draft_in_the_administrative_style(seed):
    out = io.BytesIO()
    report_docx.write(seed[1], out, created=CREATED)
    d = docx.Document(io.BytesIO(out.getvalue()))
    head = d.tables[0].rows[0].cells
    assert head[0].text.splitlines()[:2] == ["ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG", "SỞ NỘI VỤ"]
    assert re.search(r"^Số:\s+/BC-", head[0].text.splitlines()[-1])
    assert head[1].text.splitlines()[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                             "Độc lập - Tự do - Hạnh phúc"]
    assert head[1].text.splitlines()[-1] == "Sóc Trăng, ngày      tháng      năm 2025"
    text = [p.text for p in d.paragraphs]
    assert text[:3] == ["BÁO CÁO",
                        "Kết quả thực hiện Kế hoạch cải cách hành chính Quý I năm 2025",
                        "Kính gửi: Ủy ban nhân dân tỉnh Sóc Trăng"]
    body = "\n".join(text)
    assert "Thực hiện Kế hoạch số 196/KH-UBND ngày 23/12/2024 của UBND tỉnh Sóc Trăng" in body
    assert ("1. Tổng số nhiệm vụ đến hạn trong kỳ: 35 lượt nhiệm vụ của 25 cơ quan, đơn vị "
            "chủ trì. Trong đó: hoàn thành đúng hạn: 5 (14,3%); hoàn thành quá hạn: 1 (2,9%); "
            "quá hạn chưa hoàn thành: 3 (8,6%); đang thực hiện trong hạn: 26 (74,3%).") in body
    assert "Tỷ lệ hoàn thành: 66,7% (6/9 nhiệm vụ phải hoàn thành đến ngày 31/03/2025)" in body
    assert "3. Báo cáo định kỳ Quý I (hạn 18/03/2025): 3/32 cơ quan, đơn vị đã gửi" in body
    assert "tổng điểm dự kiến 0/3 điểm" in body
    assert "Để đạt thêm 2 điểm: hoàn thành thêm 3 nhiệm vụ quá hạn" in body
    assert "[Cán bộ tham mưu bổ sung" in body and "PHỤ LỤC" in text
    sign = d.tables[1].rows[0].cells
    assert sign[0].text.startswith("Nơi nhận:")
    assert sign[1].text.splitlines() == ["GIÁM ĐỐC", "[Ký, ghi rõ họ tên]"]
    table = d.tables[2]
    assert [c.text for c in table.rows[0].cells][:3] == ["Hạng", "Cơ quan", "Đến hạn"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert len(rows) == 32
    assert rows["Sở Tư pháp"] == ["1", "Sở Tư pháp", "2", "1", "0", "0", "1", "100,0%",
                                  "100,0%", "14/03/2025", "3/3"]
    assert rows["Sở Nội vụ"][9:] == ["20/03/2025", "0/3"]
    assert d.sections[1].orientation == 1  # the appendix on a landscape page


def test_cli_report_build_json_and_files(seed, tmp_path):
    path, report = seed
    env = {"NHACVIEC_DATABASE_URL": f"sqlite:///{path}"}
    got = nhacviec("report", "build", "--period", "Quý I", "--as-of", "2025-03-31", "--json",
                   cwd=tmp_path, **env)
    assert got.returncode == 0, got.stderr
    j = json.loads(got.stdout)
    mine = report.to_json()
    # The counts and ranks; the reports are judged on the real day here, not on 02/04/2025.
    assert [(a["id"], a["rank"], a["due"], a["done_on_time"]) for a in j["agencies"]] == [
        (a["id"], a["rank"], a["due"], a["done_on_time"]) for a in mine["agencies"]]
    assert j["agencies"][0]["rank"] == 1 and len(j["tasks"]) == 35
    assert j["tasks"] == mine["tasks"]
    for suffix in ("xlsx", "docx"):
        out = tmp_path / f"bao-cao.{suffix}"
        got = nhacviec("report", "build", "--period", "quý 1", "--out", str(out), cwd=tmp_path,
                       **env)
        assert got.returncode == 0, got.stderr
        assert "Đã lập báo cáo Quý I của kế hoạch 196/KH-UBND (số liệu đến 14/03/2025)" in \
            got.stdout
        assert zipfile.is_zipfile(out)
    assert openpyxl.load_workbook(tmp_path / "bao-cao.xlsx")["Tổng hợp"]["B5"].value
    assert docx.Document(tmp_path / "bao-cao.docx").paragraphs[0].text == "BÁO CÁO"


@pytest.mark.parametrize(("args", "message"), [
    (("--period", "Quý I"), "hãy chọn một: --json"),
    (("--period", "Quý I", "--json", "--out", "x.xlsx"), "hãy chọn một: --json"),
    (("--period", "Quý I", "--out", "x.pdf"), "chỉ ghi được .xlsx hoặc .docx"),
    (("--period", "Quý V", "--json"), "kế hoạch không có kỳ báo cáo «Quý V»"),
    (("--period", "Quý I", "--as-of", "31/02/2025", "--json"), "--as-of «31/02/2025»"),
    (("--period", "Quý I", "--out", "khong-co/x.xlsx"), "không có thư mục"),
])
def test_cli_report_build_bad_input(seed, tmp_path, args, message):
    got = nhacviec("report", "build", *args, cwd=tmp_path,
                   NHACVIEC_DATABASE_URL=f"sqlite:///{seed[0]}")
    assert got.returncode == 2, got.stderr
    assert got.stderr.startswith("Lỗi: ") and message in got.stderr
    assert "Traceback" not in got.stderr and got.stdout == ""
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".nhacviec-*"))

"""Rows streamed into a workbook openpyxl wrote (`notifiers.sheet_stream`), read back by
openpyxl in both of its reading modes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from notifiers import sheet_stream


def build(rows: list[tuple], *, other: bool = True) -> bytes:
    wb = Workbook(write_only=True)
    if other:
        wb.create_sheet("Trước").append(["không đổi", 1])
    ws = wb.create_sheet("Dài")
    ws.freeze_panes = "A2"
    ws.append(["Chữ", "Ngày", "Số", "Tỷ lệ", "Đúng"])
    first = [WriteOnlyCell(ws, v) for v in rows[0]]
    first[1].number_format, first[3].number_format = "dd/mm/yyyy", "0.0%"
    ws.append(first)
    out = io.BytesIO()
    sheet_stream.save(wb, out, {"Dài": rows[1:]})
    return out.getvalue()


ROWS = [
    ("một", dt.date(2025, 1, 24), 1, 0.5, True),
    ("Sửa <Quy chế> & \"một cửa\"\x0c tiếp", dt.date(2025, 3, 1), 2, 0.25, False),
    ("  hai đầu có khoảng trắng ", None, None, 1.0, None),
    ("ba", dt.date(2024, 2, 29), -3, 0.0, True),
]


def test_streamed_rows_read_back_with_their_styles():
    data = build(ROWS)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Trước", "Dài"]
    assert [c.value for c in wb["Trước"][1]] == ["không đổi", 1]
    ws = wb["Dài"]
    assert ws.freeze_panes == "A2"
    assert [tuple(c.value for c in row) for row in ws.iter_rows(min_row=2)] == [
        ("một", dt.datetime(2025, 1, 24), 1, 0.5, True),
        ("Sửa <Quy chế> & \"một cửa\" tiếp", dt.datetime(2025, 3, 1), 2, 0.25, False),
        ("  hai đầu có khoảng trắng ", None, None, 1, None),
        ("ba", dt.datetime(2024, 2, 29), -3, 0, True)]
    assert ws["B5"].number_format == "dd/mm/yyyy" and ws["D4"].number_format == "0.0%"
    assert ws["C4"].coordinate == "C4" and ws["B4"].value is None  # empty cells stay empty
    ro = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Dài"]
    assert len(list(ro.iter_rows(values_only=True))) == 5


def test_every_cell_carries_its_address():
    with zipfile.ZipFile(io.BytesIO(build(ROWS, other=False))) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<dimension" not in xml  # openpyxl's write-only sheets have none; none is made up
    assert '<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve">  hai' in xml
    assert xml.count("<c ") == xml.count(' r="') - xml.count("<row ")


def test_a_value_no_cell_can_hold_is_refused():
    with pytest.raises(TypeError, match="cannot write a datetime"):
        build([ROWS[0], ("x", dt.datetime(2025, 1, 1), 1, 0.1, True)])

"""Every bad input of issue 3 through the real command: exit status 2, one Vietnamese line on
standard error, no traceback, nothing on standard output, nothing written anywhere."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

SEED = Path(__file__).resolve().parents[1] / "config" / "demo_plan_2025.txt"


def a_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("Kế hoạch cải cách hành chính năm 2026")
    t = d.add_table(rows=2, cols=3)
    for c, text in enumerate(["Nội dung", "Cơ quan chủ trì", "Thời gian thực hiện"]):
        t.cell(0, c).text = text
    for c, text in enumerate(["1. Rà soát", "Sở Tư pháp", "Quý I/2026"]):
        t.cell(1, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def encrypted_docx() -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(a_docx())).encrypt("matkhau", out)
    return out.getvalue()


def xlsx_without_headers() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["STT", "Nội dung", "Ghi chú"])
    wb.active.append([1, "Rà soát", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_of_other_things() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("anh.txt", "không phải Word")
    return buf.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
# "Kế hoạch thực hiện cải cách hành chính năm 2025" typed in the legacy fonts, byte by byte:
# TCVN3 (.VnTime): ế 0xD5, ạ 0xB9, ự 0xF9, ệ 0xD6, ả 0xB6, á 0xB8, à 0xB5, í 0xDD, ă 0xA8.
TCVN3 = (b"K\xd5 ho\xb9ch th\xf9c hi\xd6n c\xb6i c\xb8ch h\xb5nh ch\xddnh n\xa8m 2025\n"
         b"Nhi\xd6m v\xf4\tC\xe9 quan ch\xf1 tr\xd7\tTh\xeai gian\n")
# VNI (VNI-Times): a base letter then its marks: ế "eá", ạ "aï", ự "öï", ệ "eä", ả "aû", á "aù",
# à "aø", í "í", ă "aê".
VNI = (b"Ke\xe1 hoa\xefch th\xf6\xefc hie\xe4n ca\xfbi ca\xf9ch ha\xf8nh ch\xednh na\xeam 2025\n"
       b"Nhie\xe4m vu\xef\tC\xf4 quan ch\xf6\xfb tr\xec\tTh\xf4\xf8i gian\n")
# Vietnamese in Windows-1258 (ê 0xEA + combining acute 0xEC, a + combining dot below 0xF2):
# neither UTF-8 nor a legacy font; it must not be guessed.
CP1258 = "K\u00ea\u0301 hoa\u0323ch n\u0103m 2025\n".encode("cp1258")


CASES = {
    "empty": ("rong.txt", b"", "tệp rỗng"),
    "blank": ("trang.txt", b"  \n\t\n\n", "tệp rỗng (chỉ có khoảng trắng)"),
    "binary junk": ("rac.txt", bytes(range(256)) * 64, "tệp nhị phân"),
    "binary without NUL": ("rac.dat", b"\x01\x02\x03\x04\x05\x06\x07\x08abc" * 500,
                           "tệp nhị phân"),
    "pdf": ("kh.pdf", PDF, "tệp PDF: hãy chép văn bản ra .txt hoặc dùng bản .docx"),
    "pdf as text": ("kh.txt", PDF, "tệp PDF: hãy chép văn bản ra .txt hoặc dùng bản .docx"),
    "pdf as docx": ("kh.docx", PDF, "tệp PDF: hãy chép văn bản ra .txt hoặc dùng bản .docx"),
    "png as text": ("kh.txt", PNG, "tệp ảnh PNG"),
    "jpeg": ("scan.jpg", JPEG, "tệp ảnh JPEG"),
    "gif as docx": ("kh.docx", GIF, "tệp ảnh GIF"),
    "truncated docx": ("kh.docx", a_docx()[:4000], "bị hỏng hoặc không đầy đủ"),
    "password docx": ("kh.docx", encrypted_docx(), "tệp được đặt mật khẩu"),
    "zip not office": ("kh.docx", zip_of_other_things(), "tệp nén ZIP không phải .docx hay .xlsx"),
    "text named docx": ("kh.docx", b"Ke hoach\n", "không phải tệp .docx hợp lệ"),
    "sheet without headers": ("kh.xlsx", xlsx_without_headers(),
                              "bảng thiếu cột Cơ quan chủ trì, Thời gian thực hiện"),
    "csv without headers": ("kh.csv", "STT,Nội dung\n1,Rà soát\n".encode(),
                            "bảng thiếu cột Cơ quan chủ trì, Thời gian thực hiện"),
    "csv with no header at all": ("kh.csv", b"a,b,c\n1,2,3\n",
                                  "không tìm thấy dòng tiêu đề của bảng nhiệm vụ"),
    "tcvn3": ("kh.txt", TCVN3, "tệp dùng bảng mã TCVN3 (ABC); hãy chuyển sang Unicode"),
    "tcvn3 glyphs saved as utf-8": ("kh.txt", TCVN3.decode("latin-1").encode("utf-8"),
                                    "tệp dùng bảng mã TCVN3 (ABC)"),
    "vni": ("kh.txt", VNI, "tệp dùng bảng mã VNI; hãy chuyển sang Unicode"),
    "cp1258": ("kh.txt", CP1258, "tệp không phải văn bản UTF-8"),
    "no task table": ("kh.txt", "KẾ HOẠCH\nCải cách hành chính năm 2025\n".encode(),
                      "không tìm thấy bảng nhiệm vụ"),
    "bad review yaml": ("duyet.yaml", b"format: nhacviec-review/1\nplan: [\n",
                        "sai cú pháp YAML"),
}


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*")}


def nhacviec(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    environ.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
                   XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
                   PYTHONDONTWRITEBYTECODE="1", COLUMNS="100", **env)
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=120)


def assert_refused(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi: ") and fragment in lines[0], lines[0]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_in_one_line(case: str, tmp_path: Path):
    name, data, fragment = CASES[case]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "home").mkdir()
    before = snapshot(tmp_path)
    assert_refused(nhacviec(["plan", "parse", name, "--json"], tmp_path), fragment)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("case", ["pdf as text", "password docx", "tcvn3", "bad review yaml"])
def test_import_refuses_the_same_way(case: str, tmp_path: Path):
    name, data, fragment = CASES[case]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "home").mkdir()
    before = snapshot(tmp_path)
    assert_refused(nhacviec(["plan", "import", name], tmp_path), fragment)
    assert snapshot(tmp_path) == before


def test_a_50_mb_text_file_is_refused_by_its_size(tmp_path: Path):
    chunk = SEED.read_bytes()
    with open(tmp_path / "lon.txt", "wb") as f:
        while f.tell() < 50 * 1024 * 1024:
            f.write(chunk)
    result = nhacviec(["plan", "parse", "lon.txt"], tmp_path)
    assert_refused(result, "tệp quá lớn (50.0 MB, giới hạn 20 MB)")


def test_the_size_limit_is_configurable(tmp_path: Path):
    (tmp_path / "kh.txt").write_bytes(SEED.read_bytes() * 3)  # about 110 KB
    assert_refused(nhacviec(["plan", "parse", "kh.txt", "--max-mb", "0.05"], tmp_path),
                   "giới hạn 0.05 MB")
    assert_refused(nhacviec(["plan", "parse", "kh.txt"], tmp_path, NHACVIEC_MAX_PLAN_MB="0.05"),
                   "tệp quá lớn")


def test_a_missing_file(tmp_path: Path):
    assert_refused(nhacviec(["plan", "parse", "khong-co.txt"], tmp_path),
                   "không có tệp khong-co.txt")


def test_json_and_yaml_together(tmp_path: Path):
    (tmp_path / "kh.txt").write_bytes(SEED.read_bytes())
    assert_refused(nhacviec(["plan", "parse", "kh.txt", "--json", "--yaml"], tmp_path),
                   "chỉ chọn một trong hai: --json hoặc --yaml")


def test_the_size_check_reads_nothing(tmp_path: Path):
    """Refused from the file's size alone: a 50 MB plan never comes into memory."""
    import tracemalloc

    from core.errors import InputError
    from engine.directory.agencies import Directory
    from engine.intake.reader import read_plan
    from rules import WorkingCalendar

    directory, calendar = Directory.bundled(), WorkingCalendar.default()
    path = tmp_path / "lon.txt"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="tệp quá lớn"):
            read_plan(path, directory=directory, calendar=calendar)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024

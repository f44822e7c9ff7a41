"""The agency directory (config/agencies.yaml) and splitting/resolving agency cells."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ConfigError, NotFoundError
from engine.directory.agencies import Directory

DISTRICTS = {"ubnd-tp-soc-trang", "ubnd-tx-vinh-chau", "ubnd-tx-nga-nam", "ubnd-h-ke-sach",
             "ubnd-h-chau-thanh", "ubnd-h-long-phu", "ubnd-h-my-tu", "ubnd-h-my-xuyen",
             "ubnd-h-thanh-tri", "ubnd-h-tran-de", "ubnd-h-cu-lao-dung"}


@pytest.fixture(scope="module")
def d() -> Directory:
    return Directory.bundled()


def texts(d, cell):
    return [m.text for m in d.split_and_resolve(cell)]


def refs(d, cell):
    return [m.ref for m in d.split_and_resolve(cell)]


# --- splitting -------------------------------------------------------------------------------
@pytest.mark.parametrize(("cell", "expected"), [
    ("Sở Tư pháp Văn phòng UBND tỉnh", ["Sở Tư pháp", "Văn phòng UBND tỉnh"]),
    ("Sở Nội vụ; Sở Tư pháp, Sở Y tế và Công an tỉnh",
     ["Sở Nội vụ", "Sở Tư pháp", "Sở Y tế", "Công an tỉnh"]),
    ("- Công an tỉnh; - Sở Thông tin và Truyền thông",
     ["Công an tỉnh", "Sở Thông tin và Truyền thông"]),
    ("Sở Nội vụ\nSở Tài chính", ["Sở Nội vụ", "Sở Tài chính"]),
    ("• Sở Y tế • Sở Giáo dục và Đào tạo", ["Sở Y tế", "Sở Giáo dục và Đào tạo"]),
    ("Sở, ban, ngành", ["Sở, ban, ngành"]),
    ("Các cơ quan, đơn vị, địa phương", ["Các cơ quan, đơn vị, địa phương"]),
    ("Sở Khoa học và Công nghệ", ["Sở Khoa học và Công nghệ"]),
    ("Sở Văn hóa, Thể thao và Du lịch, Sở Khoa học và Công nghệ",
     ["Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ"]),
    ("Sở Lao động - Thương binh và Xã hội", ["Sở Lao động - Thương binh và Xã hội"]),
    ("UBND cấp huyện, cấp xã", ["UBND cấp huyện", "UBND cấp xã"]),
    ("Sở Y tế, Giáo dục và Đào tạo", ["Sở Y tế", "Sở Giáo dục và Đào tạo"]),
    ("Các sở, ngành tỉnh và cơ quan có liên quan; UBND cấp huyện, cấp xã",
     ["Các sở, ngành tỉnh và cơ quan có liên quan", "UBND cấp huyện", "UBND cấp xã"]),
    ("Sở, ban, ngành; UBND cấp huyện và các cơ quan có liên quan",
     ["Sở, ban, ngành", "UBND cấp huyện", "các cơ quan có liên quan"]),
    ("Công an tỉnh; Sở ban ngành, UBND cấp huyện, và các cơ quan có liên quan",
     ["Công an tỉnh", "Sở ban ngành", "UBND cấp huyện", "các cơ quan có liên quan"]),
])
def test_split(d, cell, expected):
    assert texts(d, cell) == expected


def test_trailing_role_text_goes_to_the_note(d):
    ms = d.split_and_resolve("Sở Nội vụ, các sở ngành, UBND cấp huyện đề xuất qua kết quả "
                             "đánh giá trải nghiệm")
    assert [m.text for m in ms] == ["Sở Nội vụ", "các sở ngành", "UBND cấp huyện"]
    assert ms[2].note == "đề xuất qua kết quả đánh giá trải nghiệm"
    assert set(ms[2].ids) == DISTRICTS and ms[2].kind == "group"
    ms = d.split_and_resolve("Sở Thông tin và Truyền thông, Văn phòng UBND tỉnh thẩm định, "
                             "chủ trì hoặc hướng dẫn thực hiện theo phân cấp")
    assert [m.text for m in ms] == ["Sở Thông tin và Truyền thông", "Văn phòng UBND tỉnh"]
    assert ms[1].note == "thẩm định, chủ trì hoặc hướng dẫn thực hiện theo phân cấp"
    assert ms[1].ids == ("vp-ubnd",)


def test_qualified_group_becomes_unspecific(d):
    [m] = d.split_and_resolve("Các cơ quan, đơn vị, địa phương đang tham gia hệ thống ISO")
    assert m.kind == "unspecific" and m.ids == () and "ISO" in m.note


def test_parenthesis_after_a_name_adds_to_it(d):
    [m] = d.split_and_resolve("UBND cấp huyện (kể cả cấp xã)")
    assert m.text == "UBND cấp huyện (kể cả cấp xã)"
    assert set(m.ids) == DISTRICTS | {"ubnd-cap-xa"}


def test_list_kept_in_another_document_is_one_unspecific_mention(d):
    cell = ("Các cơ quan, đơn vị được nêu tại Phụ lục III, Công văn số 3342/UBND -TTHC ngày "
            "15/10/2024 của Chủ tịch UBND tỉnh")
    [m] = d.split_and_resolve(cell)
    assert m.text == cell and m.kind == "unspecific" and m.ids == ()


def test_empty_cell(d):
    assert d.split_and_resolve("") == [] and d.split_and_resolve(" ; ") == []


# --- resolution ------------------------------------------------------------------------------
def test_aliases_and_accents(d):
    assert refs(d, "VP UBND tỉnh") == ["vp-ubnd"]
    assert refs(d, "Văn phòng Ủy ban nhân dân tỉnh") == ["vp-ubnd"]
    assert refs(d, "UBND tỉnh") == ["ubnd-tinh"]  # not an alias of the Văn phòng
    assert refs(d, "So Tu phap") == ["so-tu-phap"]
    assert refs(d, "Sở KH&ĐT") == ["so-ke-hoach-dau-tu"]
    assert refs(d, "Sở Nội vụ tỉnh") == ["so-noi-vu"]
    assert refs(d, "UBND TP. Sóc Trăng") == ["ubnd-tp-soc-trang"]
    assert refs(d, "Ủy ban nhân dân huyện Cù Lao Dung") == ["ubnd-h-cu-lao-dung"]
    assert not any(m.fuzzy for m in d.split_and_resolve("So Tu phap"))


def test_a_near_miss_is_a_suggestion_never_a_resolution(d):
    # Issue #19: a mention resolves only to a name or alias it writes; a typo is left as
    # written, with the close name offered to a person ("có phải: ...?").
    [m] = d.split_and_resolve("Sở Khoa học và Công nhệ")
    assert (m.ref, m.ids, m.kind) == (None, (), "unresolved")
    assert m.text == "Sở Khoa học và Công nhệ" and m.suggestions == ("so-khcn",)
    [m] = d.split_and_resolve("Sở Tài nguyên Môi trường")
    assert m.ref is None and m.suggestions[0] == "so-tnmt"


def test_unresolved_is_kept_verbatim_never_dropped(d):
    ms = d.split_and_resolve("Sở Ngoại vụ, Sở Y tế; Hội Nông dân tỉnh")
    assert [(m.text, m.kind) for m in ms] == [
        ("Sở Ngoại vụ", "unresolved"), ("Sở Y tế", "agency"), ("Hội Nông dân tỉnh", "unresolved")]
    assert ms[0].ids == () and ms[0].ref is None  # "Ngoại vụ" is not a typo of "Nội vụ"


def test_groups_expand(d):
    departments = set(d.members("so-ban-nganh"))
    assert {"so-tu-phap", "so-tttt", "vp-ubnd", "thanh-tra-tinh", "bql-kcn"} <= departments
    assert "cong-an-tinh" not in departments and "so-nnmt" not in departments
    for cell in ("Các sở, ban, ngành tỉnh", "Sở, ban, ngành", "Sở ban ngành", "các sở ngành"):
        [m] = d.split_and_resolve(cell)
        assert m.kind == "group" and set(m.ids) == departments, cell
    assert set(d.split_and_resolve("UBND cấp huyện")[0].ids) == DISTRICTS
    assert set(d.split_and_resolve("UBND các cấp")[0].ids) == DISTRICTS | {"ubnd-cap-xa"}
    everyone = set(d.split_and_resolve("Các cơ quan, đơn vị, địa phương")[0].ids)
    assert departments | DISTRICTS | {"cong-an-tinh", "cuc-thue"} <= everyone
    [m] = d.split_and_resolve("các cơ quan có liên quan")
    assert m.kind == "unspecific" and m.ids == () and m.text == "các cơ quan có liên quan"
    [m] = d.split_and_resolve("Các sở, ngành tỉnh và cơ quan có liên quan")
    assert m.kind == "group" and set(m.ids) == departments


# --- the directory ---------------------------------------------------------------------------
def test_directory_contents(d):
    assert d.monitor_id == "so-noi-vu" and d.get(d.monitor_id).name == "Sở Nội vụ"
    assert d.get(d.steering_id).name == "Ban Chỉ đạo CCHC tỉnh"
    assert {a.id for a in d if a.kind == "district"} == DISTRICTS
    assert d.get("vp-ubnd").name == "Văn phòng UBND tỉnh"
    for agency in d:
        for email in agency.emails:
            assert re.fullmatch(r"[\w.-]+@[\w.-]+\.example\.(org|com|net)", email), email
        assert agency.telegram_chat_ids == ()
    with pytest.raises(NotFoundError):
        d.get("so-khong-co")


def test_reporting_agencies(d):
    ids = {a.id for a in d.reporting_agencies()}
    assert ids >= DISTRICTS and {"so-tu-phap", "vp-ubnd", "cong-an-tinh", "kho-bac"} <= ids
    assert not ids & {"ubnd-tinh", "ban-chi-dao-cchc", "so-ban-nganh", "ubnd-cap-xa",
                      "so-nnmt", "doan-kiem-tra-cong-vu"}
    after = [a.id for a in d.reporting_agencies(on=dt.date(2025, 3, 1))]
    assert len(after) == len(set(after))
    assert not set(after) & {"so-tttt", "so-ke-hoach-dau-tu", "so-tnmt", "so-ldtbxh", "so-gtvt"}
    assert {"so-khcn", "so-tai-chinh", "so-nnmt", "so-dan-toc-ton-giao"} <= set(after)
    assert len(after) < len(ids)


def test_successor_chain(d):
    assert d.current("so-tttt", dt.date(2025, 2, 28)).id == "so-tttt"
    assert d.current("so-tttt", dt.date(2025, 3, 1)).id == "so-khcn"
    assert d.current("so-ke-hoach-dau-tu", dt.date(2025, 6, 1)).id == "so-tai-chinh"
    assert d.current("so-nnptnt", dt.date(2025, 6, 1)).id == "so-nnmt"
    assert d.current("so-tu-phap", dt.date(2025, 6, 1)).id == "so-tu-phap"


VALID = """
agencies:
  - {id: so-noi-vu, name: Sở Nội vụ, kind: department, role: monitor, reports: true}
  - {id: bcd, name: Ban Chỉ đạo CCHC tỉnh, kind: steering, role: steering}
  - {id: so-y-te, name: Sở Y tế, kind: department, reports: true}
"""


@pytest.mark.parametrize(("extra", "message"), [
    ("  - {id: nhom, name: Nhóm, kind: group, members: [so-khong-co]}", "«nhom».*so-khong-co"),
    ("  - {id: so-y-te, name: Sở Y tế 2, kind: department}", "«so-y-te».*trùng"),
    ("  - {id: so-khac, name: Sở Khác, kind: department, aliases: [Sở Nội vụ]}",
     "«so-khac».*Sở Nội vụ.*so-noi-vu"),
    ("  - {id: so-cu, name: Sở Cũ, kind: department, successor: so-moi, successor_from: "
     "2025-03-01}", "«so-cu».*so-moi"),
    ("  - {id: so-x, name: Sở X, kind: department, successor: so-x, successor_from: 2025-03-01}",
     "«so-x».*vòng"),
    ("  - {id: Sở Sai, name: Sở Sai, kind: department}", "«Sở Sai».*mã"),
    ("  - {id: so-z, name: Sở Z, kind: ministry}", "«so-z».*kind"),
    ("  - {id: so-z, name: Sở Z, kind: department, phone: 123}", "«so-z».*phone"),
    ("  - {id: so-z, name: Sở Z, kind: department, role: monitor}", "«so-z».*monitor"),
])
def test_directory_validation_errors_name_file_and_entry(tmp_path: Path, extra, message):
    path = tmp_path / "agencies.yaml"
    path.write_text(VALID + extra + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        Directory.load(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_directory_file_errors(tmp_path: Path):
    Directory.load(_write(tmp_path, VALID))  # the base is valid
    with pytest.raises(ConfigError, match="steering"):
        Directory.load(_write(tmp_path, VALID.replace("role: steering", "role: null")))
    with pytest.raises(ConfigError, match="YAML"):
        Directory.load(_write(tmp_path, "agencies: [\n"))
    with pytest.raises(ConfigError, match="agencies"):
        Directory.load(_write(tmp_path, "- a\n"))
    with pytest.raises(ConfigError, match="không có tệp"):
        Directory.load(tmp_path / "missing.yaml")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- `nhacviec agency list` ------------------------------------------------------------------
def nv(*args: str, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=60)


def test_agency_list_json_and_table():
    r = nv("agency", "list", "--json")
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)
    by_id = {x["id"]: x for x in items}
    assert by_id["so-tttt"]["successor"] == "so-khcn"
    assert by_id["so-tttt"]["successor_from"] == "2025-03-01"
    assert set(by_id["ubnd-cap-huyen"]["member_ids"]) == DISTRICTS
    r = nv("agency", "list", env={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    assert "Mã" in r.stdout and "Văn phòng UBND tỉnh" in r.stdout and "Báo cáo" in r.stdout


def test_agency_list_with_a_broken_directory_is_one_line_exit_3(tmp_path: Path):
    bad = _write(tmp_path, VALID + "  - {id: so-y-te, name: Trùng, kind: department}\n")
    r = nv("agency", "list", env={"NHACVIEC_AGENCIES": str(bad)})
    assert r.returncode == 3
    assert len(r.stderr.strip().splitlines()) == 1 and "so-y-te" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_place_after_a_name_is_the_directorys_own_or_nothing(d):
    # Issue #19: "Sở Tư pháp tỉnh Sóc Trăng" is the directory's Sở Tư pháp; "Cục Thuế tỉnh Hậu
    # Giang" is another province's office, never this directory's "Cục Thuế".
    assert refs(d, "Sở Tư pháp tỉnh Sóc Trăng") == ["so-tu-phap"]
    assert refs(d, "Sở Nội vụ thành phố Cần Thơ") == ["so-noi-vu"]  # the city from 01/7/2025
    [m] = d.split_and_resolve("Cục Thuế tỉnh Hậu Giang")
    assert (m.ref, m.ids, m.kind) == (None, (), "unresolved")
    [m] = d.split_and_resolve("Sở Nội vụ tỉnh Bạc Liêu")
    assert m.ref is None

"""A directory for any province (issue #19): `nhacviec agency init PLAN` drafts one from a plan's
mentions, `nhacviec agency check` says what it still lacks; the post-2025 template; the bundled
Sóc Trăng directory's successors from 01/7/2025."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from engine.directory.agencies import Directory
from engine.settings import bundled
from tests.test_plan_cli import nhacviec

ROOT = Path(__file__).parent / "data" / "real_plans"
HANOI = ROOT / "hanoi-310-5g-iot" / "hanoi-310-5g-iot.txt"
DONGTHAP = ROOT / "dongthap-552-cong-nghe-2035" / "dongthap-552-cong-nghe-2035.docx"
D = dt.date.fromisoformat


def _init(tmp_path: Path, plan: Path, *args: str) -> Path:
    r = nhacviec("agency", "init", str(plan), *args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "danh-ba.yaml"
    out.write_text(r.stdout, encoding="utf-8")
    return out


def test_init_drafts_each_agency_once_and_every_mention_resolves(tmp_path):
    draft = _init(tmp_path, HANOI)
    directory = Directory.load(draft)  # a valid directory as it is
    entries = {a.id: a for a in directory}
    names = [a.name for a in directory]
    assert len(names) == len(set(names))
    bql = next(a for a in directory if a.name.startswith("Ban Quản lý các khu công nghệ cao"))
    assert bql.kind == "provincial_body" and bql.emails == () and bql.reports
    assert entries["so-khcn"].kind == "department" and entries["so-khcn"].emails == ()
    assert directory.get(directory.monitor_id).name == "Sở Nội vụ"
    # A city's template names say "thành phố", not "tỉnh".
    assert "thành phố" in directory.get(directory.steering_id).name
    assert entries["ubnd-xa"].kind == "group"  # "UBND các phường, xã": the template's group
    assert next(a for a in directory if a.name == "Các doanh nghiệp viễn thông").kind == (
        "collective")
    # Every agency the plan names now resolves: nothing left "Không nhận ra".
    r = nhacviec("plan", "parse", str(HANOI), cwd=tmp_path, NHACVIEC_AGENCIES=str(draft))
    assert r.returncode == 0, r.stderr
    assert "Không nhận ra cơ quan" not in " ".join(r.stdout.split())


def test_init_keeps_the_template_name_for_a_spelling_variant(tmp_path):
    draft = _init(tmp_path, DONGTHAP, "--province", "Đồng Tháp")
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))["agencies"]
    vhttdl = [a for a in data if "Văn hóa" in a["name"] or "Văn hoá" in a["name"]]
    assert [a["id"] for a in vhttdl] == ["so-vhttdl"]  # one entry, not a second department
    assert "Sở Văn hoá Thể thao du lịch" in vhttdl[0]["aliases"]
    assert "Ban Chỉ đạo CCHC tỉnh Đồng Tháp" in next(
        a for a in data if a["id"] == "ban-chi-dao-cchc")["aliases"]
    kinds = {a["name"]: a["kind"] for a in data}
    assert kinds["Viện, Trường"] == "collective"
    assert kinds["Sở, ban, ngành có liên quan"] == "unspecific"
    assert kinds["Liên hiệp các Hội Khoa học và Kỹ thuật"] == "body"


def test_check_says_what_is_missing_with_an_exit_status(tmp_path):
    draft = _init(tmp_path, HANOI)
    r = nhacviec("agency", "check", str(draft), cwd=tmp_path)
    assert r.returncode == 1
    assert "«Sở Khoa học và Công nghệ»: chưa có địa chỉ" in r.stdout
    assert "«UBND các xã, phường, đặc khu»: nhóm chưa có thành viên" in r.stdout
    # Fill every address and list one ward: nothing missing any more.
    text = draft.read_text(encoding="utf-8").replace(
        "emails: []", "emails: [vanthu@so.hanoi.gov.vn]")
    text += ("  - id: ubnd-phuong-ba-dinh\n    name: UBND phường Ba Đình\n    kind: commune\n"
             "    reports: true\n    emails: [vanthu@badinh.hanoi.gov.vn]\n")
    draft.write_text(text, encoding="utf-8")
    r = nhacviec("agency", "check", str(draft), cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert "Đủ thông tin" in r.stdout


def test_check_of_the_bundled_directory_flags_its_placeholders(tmp_path):
    r = nhacviec("agency", "check", cwd=tmp_path)
    assert r.returncode == 1
    assert "địa chỉ mẫu" in r.stdout and "UBND các xã, phường thành phố Cần Thơ" in r.stdout


def test_check_of_a_broken_file_is_one_line_exit_3(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("agencies: [\n", encoding="utf-8")
    r = nhacviec("agency", "check", str(bad), cwd=tmp_path)
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1


def test_the_template_holds_the_twelve_departments_of_decree_150():
    t = Directory.load(bundled("agencies_template_2025.yaml"))
    departments = {a.name for a in t if a.kind == "department"}
    assert departments == {
        "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Công Thương",
        "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Khoa học và Công nghệ",
        "Sở Văn hóa, Thể thao và Du lịch", "Sở Giáo dục và Đào tạo", "Sở Y tế",
        "Thanh tra tỉnh", "Văn phòng UBND tỉnh"}
    text = bundled("agencies_template_2025.yaml").read_text(encoding="utf-8")
    assert "Nghị định 150/2025/NĐ-CP" in text
    for optional in ("Sở Ngoại vụ", "Sở Dân tộc và Tôn giáo", "Sở Du lịch",
                     "Sở Quy hoạch - Kiến trúc"):
        assert optional in text  # listed, for the provinces that have them
    [m] = t.split_and_resolve("UBND các xã, phường, đặc khu")
    assert (m.ref, m.kind) == ("ubnd-xa", "group")


# --- the Sóc Trăng directory after 01/7/2025 -------------------------------------------------
@pytest.fixture(scope="module")
def st() -> Directory:
    return Directory.bundled()


def test_districts_end_on_1_july_2025_and_their_communes_take_over(st):
    assert st.current("ubnd-h-ke-sach", D("2025-06-30")).id == "ubnd-h-ke-sach"
    assert st.current("ubnd-h-ke-sach", D("2025-07-01")).id == "ubnd-xa-can-tho"
    assert st.holders("ubnd-h-ke-sach", D("2025-06-30")) == ["ubnd-h-ke-sach"]
    assert st.holders("ubnd-h-ke-sach", D("2025-07-01")) == []  # nobody listed yet
    assert st.current("ubnd-tinh", D("2025-07-01")).name == "UBND thành phố Cần Thơ"
    # The departments continue as the city's (same office): no successor.
    assert st.current("so-noi-vu", D("2026-01-05")).id == "so-noi-vu"
    text = bundled("agencies.yaml").read_text(encoding="utf-8")
    for decision in ("Nghị quyết 202/2025/QH15", "72/2025/QH15", "1668/NQ-UBTVQH15",
                     "Nghị định 150/2025/NĐ-CP"):
        assert decision in text
    # A 2026 plan's "UBND các xã, phường, đặc khu" is the commune level, never the districts.
    [m] = st.split_and_resolve("UBND các xã, phường, đặc khu")
    assert m.ref == "ubnd-xa-can-tho"


def test_communes_the_officer_lists_receive_the_districts_work(tmp_path):
    text = bundled("agencies.yaml").read_text(encoding="utf-8")
    text += ("  - id: ubnd-xa-ke-sach\n    name: UBND xã Kế Sách\n    kind: commune\n"
             "    valid_from: 2025-07-01\n    reports: true\n"
             "    emails: [vanthu@ks.example.org]\n")
    path = tmp_path / "agencies.yaml"
    path.write_text(text, encoding="utf-8")
    d = Directory.load(path)
    assert d.holders("ubnd-h-ke-sach", D("2025-07-01")) == ["ubnd-xa-ke-sach"]
    assert d.holders("ubnd-h-ke-sach", D("2025-06-30")) == ["ubnd-h-ke-sach"]
    senders = d.report_senders(D("2025-09-18"))
    assert "ubnd-xa-ke-sach" in senders and "ubnd-h-ke-sach" not in senders
    assert "ubnd-h-ke-sach" in d.report_senders(D("2025-06-18"))

"""The web desk's security: an agency's link opens only that agency; tampered or rotated tokens
open nothing; the Steering Committee's viewer account posts nothing; a form without its CSRF
token is refused; evidence files are checked by content, size and name; what a plan says is
shown as text, never as markup."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from engine.planning.planner import plan_plan
from engine.storage.models import Completion, Deadline, Duty, Evidence, Plan, Task
from engine.tracking.plan_store import store_plan
from engine.web import evidence
from tests.plan_factory import D, plan, task
from tests.web_support import VIEWER, make_desk, seed_plan

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def _two_agencies(desk) -> dict[str, int]:
    """Two tasks of two agencies, both late on 20/03/2025; returns their deadline ids."""
    rt = desk.rt
    with rt.session() as s:
        summary = store_plan(s, plan([
            task("Cải cách TTHC", "1", lead=["so-tu-phap"], dues=["2025-02-28"],
                 title="Rà soát văn bản quy phạm pháp luật"),
            task("Cải cách TTHC", "2", lead=["so-y-te"], dues=["2025-02-28"],
                 title="Chuẩn hóa quy trình khám chữa bệnh"),
        ]), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-02"), fresh=True)
        s.commit()
        return dict(s.execute(select(Duty.agency_id, Deadline.id).join(
            Deadline, Deadline.id == Duty.deadline_id)).all())


def _completions(desk) -> int:
    with desk.rt.session() as s:
        return s.scalar(select(func.count()).select_from(Completion))


def test_an_agency_link_opens_only_its_agency(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    ids = _two_agencies(desk)
    mine, other = desk.link("so-tu-phap"), desk.link("so-y-te")
    page = desk.client.get(mine).text
    assert "Rà soát văn bản quy phạm pháp luật" in page
    assert "Chuẩn hóa quy trình khám chữa bệnh" not in page and "Sở Y tế" not in page
    # Another agency's deadline id in this agency's form: refused, nothing recorded.
    r = desk.post(f"{mine}/hoan-thanh", mine, data={"deadline_id": str(ids["so-y-te"]),
                                                    "document_no": "1/BC"})
    assert r.status_code == 404 and _completions(desk) == 0
    # Its evidence and explanation routes answer nothing of the other agency either.
    r = desk.post(f"{other}/hoan-thanh", other, data={"deadline_id": str(ids["so-y-te"]),
                                                      "document_no": "2/BC"},
                  files={"file": ("bc.pdf", PDF)})
    assert r.status_code == 200 and _completions(desk) == 1
    with desk.rt.session() as s:
        e = s.scalars(select(Evidence)).one()
    assert desk.client.get(f"{mine}/minh-chung/{e.id}").status_code == 404
    assert desk.client.get(f"{other}/minh-chung/{e.id}").content == PDF
    r = desk.post(f"{mine}/giai-trinh", mine, data={"request_id": "1", "text": "x"})
    assert r.status_code == 404


@pytest.mark.parametrize("bad", ["tampered", "other-signature", "rotated", "random", "no-dot"])
def test_a_wrong_token_sees_nothing(sqlite_url, tmp_path, bad) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    _two_agencies(desk)
    good = desk.link("so-tu-phap")
    agency, sig = good.removeprefix("/co-quan/").split(".", 1)
    if bad == "tampered":
        token = f"{agency}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    elif bad == "other-signature":  # Sở Y tế's signature on the Sở Tư pháp's name
        token = f"{agency}.{desk.link('so-y-te').split('.', 1)[1]}"
    elif bad == "rotated":
        desk.login()
        desk.post("/danh-ba/so-tu-phap/doi-lien-ket", "/danh-ba")
        token = f"{agency}.{sig}"
    elif bad == "random":
        token = "so-tu-phap.c29tZXRoaW5nLXJhbmRvbS1oZXJl"
    else:
        token = "so-tu-phap"
    r = desk.client.get(f"/co-quan/{token}")
    assert r.status_code == 404
    assert "Rà soát văn bản" not in r.text and "Sở Tư pháp" not in r.text
    r = desk.post(f"/co-quan/{token}/hoan-thanh", "/dang-nhap",
                  data={"deadline_id": "1", "document_no": "1/BC"})
    assert r.status_code == 404 and _completions(desk) == 0


def test_the_viewer_reads_everything_and_posts_nothing(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    plan_id = seed_plan(desk)
    desk.login(VIEWER)
    for url in ("/", "/ke-hoach", f"/ke-hoach/{plan_id}", "/lich-gui", "/nhat-ky-gui",
                "/danh-ba", "/nhiem-vu/1", "/co-quan-xem/vp-ubnd"):
        r = desk.client.get(url)
        assert r.status_code == 200, url
        assert "Đóng kế hoạch" not in r.text and "Gửi lại</button>" not in r.text
    from engine.settings import bundled

    posts = [(f"/ke-hoach/{plan_id}/dong", {}), (f"/ke-hoach/{plan_id}/mo-lai", {}),
             ("/danh-ba/vp-ubnd/doi-lien-ket", {}), ("/nhat-ky-gui/1/gui-lai", {}),
             ("/nhiem-vu/1/huy-hoan-thanh", {"completion_id": "1"}),
             ("/ke-hoach/duyet/abc/nhap", {}), ("/ke-hoach/duyet/abc/nhiem-vu/0", {}),
             ("/ke-hoach/duyet/abc/thong-tin", {}), ("/ke-hoach/duyet/abc/huy", {})]
    for url, data in posts:
        r = desk.post(url, "/", data=data)
        assert r.status_code == 403, url
        assert "chỉ xem" in r.text
    r = desk.post("/ke-hoach/tai-len", "/", files={
        "file": ("kh.txt", bundled("demo_plan_2025.txt").read_bytes())})
    assert r.status_code == 403
    with desk.rt.session() as s:
        assert s.get(Plan, plan_id).closed_at is None


def test_a_form_without_its_csrf_token_is_refused(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    ids = _two_agencies(desk)
    link = desk.link("so-tu-phap")
    desk.client.get(link)  # a session exists, with its token
    for data in ({}, {"csrf_token": "forged"}):
        r = desk.client.post(f"{link}/hoan-thanh", data={
            "deadline_id": str(ids["so-tu-phap"]), "document_no": "1/BC", **data})
        assert r.status_code == 403 and "chống giả mạo" in r.text
    assert _completions(desk) == 0
    # The login form too: no session is opened.
    r = desk.client.post("/dang-nhap", data={"login": "sonoivu", "password": "x" * 20})
    assert r.status_code == 403
    desk.login()
    r = desk.client.post("/danh-ba/so-tu-phap/doi-lien-ket", data={})
    assert r.status_code == 403
    assert desk.client.get(link).status_code == 200  # not rotated


def _docx() -> bytes:
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "why"), [
    ("bao-cao.pdf", ELF, "phải là PDF, DOCX, XLSX, JPG hoặc PNG"),
    ("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 100, "phải là PDF, DOCX, XLSX, JPG hoặc PNG"),
    ("../../etc/bao-cao.pdf", PDF, "không được chứa đường dẫn"),
    ("..\\bao-cao.pdf", PDF, "không được chứa đường dẫn"),
    ("bao-cao.pdf", PDF + b"0" * 12_000, "quá lớn"),
    ("bao-cao.docx", _zip({"[Content_Types].xml": b"<x/>", "evil.sh": b"rm -rf /"}),
     "phải là PDF, DOCX"),
    ("bao-cao.docx", PDF, "mang phần mở rộng khác"),
])
def test_bad_evidence_is_refused_and_nothing_is_recorded(sqlite_url, tmp_path, name, data,
                                                         why) -> None:
    desk = make_desk(sqlite_url, tmp_path, web_max_upload_mb=0.01)  # 10 KB
    ids = _two_agencies(desk)
    link = desk.link("so-tu-phap")
    r = desk.post(f"{link}/hoan-thanh", link, data={"deadline_id": str(ids["so-tu-phap"]),
                                                    "document_no": "1/BC"},
                  files={"file": (name, data)})
    assert r.status_code == 400 and why in r.text
    assert _completions(desk) == 0
    assert not (tmp_path / "files").exists() or not any((tmp_path / "files").rglob("*.*"))


def test_good_evidence_kinds_by_content() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    jpg = b"\xff\xd8\xff\xe0" + b"\x00" * 20
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    for name, data, kind in (("a.pdf", PDF, "pdf"), ("a.PNG", png, "png"),
                             ("a.jpeg", jpg, "jpg"), ("a.docx", _docx(), "docx"),
                             ("Báo cáo.xlsx", out.getvalue(), "xlsx")):
        assert evidence.check(name, data, 10**6).kind == kind


def test_what_a_plan_says_is_shown_as_text(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    rt = desk.rt
    with rt.session() as s:
        summary = store_plan(s, plan([task("Cải cách <b>TTHC</b>", "1", lead=["so-tu-phap"],
                                           dues=["2025-04-30"],
                                           title="<script>alert('x')</script> Rà soát")]),
                             rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-02"), fresh=True)
        tid = s.scalars(select(Task.id)).one()
        s.commit()
    desk.login()
    for url in (f"/nhiem-vu/{tid}", desk.link("so-tu-phap"), "/lich-gui?tu=2025-04-23",
                f"/ke-hoach/{summary.plan_id}"):
        html = desk.client.get(url).text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Rà soát" in html, url
        assert "<script>alert" not in html and "<b>TTHC</b>" not in html


def test_a_tampered_session_cookie_or_a_removed_account_opens_nothing(sqlite_url,
                                                                     tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path)
    desk.login()
    assert desk.client.get("/", follow_redirects=False).status_code == 200
    cookie = desk.client.cookies.get("nhacviec_phien")
    desk.client.cookies.set("nhacviec_phien", cookie[:-3] + ("xyz" if cookie[-3:] != "xyz"
                                                             else "abc"))
    assert desk.client.get("/", follow_redirects=False).status_code == 303
    desk.client.cookies.clear()
    desk.login()
    from engine.web.users import remove_user

    with desk.rt.session() as s:
        remove_user(s, "sonoivu")
        s.commit()
    assert desk.client.get("/", follow_redirects=False).status_code == 303
    assert re.search("Đăng nhập", desk.client.get("/").text)


def test_a_body_larger_than_any_form_is_refused_unread(sqlite_url, tmp_path) -> None:
    desk = make_desk(sqlite_url, tmp_path, web_max_upload_mb=1)
    r = desk.client.post("/dang-nhap", content=b"x" * (22 * 1024 * 1024),
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "quá lớn" in r.text

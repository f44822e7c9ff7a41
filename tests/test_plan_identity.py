"""No plan number, no silent default (issue #19): a file without its number, date and issuer is
parsed and shown, but imported only once a person supplies them (`--number --date --issuer`, or
the review file); no message ever names the file; a one-row CSV owes no report."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import yaml

from tests.test_plan_cli import nhacviec

CSV = "STT,Nội dung,Cơ quan chủ trì,Thời gian thực hiện\n1,Rà soát thủ tục,Sở Tư pháp,Quý I/2027\n"
GIVEN = ("--number", "12/KH-UBND", "--date", "2026-01-05", "--issuer", "UBND tỉnh Hậu Giang")


def _setup(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    plan = tmp_path / "kh2026.csv"
    plan.write_text(CSV, encoding="utf-8")
    env = {"NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'nv.db'}",
           "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox")}
    return plan, env


def _plans(tmp_path: Path) -> list[tuple]:
    db = tmp_path / "nv.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT number, issued_on, issuer FROM plan").fetchall()
        except sqlite3.OperationalError:
            return []


def test_parse_shows_what_it_found_and_what_is_missing(tmp_path):
    plan, env = _setup(tmp_path)
    r = nhacviec("plan", "parse", str(plan), cwd=tmp_path, **env)
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "(không rõ số)" in out and "--number" in out and "--date" in out
    assert "Báo cáo định kỳ: kế hoạch không nêu; không lập kỳ báo cáo nào." in out
    data = json.loads(nhacviec("plan", "parse", str(plan), "--json", cwd=tmp_path,
                               **env).stdout)
    assert (data["plan"]["number"], data["plan"]["date"], data["plan"]["issuer"]) == (
        None, None, None)
    assert data["plan"]["year"] == 2027 and data["report_cycle"]["periods"] == []


def test_import_without_number_is_refused_and_changes_nothing(tmp_path):
    plan, env = _setup(tmp_path)
    r = nhacviec("plan", "import", str(plan), cwd=tmp_path, **env)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--number" in lines[0] and "--date" in lines[0]
    assert "kh2026.csv" not in lines[0] and "Traceback" not in r.stderr
    assert _plans(tmp_path) == []


def test_import_with_the_number_supplied_and_no_message_names_the_file(tmp_path):
    plan, env = _setup(tmp_path)
    r = nhacviec("plan", "import", str(plan), *GIVEN, cwd=tmp_path, **env)
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "12/KH-UBND" in text and "0 kỳ báo cáo, 0 nghĩa vụ báo cáo" in text
    assert _plans(tmp_path) == [("12/KH-UBND", "2026-01-05", "UBND tỉnh Hậu Giang")]
    # The reminder five working days before 31/03/2027 (Wednesday 24/03) names the plan by its
    # number, never by the file.
    r = nhacviec("dispatch", "--now", "2027-03-24T08:00:00+07:00", cwd=tmp_path, **env)
    assert r.returncode == 0, r.stderr
    mails = list((tmp_path / "outbox").rglob("*.eml"))
    assert mails
    for mail in mails:
        raw = mail.read_bytes()
        assert b"kh2026" not in raw
    assert any("12/KH-UBND" in _text(m) for m in mails)


def _text(path: Path) -> str:
    import email
    from email import policy

    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    parts = [msg.get("Subject", "")]
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            parts.append(part.get_content())
    return " ".join(parts)


def test_the_review_file_supplies_them(tmp_path):
    plan, env = _setup(tmp_path)
    r = nhacviec("plan", "parse", str(plan), "--yaml", cwd=tmp_path, **env)
    assert r.returncode == 0, r.stderr
    review = tmp_path / "kh.yaml"
    data = r.stdout.replace("  number: null\n", "  number: 12/KH-UBND\n").replace(
        "  date: null\n", "  date: 2026-01-05\n").replace(
        "  issuer: null\n", "  issuer: UBND tỉnh Hậu Giang\n")
    assert yaml.safe_load(data.split("format: nhacviec-review/1", 1)[1])["plan"]["number"] == (
        "12/KH-UBND")
    review.write_text(data, encoding="utf-8")
    r = nhacviec("plan", "import", str(review), cwd=tmp_path, **env)
    assert r.returncode == 0, r.stderr
    assert _plans(tmp_path) == [("12/KH-UBND", "2026-01-05", "UBND tỉnh Hậu Giang")]


def test_a_bad_date_is_one_line(tmp_path):
    plan, env = _setup(tmp_path)
    r = nhacviec("plan", "import", str(plan), "--number", "12/KH-UBND", "--date", "31/02/2026",
                 "--issuer", "UBND tỉnh Hậu Giang", cwd=tmp_path, **env)
    assert r.returncode == 2 and "--date" in r.stderr and len(r.stderr.strip().splitlines()) == 1

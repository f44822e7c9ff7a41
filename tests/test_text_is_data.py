"""Text people wrote is data, never markup or layout (issue 18, point 7).

Through the real commands: a plan whose title and tasks hold "[/KH-UBND]", "[b]" and
"[kèm theo ...]" (Rich markup: a MarkupError stopped `plan parse` and `plan import` with exit 1,
"[b]" turned text bold, "[kèm theo ...]" vanished), an agency directory whose name holds the
same and an emoji code (it broke `agency list`, `status`, `tasks`; ":thumbs_up:" became 👍);
then right-to-left overrides and control characters in a plan, a review file and the
directory: removed, and the review says where.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from engine.settings import bundled

MARKUP = "[/KH-UBND] [b]đậm[/b] [kèm theo phụ lục]"
EMOJI_CODE = ":thumbs_up:"  # rich's emoji codes: printed as written, never as a picture
RLO, PDF, BEL = "\u202e", "\u202c", "\x07"
SEED = bundled("demo_plan_2025.txt").read_text(encoding="utf-8")


def nhacviec(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    environ.update(HOME=str(cwd), XDG_DATA_HOME=str(cwd / "data"), COLUMNS="250",
                   NHACVIEC_DATABASE_URL=f"sqlite:///{cwd / 'kh.sqlite'}",
                   NHACVIEC_AGENCIES=str(cwd / "agencies.yaml"), **env)
    result = subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=cwd, env=environ,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr
    return result


def directory_with(cwd: Path) -> None:
    """The bundled directory, Sở Tư pháp named with markup (its old name kept as an alias, so
    the plan still finds it), Sở Tài chính with a right-to-left override in its name."""
    raw = yaml.safe_load(bundled("agencies.yaml").read_text(encoding="utf-8"))
    for entry in raw["agencies"]:
        if entry["id"] == "so-tu-phap":
            entry["aliases"] = [*entry.get("aliases", []), entry["name"]]
            entry["name"] = f"Sở Tư pháp {MARKUP} {EMOJI_CODE}"
        if entry["id"] == "so-tai-chinh":
            entry["name"] = f"Sở Tài {RLO}chính{PDF}"
    (cwd / "agencies.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True),
                                       encoding="utf-8")


def plan_with_markup(cwd: Path) -> Path:
    text = SEED.replace("Thực hiện cải cách hành chính năm 2025",
                        f"Thực hiện cải cách hành chính {MARKUP} năm 2025", 1)
    text = text.replace("1.1. Ban hành Kế hoạch", f"1.1. Ban hành Kế hoạch {MARKUP}", 1)
    path = cwd / "kh.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_markup_in_titles_and_names_is_printed_as_written(tmp_path: Path):
    directory_with(tmp_path)
    plan_with_markup(tmp_path)
    parsed = nhacviec(["plan", "parse", "kh.txt"], tmp_path).stdout
    assert f"Thực hiện cải cách hành chính {MARKUP} năm 2025" in parsed
    imported = nhacviec(["plan", "import", "kh.txt"], tmp_path).stdout
    assert f"Thực hiện cải cách hành chính {MARKUP} năm 2025" in imported
    assert "Đã lưu kế hoạch mới 196/KH-UBND" in imported

    listed = nhacviec(["agency", "list"], tmp_path).stdout
    assert f"Sở Tư pháp {MARKUP}" in listed
    assert f"Sở Tư pháp {MARKUP} {EMOJI_CODE}" in listed
    status = nhacviec(["status", "--as-of", "2025-06-30"], tmp_path).stdout
    assert f"Sở Tư pháp {MARKUP} {EMOJI_CODE}" in status
    # The task table folds long cells over lines: the start of each, as written.
    tasks = nhacviec(["tasks"], tmp_path).stdout
    assert "Ban hành Kế hoạch [/KH-UBND] [b]đậm[/b]" in tasks
    mine = nhacviec(["tasks", "--agency", "so-tu-phap"], tmp_path).stdout
    assert "Sở Tư pháp [/KH-UBND] [b]đậm[/b]" in mine

    linked = nhacviec(["telegram", "link", "so-tu-phap", "--chat-id", "-1001"], tmp_path)
    assert f"Sở Tư pháp {MARKUP}" in linked.stdout
    links = nhacviec(["telegram", "links"], tmp_path).stdout
    assert f"Sở Tư pháp {MARKUP}" in links


def test_right_to_left_and_control_characters_are_removed_and_said(tmp_path: Path):
    directory_with(tmp_path)
    text = SEED.replace("1.2. Báo cáo kết quả thực hiện",
                        f"1.2. Báo cáo {RLO}kết quả{PDF} thực hiện{BEL}", 1)
    (tmp_path / "kh.txt").write_text(text, encoding="utf-8")
    review = nhacviec(["plan", "parse", "kh.txt", "--yaml"], tmp_path).stdout
    assert RLO not in review and BEL not in review and PDF not in review
    data = yaml.safe_load(review)
    line = SEED.splitlines().index(next(x for x in SEED.splitlines()
                                        if "1.2. Báo cáo kết quả thực hiện" in x)) + 1
    [task] = [t for t in data["tasks"] if t["source_line"] == line]
    assert task["title"] == "Báo cáo kết quả thực hiện"
    [said] = [w for w in data["warnings"] if "đã bỏ" in w]
    assert said == (f"Dòng {line}, cột nội dung: đã bỏ ký tự đảo chiều chữ U+202E, U+202C và "
                    "ký tự điều khiển U+0007 khỏi «1.2. Báo cáo kết quả thực hiện».")
    summary = nhacviec(["plan", "parse", "kh.txt"], tmp_path).stdout
    assert said in summary  # the summary's list of what a person should check

    # The review file edited by hand: an override typed into another title.
    edited = review.replace("title: Ban hành Kế hoạch", f"title: Ban hành {RLO}Kế hoạch", 1)
    (tmp_path / "duyet.yaml").write_text(edited, encoding="utf-8")
    at = edited.splitlines().index(next(x for x in edited.splitlines() if RLO in x)) + 1
    imported = nhacviec(["plan", "import", "duyet.yaml"], tmp_path).stdout
    assert (f"Dòng {at} của tệp duyệt: đã bỏ ký tự đảo chiều chữ U+202E khỏi «title: Ban "
            "hành Kế hoạch") in imported
    stored = json.loads(nhacviec(["tasks", "--json"], tmp_path).stdout)
    titles = [t["title"] for t in stored]
    assert "Ban hành Kế hoạch" in titles and "Báo cáo kết quả thực hiện" in titles
    assert not any(ch in t for t in titles for ch in (RLO, PDF, BEL))

    # What a person types when recording: kept without them too.
    nhacviec(["done", "Cải cách TTHC/1.1", "--agency", "vp-ubnd", "--date", "2025-01-20",
              "--doc", f"45{RLO}/BC-VP", "--note", f"xong{BEL}"], tmp_path)
    with sqlite3.connect(tmp_path / "kh.sqlite") as db:
        assert db.execute("SELECT document_no, note FROM completion").fetchall() == [
            ("45/BC-VP", "xong")]

    # The directory: names as the emails will quote them.
    listed = nhacviec(["agency", "list", "--json"], tmp_path).stdout
    [finance] = [a for a in json.loads(listed) if a["id"] == "so-tai-chinh"]
    assert finance["name"] == "Sở Tài chính"

"""Tables that fit (issue 17): at 80 columns nothing is cut off or dropped silently.

The seed plan is imported into a SQLite file through the real CLI; `status`, `tasks` and
`agency list` run with COLUMNS=80 (and a very narrow 50), and every line must fit, every
agency and every column (or its abbreviation, with a legend) must be there, every address
whole, and a long title cut at a word with "…".
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.formatting import shorten
from engine.directory.agencies import Directory
from engine.settings import bundled
from engine.tracking.status import STATUSES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("narrow")
    url = f"sqlite:///{folder / 'seed.sqlite'}"
    r = cli(url, 200, "plan", "import", str(bundled("demo_plan_2025.txt")))
    assert r.returncode == 0, r.stderr
    return url


def cli(url: str, columns: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NHACVIEC_DATABASE_URL": url, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_status_at_80_columns_keeps_every_column(seed_db):
    r = cli(seed_db, 80, "status", "--as-of", "2025-06-30")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert widest(out) <= 80
    header = next(line for line in out.splitlines() if "Cơ quan" in line)
    for abbr in ("QH", "SĐH", "CĐH", "CSK", "CXĐ", "HTQH", "HTĐH", "%HT", "%ĐH"):
        assert re.search(rf"(^|\s){abbr}(\s|$)", header), abbr
    legend = " ".join(out.split())
    for st in STATUSES:
        assert st.vi in legend  # the legend says each in full
    assert "%ĐH: tỷ lệ đúng hạn" in legend
    # Every agency of the table, whole (names wrap, never cut).
    wide = cli(seed_db, 200, "status", "--as-of", "2025-06-30", "--json").stdout
    import json

    names = [a["name"] for a in json.loads(wide)["agencies"]]
    flat = " ".join(out.split())
    for name in names:
        assert all(word in flat for word in name.split()), name
    rows = [line for line in out.splitlines() if re.match(r"^\s*\d+\s", line)]
    assert len(rows) == len(names)


def test_status_on_a_very_narrow_terminal_is_a_list(seed_db):
    out = cli(seed_db, 50, "status", "--as-of", "2025-06-30").stdout
    assert widest(out) <= 50
    assert "1. " in out and "hoàn thành" in out and "đúng hạn" in out and "┃" not in out


def test_status_wide_is_the_full_table(seed_db):
    out = cli(seed_db, 220, "status", "--as-of", "2025-06-30").stdout
    for st in STATUSES:
        assert st.vi in out
    assert "Tỷ lệ hoàn thành" in out and "QH:" not in out


def test_agency_list_at_80_columns_shows_whole_addresses():
    url = "sqlite:///:memory:"
    r = cli(url, 80, "agency", "list")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert widest(out) <= 80 and "…" not in out
    directory = Directory.load(bundled("agencies.yaml"))
    words = set(out.split())
    for a in directory:
        assert a.id in words, a.id
        for email in a.emails:
            assert email in words, email


def test_tasks_at_80_columns_cut_titles_at_a_word(seed_db):
    r = cli(seed_db, 80, "tasks")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "…" in out  # the seed has titles over 80 characters
    for line in out.splitlines():
        for m in re.finditer(r"(\S+)…", line):
            # The word before "…" is a whole word of some title: never cut inside a word.
            assert re.fullmatch(r"[\wÀ-ỹ/.,()%-]+", m[1]), line
    wide = cli(seed_db, 300, "tasks", "--json").stdout
    import json

    for t in json.loads(wide):
        title = shorten(t["title"], 80)
        assert title.removesuffix("…") in " ".join(out.split()) or title[:30] in out


def test_shorten_cuts_at_a_word():
    text = "Rà soát các quy định Nghị định, Thông tư có liên quan đến lĩnh vực quản lý"
    assert shorten(text, 200) == text
    assert shorten(text, 30) == "Rà soát các quy định Nghị…"
    assert len(shorten(text, 30)) <= 30
    assert shorten("Siêudàikhôngcókhoảngtrắng" * 3, 10) == "Siêudàikh…"

"""`nhacviec plan parse/import` through the real command (contract section 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.intake.review import from_yaml
from engine.settings import bundled

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_d4f10401d282f57e.txt"
DEMO = bundled("demo_plan_2025.txt")
TOP_KEYS = {"plan", "report_cycle", "tasks", "warnings"}
PLAN_KEYS = {"number", "date", "issuer", "year", "title"}
TASK_KEYS = {"group", "code", "parent", "leaf", "title", "product", "lead", "support",
             "lead_agencies", "support_agencies", "timing", "kind", "due", "deadlines", "warnings"}


def nhacviec(*args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    # The user's cache directory (the `holidays` library's days kept per year) lies outside
    # the folder a test watches: "parse writes nothing" is about the data and the work folder.
    env.update(HOME=str(cwd), XDG_DATA_HOME=str(cwd / "data"), PYTHONDONTWRITEBYTECODE="1",
               XDG_CACHE_HOME=str(cwd.parent / f"{cwd.name}-cache"), COLUMNS="120", **extra)
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def seed_json(tmp_path_factory) -> dict:
    cwd = tmp_path_factory.mktemp("parse")
    result = nhacviec("plan", "parse", str(DEMO), "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert list(cwd.iterdir()) == []  # parse writes nothing
    return json.loads(result.stdout)  # one JSON object, nothing else on stdout


def test_the_demo_plan_is_the_seed_byte_for_byte():
    if SEED.exists():
        assert DEMO.read_bytes() == SEED.read_bytes()
    assert DEMO.stat().st_size > 30_000


def test_parse_json_has_the_contract_keys_and_71_leaves(seed_json: dict):
    assert set(seed_json) >= TOP_KEYS
    assert set(seed_json["plan"]) >= PLAN_KEYS
    assert seed_json["plan"]["number"] == "196/KH-UBND"
    assert seed_json["plan"]["date"] == "2024-12-23" and seed_json["plan"]["year"] == 2025
    assert seed_json["report_cycle"]["day"] == 18
    assert [p["deadline"] for p in seed_json["report_cycle"]["periods"]] == [
        "2025-03-18", "2025-06-18", "2025-09-18", "2025-12-18"]
    assert {"name", "from", "to", "deadline"} <= set(seed_json["report_cycle"]["periods"][0])
    for t in seed_json["tasks"]:
        assert set(t) >= TASK_KEYS, t["code"]
        assert all(set(d) >= {"due", "label"} for d in t["deadlines"])
    leaves = [t for t in seed_json["tasks"] if t["leaf"]]
    assert len(leaves) == 71
    assert len({t["group"] for t in leaves}) == 7


def test_parse_yaml_is_the_same_plan(seed_json: dict, tmp_path: Path):
    result = nhacviec("plan", "parse", str(DEMO), "--yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert from_yaml(result.stdout).to_json_dict() == seed_json
    assert list(tmp_path.iterdir()) == []


def test_parse_summary_counts_and_warnings(tmp_path: Path):
    result = nhacviec("plan", "parse", str(DEMO), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Kế hoạch 196/KH-UBND ngày 23/12/2024" in out
    assert "71 nhiệm vụ lá" in out and "Cải cách TTHC" in out
    assert "cảnh báo cần người kiểm tra" in out
    assert "[Cải cách thủ tục / 4] Kế hoạch không ghi cơ quan chủ trì" in out


def test_import_of_an_edited_review_file(tmp_path: Path):
    text = nhacviec("plan", "parse", str(DEMO), "--yaml", cwd=tmp_path).stdout
    edited = tmp_path / "duyet.yaml"
    edited.write_text(text.replace("timing: Hàng quý\n", "timing: Quý II/2025\n", 1),
                      encoding="utf-8")
    db = tmp_path / "nv.sqlite"
    result = nhacviec("plan", "import", str(edited), cwd=tmp_path,
                      NHACVIEC_DATABASE_URL=f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    assert "71 nhiệm vụ lá" in result.stdout
    assert db.exists()  # storing is the engine's part (tests/test_engine_*); here: it ran


def test_year_option_overrides_the_plan(tmp_path: Path):
    result = nhacviec("plan", "parse", str(DEMO), "--json", "--year", "2026", cwd=tmp_path)
    plan = json.loads(result.stdout)
    assert plan["plan"]["year"] == 2026
    assert any("năm 2025" in w and "năm 2026" in w for w in plan["warnings"])


def test_content_wins_over_the_extension_and_utf16_is_read(tmp_path: Path):
    from tests.test_bad_input import a_docx

    (tmp_path / "ke-hoach.txt").write_bytes(a_docx())  # a Word file with a wrong name
    result = nhacviec("plan", "parse", "ke-hoach.txt", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tasks"][0]["due"] == ["2026-03-31"]

    (tmp_path / "utf16.txt").write_bytes(DEMO.read_text(encoding="utf-8").encode("utf-16"))
    result = nhacviec("plan", "parse", "utf16.txt", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    leaves = [x for x in json.loads(result.stdout)["tasks"] if x["leaf"]]
    assert len(leaves) == 71

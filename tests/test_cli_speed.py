"""What keeps the CLI quick (issue 17, "speed a person feels"), as facts rather than timings
(the timings are in benchmarks/bench_cli.py):

- the root group's table of commands (`engine.cli.main.COMMANDS`: modules and help) says what
  the commands themselves say, so that `--help` can list them without loading them;
- `--help` loads no command module, no SQLAlchemy, not Typer's markdown renderer for nothing;
  `timing` loads no database code; a command on a database already at the newest revision
  does not load Alembic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer

from engine.cli.main import COMMANDS, _register, app
from engine.settings import bundled

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import atexit, json, sys
def report():
    mods = sorted(m for m in sys.modules if m.split(".")[0] in
                  ("sqlalchemy", "alembic", "engine", "typer", "rich", "pydantic",
                   "pydantic_settings"))
    sys.stderr.write("\\nMODULES " + json.dumps(mods) + "\\n")
atexit.register(report)
sys.argv = ["nhacviec", *json.loads(sys.argv[1])]
from engine.cli.main import run
run()
"""


def loaded(tmp_path: Path, *args: str, url: str | None = None) -> set[str]:
    env = {**os.environ, "HOME": str(tmp_path), "COLUMNS": "120",
           "NHACVIEC_DATABASE_URL": url or f"sqlite:///{tmp_path / 'db.sqlite'}"}
    r = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(list(args))], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=120)
    line = next(x for x in r.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def test_the_table_of_commands_is_what_the_commands_say():
    _register()
    group = typer.main.get_command(app)
    real = {name: cmd.help for name, cmd in group.commands.items()}
    assert {name: text for name, (_, text) in COMMANDS.items()} == real


def test_each_command_is_registered_by_its_modules(tmp_path):
    # A command's modules alone make it whole: `nhacviec CMD --help` shows its own help (a
    # group its sub-commands), not the stand-in the root's list uses.
    _register()
    groups = {n for n, c in typer.main.get_command(app).commands.items() if hasattr(c, "commands")}
    env = {**os.environ, "HOME": str(tmp_path), "COLUMNS": "200"}
    for name in COMMANDS:
        r = subprocess.run([sys.executable, "-m", "engine.cli", name, "--help"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, (name, r.stderr)
        assert f"engine.cli {name} [TÙY_CHỌN]" in r.stdout, name
        assert ("─ Lệnh ─" in r.stdout) == (name in groups), name


def test_help_loads_no_command(tmp_path):
    mods = loaded(tmp_path, "--help")
    assert not [m for m in mods if m.endswith("_cmds")]
    assert not [m for m in mods if m.startswith(("sqlalchemy", "alembic", "pydantic"))]


def test_timing_loads_no_database_code_nor_the_help_renderer(tmp_path):
    mods = loaded(tmp_path, "timing", "Quý I/2025", "--json")
    assert "engine.cli.rules_cmds" in mods
    assert not [m for m in mods if m.startswith(("sqlalchemy", "alembic", "engine.storage"))]
    assert "typer.rich_utils" not in mods and "rich.markdown" not in mods
    # The settings it needs are read without pydantic-settings (engine.quick_settings).
    assert "engine.quick_settings" in mods
    assert not [m for m in mods if m.startswith(("pydantic_settings", "engine.settings"))]


def test_status_on_the_newest_revision_loads_no_alembic_and_no_more_than_its_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'seed.sqlite'}"
    env = {**os.environ, "HOME": str(tmp_path), "NHACVIEC_DATABASE_URL": url}
    r = subprocess.run([sys.executable, "-m", "engine.cli", "plan", "import",
                        str(bundled("demo_plan_2025.txt"))], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    mods = loaded(tmp_path, "status", url=url)
    assert "engine.storage.db" in mods and not [m for m in mods if m.startswith("alembic")]
    # `status` loads only what its table needs: no settings beyond its own few (no
    # pydantic-settings), no planner, no other command's module.
    assert "engine.cli.status_cmds" in mods and "engine.tracking.status" in mods
    assert not [m for m in mods if m.startswith(("pydantic_settings", "engine.settings"))]
    assert not [m for m in mods if m.endswith("_cmds") and m != "engine.cli.status_cmds"]
    assert "engine.planning.reminder_rules" not in mods

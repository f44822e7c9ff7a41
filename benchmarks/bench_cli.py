"""How long a person waits for the CLI (issue 17, "speed a person feels"): the process time
(user + system CPU, which unlike the wall clock does not depend on how busy the machine is) of

- `nhacviec --help`
- `nhacviec timing "Quý I/2025"`
- `nhacviec status` on the seed database (the bundled Sóc Trăng 2025 plan imported)
- `nhacviec tasks` on the same database

against `python -c pass` in the same run (the interpreter's own start), each run `--runs`
times in a child process (`python -m engine.cli ...`, the console script's code), the median
kept, the cases run in turn. Targets: `--help` and `timing` under 0.25 s, `status` under 0.5 s.

Two peers say what the libraries alone cost on the machine of the run ("floor: CLI libs":
Typer, its pydantic adapters and rich's table; "floor: + ORM": SQLModel too), and the
commands' column "over its floor" is the part that is the project's own.

Plain Python: `python benchmarks/bench_cli.py [--runs 7] [--source DIR]`; `--source DIR` runs
the commands from another checkout (an older commit, to measure "before").
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"--help": 0.25, "timing": 0.25, "status": 0.5}
PACKAGES = ("core", "rules", "engine", "notifiers", "config")


def cpu_of(args: list[str], env: dict[str, str], cwd: Path) -> float:
    """The child's user + system CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# What the libraries alone cost, measured in the same run: every command that takes a value
# pays the first (Typer 0.29 converts each value with a pydantic TypeAdapter, so it loads
# pydantic), every database command also the second (SQLModel over SQLAlchemy's ORM).
FLOORS = {
    "floor: CLI libs": "import typer, typer._adapters, rich.table",
    "floor: + ORM": "import typer, typer._adapters, rich.table, sqlmodel",
}
FLOOR_OF = {"timing": "floor: CLI libs", "status": "floor: + ORM", "tasks": "floor: + ORM"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--source", type=Path, default=ROOT)
    opts = ap.parse_args()
    src = opts.source.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HOME": tmp, "PYTHONPATH": str(src), "COLUMNS": "120",
               "NHACVIEC_DATABASE_URL": f"sqlite:///{Path(tmp) / 'seed.sqlite'}"}
        py = [sys.executable]
        cli = [*py, "-m", "engine.cli"]
        subprocess.run([*cli, "plan", "import", str(src / "config" / "demo_plan_2025.txt")],
                       env=env, cwd=src, check=True, capture_output=True)
        cases = [
            ("python -c pass", [*py, "-c", "pass"]),
            *((label, [*py, "-c", code]) for label, code in FLOORS.items()),
            ("--help", [*cli, "--help"]),
            ("timing", [*cli, "timing", "Quý I/2025"]),
            ("status", [*cli, "status"]),
            ("tasks", [*cli, "tasks"]),
        ]
        # Compiled as an installed tool is (pip compiles a package's modules when it installs
        # them): a user does not compile the project's modules at every command, even where
        # PYTHONDONTWRITEBYTECODE keeps Python from writing what it compiles.
        subprocess.run([*py, "-m", "compileall", "-q", *(str(src / d) for d in PACKAGES)],
                       check=True, capture_output=True)
        for _, args in cases:  # warm the file system's cache
            cpu_of(args, env, src)
        # In turn (each case once a round), so that a machine that slows down mid-run slows
        # every case alike.
        runs: dict[str, list[float]] = {label: [] for label, _ in cases}
        for _ in range(opts.runs):
            for label, args in cases:
                runs[label].append(cpu_of(args, env, src))
        medians = {label: statistics.median(r) for label, r in runs.items()}
    peer = medians["python -c pass"]
    print(f"{'command':16} {'CPU s (median)':>15} {'x python -c pass':>17} "
          f"{'over its floor':>15} {'target':>8}")
    for label, seconds in medians.items():
        target = TARGETS.get(label)
        mark = "" if target is None else (f"< {target}" if seconds < target else f"> {target}!")
        floor = FLOOR_OF.get(label)
        over = f"{seconds - medians[floor]:+.3f}" if floor else ""
        print(f"{label:16} {seconds:15.3f} {seconds / peer if peer else 0:17.1f} {over:>15} "
              f"{mark:>8}")


if __name__ == "__main__":
    main()

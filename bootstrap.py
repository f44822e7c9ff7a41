#!/usr/bin/env python3
"""Set up a virtual environment and run nhacviec's demo or its test suite.

The quick start of the README is two commands:

    python3 bootstrap.py demo    # set up, import the bundled plan, run the main job
    python3 bootstrap.py test    # set up, run the whole test suite

Only the standard library is used here, so it runs on a fresh machine with Python 3.11+ and pip.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".nhacviec-installed"

# Used by `test` when the caller set nothing: the PostgreSQL server this project's CI runs.
DEFAULT_TEST_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on an old Python to say so
        sys.exit(f"nhacviec cần Python 3.11 trở lên (đang chạy {sys.version.split()[0]}).")
    if not PY.exists():
        print("• Tạo môi trường ảo .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = f"{_fingerprint()} {extras}"
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print(f"• Cài đặt nhacviec[{extras}] vào .venv ...", flush=True)
    subprocess.run(
        [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", f"{ROOT}[{extras}]"],
        check=True,
    )
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "setup":
        ensure_venv("test,bench")
        return 0
    if command == "demo":
        ensure_venv("postgres")
        return subprocess.call([str(BIN / "nhacviec"), "demo", *rest])
    ensure_venv("test,bench")
    env = dict(os.environ)
    env.setdefault("NHACVIEC_TEST_PG_URL", DEFAULT_TEST_PG_URL)
    # Tests never read the developer's own settings or data directory.
    for key in list(env):
        if key.startswith("NHACVIEC_") and not key.startswith("NHACVIEC_TEST_"):
            del env[key]
    return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

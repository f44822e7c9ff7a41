"""Ten SIGKILLs in one day's batch, then one run to the end (issue #18 point 1): how many
messages are delivered, duplicated and missing against an uninterrupted run of the same day, and
how long each restart takes to finish what it can.

Plain Python: `python benchmarks/bench_crash.py [--kills 10] [--every 3] [--connections 3]
[--pg URL]`. The demo plan (35 emails on 17/03/2025), the real `nhacviec dispatch` in a
subprocess, a local aiosmtpd server (a thread) that records every Message-ID and, for each
killed run, holds its replies once `every` more messages have been taken: each kill finds a
message in flight on each connection, the server holding it and the client never told (the
worst case). The issue measured, before the change: 142 duplicate deliveries on PostgreSQL and
148 on SQLite over 10 kills of 34 messages, up to 4 copies of one message, and nothing resent
until the 15-minute lease had run out.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402

from tests.smtpd import smtp_server  # noqa: E402
from tests.test_dispatch_faults import (  # noqa: E402
    DAY1,
    HoldingHandler,
    env_for,
    ids,
    reference,
    seed,
    smtp_env,
)


def crash_day(url: str, tmp: Path, kills: int, every: int, connections: int) -> str:
    seed(url)
    expected = reference(tmp, DAY1)
    handler = HoldingHandler()
    restarts = []
    with smtp_server(handler) as (server, _):
        env = env_for(url, tmp, **smtp_env(server.port,
                                           NHACVIEC_SMTP_MAX_CONNECTIONS=str(connections)))
        cmd = [sys.executable, "-m", "engine.cli", "dispatch", "--now", DAY1]
        for _ in range(kills):
            handler.reached.clear()
            handler.release.clear()
            handler.hold_after = len(handler.received) + every
            started = time.monotonic()
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            if not handler.reached.wait(120):
                proc.kill()
                break  # the batch ended before: nothing left to kill
            time.sleep(0.2)
            restarts.append(time.monotonic() - started)
            proc.kill()
            proc.wait()
            handler.release.set()
        handler.hold_after = None
        started = time.monotonic()
        last = subprocess.run(cmd, env=env, capture_output=True, text=True)
        final = time.monotonic() - started
    got = ids(handler)
    dup = sum(n - 1 for n in got.values() if n > 1)
    most = max(got.values())
    missing = len(set(expected) - set(got))
    return (f"{len(expected)} expected, {len(restarts)} kills, {len(set(got))} delivered, "
            f"{dup} duplicated (at most {most} copies of one), {missing} missing; each killed "
            f"run reached its hold in {min(restarts, default=0):.1f}-"
            f"{max(restarts, default=0):.1f} s, the last run finished in {final:.1f} s "
            f"({last.stdout.strip()})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--connections", type=int, default=3)
    ap.add_argument("--pg", default=os.environ.get(
        "NHACVIEC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    for name in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp:
            if name == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'crash.sqlite'}"
            else:
                with create_engine(args.pg).begin() as conn:
                    conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                sep = "&" if "?" in args.pg else "?"
                url = f"{args.pg}{sep}options={quote(f'-csearch_path={schema}')}"
            try:
                line = crash_day(url, Path(tmp), args.kills, args.every, args.connections)
                print(f"{name}: {line}", flush=True)
            finally:
                if name == "postgresql":
                    from engine.storage.db import dispose_all

                    dispose_all()
                    with create_engine(args.pg).begin() as conn:
                        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()

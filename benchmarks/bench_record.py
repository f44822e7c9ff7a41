"""What recording each message's outcome at once costs (issue #18 point 1), against recording a
batch's outcomes together at its end, on SQLite and PostgreSQL.

Plain Python: `python benchmarks/bench_record.py [--messages N] [--pg URL]`. N messages are
claimed as a wake-up claims them, then their outcomes recorded either one transaction per
message (`claims.record` per message, as `Dispatcher._send`'s `settled` callback does) or in one
call for all (as before). Prints milliseconds per message for each and their ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402

from core.messages import DeliveryResult, OutgoingMessage, Recipient  # noqa: E402
from engine.dispatch.claims import Claim, claim, record  # noqa: E402
from engine.storage.db import dispose_all, get_engine  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def claims(n: int, prefix: str) -> list[Claim]:
    day = dt.date(2025, 1, 17)
    at = dt.datetime.combine(day, dt.time(8), tzinfo=TZ)
    return [Claim(OutgoingMessage(key=f"agency_digest/{prefix}{i}/email/2025-01-17",
                                  kind="agency_digest", channel="email",
                                  recipient=Recipient(f"{prefix}{i}", "Sở", ("a@x",)), at=at),
                  (), day) for i in range(n)]


def run(url: str, n: int) -> tuple[float, float]:
    engine = get_engine(url)
    wall = dt.datetime(2025, 1, 17, 1, tzinfo=dt.UTC)
    out = []
    for mode in ("each", "batch"):
        won = claim(engine, claims(n, f"{mode}-{time.time_ns()}-"), "bench", wall)
        pairs = [(c.notification_id, DeliveryResult(c.message.key, True, provider_id="<id>"))
                 for c in won]
        start = time.perf_counter()
        if mode == "each":
            for p in pairs:
                record(engine, [p], wall, fresh=True)
        else:
            record(engine, pairs, wall, fresh=True)
        out.append((time.perf_counter() - start) / n * 1000)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"  # a schema of its own, dropped afterwards
    with tempfile.TemporaryDirectory() as tmp:
        sep = "&" if "?" in args.pg else "?"
        urls = {"sqlite": f"sqlite:///{Path(tmp) / 'b.sqlite'}",
                "postgresql": f"{args.pg}{sep}options={quote(f'-csearch_path={schema}')}"}
        for name, url in urls.items():
            try:
                if name == "postgresql":
                    with create_engine(args.pg).begin() as conn:
                        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                each, batch = run(url, args.messages)
            except Exception as exc:  # noqa: BLE001 - a benchmark: say what did not run
                print(f"{name}: not run ({type(exc).__name__}: {exc})")
                continue
            finally:
                if name == "postgresql":
                    dispose_all()
                    with create_engine(args.pg).begin() as conn:
                        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            print(f"{name}: {args.messages} messages, one transaction each {each:.2f} ms a "
                  f"message, all at once {batch:.3f} ms a message ({each / batch:.0f}x)")


if __name__ == "__main__":
    main()

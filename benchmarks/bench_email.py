"""Email: the whole pipeline (render, build, send) against the bare SMTP protocol.

Plain Python: `python benchmarks/bench_email.py [--messages N] [--rounds R] [--thread]
[--connections C]`.

A local aiosmtpd server whose handler only counts is started by the benchmark: by default in a
child process (as a real mail server is another process, so it does not compete with the client
for the GIL); with `--thread`, in a thread of this process, as the tests run it.

1. Protocol only: the N messages built beforehand as bytes, sent one after the other over ONE
   reused aiosmtplib connection (`SMTP.sendmail`). This is the ceiling for one connection.
2. Pipeline: `EmailNotifier(settings).send_batch(messages)` from the `OutgoingMessage`s: Jinja2
   rendering of the subject, text and HTML parts, the MIME build, and delivery over the
   notifier's own bounded pool of reused connections, with its retry bookkeeping.
Also shown, for the record: render + build alone, and the stdlib `EmailMessage` build + flatten
of the same parts (what the builder avoids).

Each round runs both, alternating; the best round of each is kept. The server's count is
checked after every run. Target (issue 5): pipeline >= 0.5x protocol only.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiosmtplib  # noqa: E402

from core.messages import Item, OutgoingMessage, Recipient  # noqa: E402
from core.vocabulary import MessageKind, Reason  # noqa: E402
from engine.settings import Settings  # noqa: E402
from notifiers.email.build import Sender, render_parts, wire_bytes  # noqa: E402
from notifiers.email.notifier import EmailNotifier  # noqa: E402

HOST = "127.0.0.1"
TZ = dt.timezone(dt.timedelta(hours=7))

SERVER = r"""
import asyncio, sys
from aiosmtpd.controller import Controller

class Counting:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Counting.count += 1
        return "250 OK"
    async def handle_VRFY(self, server, session, envelope, address):
        return f"252 {Counting.count}"

c = Controller(Counting(), hostname="127.0.0.1", port=int(sys.argv[1]),
               server_hostname="localhost", data_size_limit=0)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def digests(n: int) -> list[OutgoingMessage]:
    """N agency digests like a busy morning: 2 due soon, 1 today, 1 late, 1 report, 1 ongoing."""
    at = dt.datetime(2025, 3, 11, 8, 0, tzinfo=TZ)
    out = []
    for k in range(n):
        agency = f"UBND huyện Mỹ Xuyên số {k}"
        items = (
            Item(Reason.REMINDER, group="Cải cách thủ tục hành chính", code=f"4.{k % 9 + 1}",
                 title="Rà soát, đơn giản hóa thủ tục hành chính & quy trình nội bộ",
                 due=dt.date(2025, 3, 18), role="lead", days_left=5),
            Item(Reason.REMINDER, group="Cải cách thể chế", code="2.2",
                 title="Kiểm tra, rà soát văn bản quy phạm pháp luật", due=dt.date(2025, 3, 18),
                 role="support", days_left=5),
            Item(Reason.REMINDER, group="Xây dựng chính quyền số", code="6.1",
                 title="Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
                 due=dt.date(2025, 3, 11), role="lead", days_left=0),
            Item(Reason.LATE, group="Cải cách tổ chức bộ máy", code="3.4",
                 title="Sắp xếp, kiện toàn tổ chức bộ máy", due=dt.date(2025, 3, 4),
                 role="lead", days_late=5),
            Item(Reason.REPORT_REMINDER, period="Quý I", due=dt.date(2025, 3, 18),
                 cutoff_from=dt.date(2024, 12, 15), cutoff_to=dt.date(2025, 3, 14),
                 data_entry_url="https://cchc.soctrang.example.org/bao-cao", days_left=5),
        )
        ongoing = (Item(Reason.REMINDER, code="4.2.1", role="lead",
                        title="Cập nhật, công khai TTHC theo các Quyết định công bố"),)
        recipient = Recipient(f"ubnd-{k}", agency, (f"vanthu{k}@ubnd.example.org",))
        out.append(OutgoingMessage(f"email:ubnd-{k}:2025-03-11", MessageKind.AGENCY_DIGEST,
                                   "email", recipient, at, items, ongoing=ongoing,
                                   plan_number="196/KH-UBND"))
    return out


async def server_count(port: int) -> int:
    smtp = aiosmtplib.SMTP(hostname=HOST, port=port, start_tls=False, local_hostname="bench")
    await smtp.connect()
    reply = await smtp.vrfy("count")
    await smtp.quit()
    return int(reply.message.split()[0])


async def protocol_only(port: int, prebuilt: list[tuple[list[str], bytes]],
                        sender: str) -> float:
    start = time.perf_counter()
    smtp = aiosmtplib.SMTP(hostname=HOST, port=port, start_tls=False, local_hostname="bench")
    await smtp.connect()
    for rcpts, data in prebuilt:
        await smtp.sendmail(sender, rcpts, data)
    await smtp.quit()
    return time.perf_counter() - start


async def pipeline(notifier: EmailNotifier, messages: list[OutgoingMessage]) -> float:
    start = time.perf_counter()
    results = await notifier.send_batch(messages)
    elapsed = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"{len(failed)} messages failed: {failed[0].detail}")
    return elapsed


def stdlib_build(msg: OutgoingMessage, sender: Sender) -> bytes:
    parts = render_parts(msg)
    m = EmailMessage(policy=policy.SMTP)
    m["Subject"] = parts.subject
    m["From"] = f"{sender.name} <{sender.address}>"
    m["To"] = ", ".join(f"{msg.recipient.name} <{e}>" for e in msg.recipient.emails)
    m.set_content(parts.text, cte="base64")
    m.add_alternative(parts.html, subtype="html", cte="base64")
    return m.as_bytes()


def rate(fn, messages, sender) -> float:
    start = time.perf_counter()
    for m in messages:
        fn(m, sender)
    return len(messages) / (time.perf_counter() - start)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--thread", action="store_true", help="run the server in this process")
    ap.add_argument("--connections", type=int, default=None,
                    help="the pipeline's connection pool (default: the notifier's default)")
    args = ap.parse_args()

    port = free_port()
    if args.thread:
        ns: dict = {}
        exec(SERVER.split("c = Controller")[0], ns)  # the same handler, in this process
        from aiosmtpd.controller import Controller

        controller = Controller(ns["Counting"](), hostname=HOST, port=port,
                                server_hostname="localhost", data_size_limit=0)
        controller.start()
        child = None
    else:
        child = subprocess.Popen([sys.executable, "-c", SERVER, str(port)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP server did not start")

    settings = Settings(smtp_host=HOST, smtp_port=port, smtp_tls="none")
    messages = digests(args.messages)
    pool = {"max_connections": args.connections} if args.connections else {}
    notifier = EmailNotifier(settings, **pool)
    sender = notifier.sender
    prebuilt = [(list(m.recipient.emails), notifier.prepare(m)) for m in messages]
    size = sum(len(d) for _, d in prebuilt) / len(prebuilt)

    best_proto = best_pipe = float("inf")
    expected = 0
    try:
        for r in range(args.rounds):
            t_proto = await protocol_only(port, prebuilt, sender.address)
            t_pipe = await pipeline(notifier, messages)
            expected += 2 * len(messages)
            got = await server_count(port)
            if got != expected:
                raise SystemExit(f"server counted {got} messages, expected {expected}")
            print(f"round {r + 1}: protocol only {len(messages) / t_proto:7.0f} msg/s, "
                  f"pipeline {len(messages) / t_pipe:7.0f} msg/s")
            best_proto, best_pipe = min(best_proto, t_proto), min(best_pipe, t_pipe)
    finally:
        if child is not None:
            child.communicate("", timeout=30)
        else:
            controller.stop()

    sample = messages[: min(300, len(messages))]
    build_rate = rate(lambda m, s: wire_bytes(m, render_parts(m), s), sample, sender)
    stdlib_rate = rate(stdlib_build, sample, sender)
    proto, pipe = len(messages) / best_proto, len(messages) / best_pipe
    where = "a thread of this process" if args.thread else "a child process"
    print(f"\n{len(messages)} agency digests, {size / 1024:.1f} KiB each, server in {where}, "
          f"{os.cpu_count()} CPUs, {notifier.options.max_connections} pipeline connections")
    print(f"render + build only          {build_rate:8.0f} msg/s")
    print(f"render + stdlib EmailMessage {stdlib_rate:8.0f} msg/s  (not used; for reference)")
    print(f"protocol only (1 connection) {proto:8.0f} msg/s")
    print(f"pipeline (render+build+send) {pipe:8.0f} msg/s")
    ratio = pipe / proto
    print(f"ratio pipeline / protocol    {ratio:8.2f}x  (target >= 0.5x: "
          f"{'met' if ratio >= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    asyncio.run(main())

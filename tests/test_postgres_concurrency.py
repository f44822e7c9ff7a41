"""Two dispatchers, in two real processes with their own connections, waking at the same instant
on the same database, never both send one message: every message is claimed in the database
(unique key) before it goes. Run on PostgreSQL (and, for good measure, on one SQLite file)."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing as mp
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.messages import DeliveryResult, OutgoingMessage
from engine.dispatch.dispatcher import Dispatcher
from engine.planning.planner import plan_plan
from engine.planning.policy import Policy
from engine.storage.db import make_engine, session
from engine.storage.models import Notification, NotificationItem, PlannedItem
from engine.tracking.plan_store import store_plan
from tests.plan_factory import D, calendar, directory, january_plan, runtime

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Days with many messages: reminders, the 36 reporting agencies' Quý I reminders and their late
# notices, the Sở Nội vụ list, a steering digest.
DAYS = ["2025-01-17", "2025-03-11", "2025-03-17", "2025-03-18", "2025-03-19", "2025-03-21",
        "2025-03-24", "2025-04-02"]

# Counted by hand from config/agencies.yaml after the 01/03/2025 mergers: 11 departments,
# 4 other provincial bodies, 6 central agencies, 11 district-level committees.
REPORTING_ON_18_03 = {
    "so-noi-vu", "so-tu-phap", "so-tai-chinh", "so-khcn", "so-y-te", "so-gddt",
    "so-cong-thuong", "so-xay-dung", "so-vhttdl", "so-nnmt", "so-dan-toc-ton-giao",
    "vp-ubnd", "thanh-tra-tinh", "bql-kcn", "dai-pt-th",
    "cong-an-tinh", "cuc-thue", "kho-bac", "bhxh-tinh", "cuc-thong-ke", "nhnn-chi-nhanh",
    "ubnd-tp-soc-trang", "ubnd-tx-vinh-chau", "ubnd-tx-nga-nam", "ubnd-h-ke-sach",
    "ubnd-h-chau-thanh", "ubnd-h-long-phu", "ubnd-h-my-tu", "ubnd-h-my-xuyen",
    "ubnd-h-thanh-tri", "ubnd-h-tran-de", "ubnd-h-cu-lao-dung",
}


class FileNotifier:
    """Delivers by appending the message key to a file (one file per process)."""

    channel = "email"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[DeliveryResult]:
        with self.path.open("a", encoding="utf-8") as f:
            for m in messages:
                f.write(m.key + "\n")
                f.flush()
        return [DeliveryResult(m.key, True) for m in messages]

    async def aclose(self) -> None:
        return None


def _worker(url: str, out: str, barrier) -> None:  # noqa: ANN001 - a multiprocessing Barrier
    engine = make_engine(url)  # this process's own engine and connections
    d = Dispatcher(engine, directory(), calendar(), Policy.bundled(), [FileNotifier(Path(out))],
                   worker=f"p{os.getpid()}")
    for day in DAYS:
        barrier.wait(timeout=120)
        asyncio.run(d.wake(dt.datetime.combine(D(day), dt.time(8), tzinfo=TZ)))
    engine.dispose()


def _race(url: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    rt = runtime(url)
    with rt.session() as s:
        summary = store_plan(s, january_plan(), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D("2025-01-01"))
        s.commit()
    rt.engine.dispose()  # no connection of the parent is inherited by the workers
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(2)
    outs = [tmp_path / "a.txt", tmp_path / "b.txt"]
    procs = [ctx.Process(target=_worker, args=(url, str(o), barrier)) for o in outs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    return [o.read_text().split() if o.exists() else [] for o in outs]


def _check(url: str, sent_a: list[str], sent_b: list[str]) -> None:
    both = sent_a + sent_b
    twice = [k for k, n in Counter(both).items() if n > 1]
    assert twice == []
    engine = make_engine(url)
    with session(engine) as s:
        stored = s.scalar(select(func.count()).select_from(Notification))
        sent = set(s.scalars(select(Notification.key).where(Notification.state == "sent")))
        pending = s.scalar(select(func.count()).select_from(PlannedItem).where(
            PlannedItem.state == "pending", PlannedItem.send_on <= D(DAYS[-1]),
            PlannedItem.send_on >= D("2025-03-27")))
        links = s.execute(select(NotificationItem.item_id, NotificationItem.channel)).all()
    engine.dispose()
    assert set(both) == sent and stored == len(both)
    assert len(links) == len(set(links))  # no item rode in two messages of one channel
    assert pending == 0  # and nothing was left behind
    # The days' messages all went: e.g. every reporting agency's Quý I reminder of 11/03.
    on_11_03 = {k.split("/")[1] for k in both if k.startswith("agency_digest/")
                and k.endswith("/email/2025-03-11")}
    assert on_11_03 >= REPORTING_ON_18_03


@pytest.mark.postgres
def test_two_processes_on_postgresql_never_send_twice(pg_url, tmp_path):
    sent_a, sent_b = _race(pg_url, tmp_path)
    _check(pg_url, sent_a, sent_b)


def test_two_processes_on_one_sqlite_file_never_send_twice(sqlite_url, tmp_path):
    sent_a, sent_b = _race(sqlite_url, tmp_path)
    _check(sqlite_url, sent_a, sent_b)

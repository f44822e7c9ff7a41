"""The cycle collector paused during bulk work (engine.storage.gc_pause), and restored after."""

from __future__ import annotations

import gc

import pytest

from engine.planning.planner import plan_plan
from engine.storage.gc_pause import gc_paused
from engine.tracking.plan_store import store_plan
from tests.plan_factory import D, january_plan, runtime


class Collections(list):
    """Every collection the collector starts while `during` is set (the work under test)."""

    during = False

    def note(self, phase: str, info: dict) -> None:
        if phase == "start" and self.during:
            self.append(info["generation"])

    def run(self, f, *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN201
        """f(*args, **kw); the collections it started are appended (at most one is expected
        of paused work: the collector catching up once the pause ends)."""
        gc.collect()  # counts at zero: the few objects before the pause starts start none
        self.during = True
        try:
            return f(*args, **kw)
        finally:
            self.during = False


@pytest.fixture
def collections():
    """Thresholds low enough that every twenty objects allocated start a collection; the
    process's settings are restored after."""
    seen = Collections()
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.enable()
    gc.set_threshold(20, 1, 1)
    gc.callbacks.append(seen.note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(seen.note)
        gc.set_threshold(*thresholds)
        if not enabled:
            gc.disable()


def test_paused_nested_and_restored_even_after_an_error(collections):
    def work() -> None:
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():
                junk = [[i] for i in range(5_000)]
            assert not gc.isenabled()  # the inner block ended, the outer still runs
            del junk

    collections.run(work)
    assert len(collections) <= 1  # 5,000 allocations: a hundred thresholds passed
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("x")
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    with gc_paused():
        pass
    assert not gc.isenabled()
    gc.enable()
    collections.clear()
    collections.run(lambda: [[i] for i in range(5_000)])
    assert len(collections) > 10  # not paused: it does collect


def test_import_planning_and_a_wake_up_run_without_collections(sqlite_url, collections):
    import asyncio

    from engine.dispatch.dispatcher import Dispatcher
    from notifiers.recording import RecordingNotifier

    rt = runtime(sqlite_url)  # the engine and schema first: their own work may collect
    with rt.session() as s:
        summary = collections.run(store_plan, s, january_plan(), rt.directory,
                                  calendar=rt.calendar)
        assert len(collections) <= 2  # without the pause: 577
        collections.clear()
        planned = collections.run(plan_plan, s, summary.plan_id, rt.planner, D("2025-01-01"))
        assert len(collections) <= 2  # without the pause: 1,572
        s.commit()
    d = Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy,
                   [RecordingNotifier(channel="email")])
    collections.clear()
    wake = d.wake(rt.policy.slot_instant(D("2025-01-17")))
    result = collections.run(asyncio.run, wake)
    # asyncio.run's own loop setup and teardown may collect too, outside the wake-up (measured
    # without the pause: 188 collections).
    assert len(collections) <= 10
    assert planned > 0 and result.messages
    assert gc.isenabled()

"""National-scale data for the Telegram benchmark: 3,500 agencies x 80 tasks, every agency's chat
linked, about a third of the past deadlines completed.

`generate(url, national)` uses the engine's generator (`benchmarks/national.py`) when it is given
one that offers `generate(url)`, and only adds what the bot needs on top (chat links); otherwise
it writes the same shape itself with bulk inserts: one plan, 80 tasks per agency (its own group),
each a fixed task (one or two due dates) or a quarterly one (four), lead = that agency.
"""

from __future__ import annotations

import datetime as dt
import random
from types import ModuleType
from typing import Any

from sqlalchemy import insert, select

from engine.storage.db import get_engine
from engine.storage.models import (
    Agency,
    Assignment,
    ChatLink,
    Completion,
    Deadline,
    Duty,
    Plan,
    Task,
)

AGENCIES = 3500
TASKS_PER_AGENCY = 80
TODAY = dt.date(2025, 6, 10)
QUARTER_DUES = [dt.date(2025, 3, 18), dt.date(2025, 6, 18), dt.date(2025, 9, 18),
                dt.date(2025, 12, 18)]
CHAT_BASE = 1_000_000
BATCH = 20_000


def generate(url: str, national: ModuleType | None = None) -> dict[str, int]:
    engine = get_engine(url)
    if national is not None and hasattr(national, "generate"):
        national.generate(url)  # the engine's own national data
    else:
        _own(engine)
    return _link_chats(engine)


def _own(engine: Any) -> None:
    rng = random.Random(2025)
    days = [dt.date(2025, 1, 2) + dt.timedelta(days=i) for i in range(360)]
    agencies, tasks, assignments, deadlines, duties, completions = [], [], [], [], [], []
    task_id = deadline_id = 0
    for a in range(1, AGENCIES + 1):
        aid = f"cq-{a:04d}"
        agencies.append({"id": aid, "name": f"Cơ quan số {a}", "kind": "department",
                         "reports": True, "emails": [], "telegram_chat_ids": []})
        for k in range(TASKS_PER_AGENCY):
            task_id += 1
            roll = rng.random()
            if roll < 0.6:
                dues, kind = [rng.choice(days)], "fixed"
            elif roll < 0.75:
                dues, kind = sorted(rng.sample(days, 2)), "fixed"
            else:
                dues, kind = QUARTER_DUES, "periodic"
            tasks.append({"id": task_id, "plan_id": 1, "group_name": f"Nhiệm vụ của {aid}",
                          "code": f"{k // 10 + 1}.{k % 10 + 1}", "leaf": True, "position": k,
                          "title": f"Triển khai nhiệm vụ cải cách hành chính số {k + 1}",
                          "lead": [], "support": [], "kind": kind, "warnings": [],
                          "removed": False})
            assignments.append({"task_id": task_id, "agency_id": aid, "role": "lead"})
            for due in dues:
                deadline_id += 1
                deadlines.append({"id": deadline_id, "task_id": task_id, "due": due,
                                  "source": "plan", "active": True})
                duties.append({"deadline_id": deadline_id, "agency_id": aid, "role": "lead"})
                if due < TODAY and rng.random() < 0.35:
                    completions.append({"deadline_id": deadline_id, "agency_id": aid,
                                        "completed_on": due, "recorded_by": "bench",
                                        "recorded_at": dt.datetime.now(dt.UTC)})
    with engine.begin() as conn:
        if conn.execute(select(Plan.id)).first() is not None:
            return
        conn.execute(insert(Plan), [{"id": 1, "number": "QG/KH-BENCH", "year": 2025,
                                     "report_day": 18, "imported_at": dt.datetime.now(dt.UTC),
                                     "updated_at": dt.datetime.now(dt.UTC)}])
        for model, rows in ((Agency, agencies), (Task, tasks), (Assignment, assignments),
                            (Deadline, deadlines), (Duty, duties), (Completion, completions)):
            for i in range(0, len(rows), BATCH):
                conn.execute(insert(model), rows[i:i + BATCH])


def _link_chats(engine: Any) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(select(Agency.id).order_by(Agency.id))]
        linked = {r[0] for r in conn.execute(select(ChatLink.agency_id))}
        rows = [{"chat_id": CHAT_BASE + i, "agency_id": aid, "linked_at": now,
                 "linked_by": "bench"} for i, aid in enumerate(ids) if aid not in linked]
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(ChatLink), rows[i:i + BATCH])
        counts = {name: conn.execute(select(model.id).order_by(None)).all().__len__()
                  for name, model in (("tasks", Task), ("deadlines", Deadline))}
    counts["agencies"] = len(ids)
    return counts

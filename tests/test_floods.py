"""The first morning after a late import (issue #17, "Floods and catching up"), through the real
CLI on a real SQLite database: the bundled Sóc Trăng 2025 plan imported with the clock in
December 2026, then the next morning's dispatch, its emails written to the outbox folder."""

from __future__ import annotations

import collections
import email
import json
import os
import subprocess
import sys
from email import policy as email_policy
from pathlib import Path

from sqlalchemy import select

from engine.settings import bundled
from engine.storage.db import get_engine, session
from engine.storage.models import ExplanationRequest

SEED = bundled("demo_plan_2025.txt")
IMPORT_CLOCK = "2026-12-02T15:00:00"  # a Wednesday afternoon
MORNING = "2026-12-03T08:00:00+07:00"  # the next working day's send time


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {**os.environ, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox"), "COLUMNS": "200",
            "NHACVIEC_CLOCK": IMPORT_CLOCK, **more}


def nv(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                         text=True, env=env, timeout=300)
    assert "Traceback" not in out.stderr, out.stderr
    return out


def _sent(out: subprocess.CompletedProcess) -> list[dict]:
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def _subjects(outbox: Path) -> dict[str, list[str]]:
    """Each recipient address's email subjects, as written to the outbox."""
    out: dict[str, list[str]] = collections.defaultdict(list)
    for f in sorted(outbox.rglob("*.eml")):
        with f.open("rb") as fh:
            m = email.message_from_binary_file(fh, policy=email_policy.default)
        out[str(m["To"])].append(str(m["Subject"]))
    return out


def test_late_import_then_one_morning_sends_no_flood(tmp_path):
    env = _env(tmp_path)
    imported = nv(env, "plan", "import", str(SEED))
    assert imported.returncode == 0, imported.stderr
    msgs = _sent(nv(env, "dispatch", "--now", MORNING, "--json"))
    # Messages to an agency about its own work (the Sở Nội vụ's monitoring list is its other
    # role's: counted apart).
    per_agency = collections.Counter((m["recipient"], m["channel"]) for m in msgs
                                     if m["kind"] in ("agency_digest", "explanation_request"))
    per_kind = collections.Counter((m["recipient"], m["channel"], m["kind"]) for m in msgs)
    # One message of each kind per agency and channel that day, at most two to any agency.
    assert max(per_kind.values()) == 1, per_kind.most_common(3)
    assert max(per_agency.values()) <= 2, per_agency.most_common(3)
    # No subject twice to one address.
    subjects = _subjects(tmp_path / "outbox")
    assert subjects and sum(map(len, subjects.values())) == len(msgs)
    for to, subs in subjects.items():
        assert len(set(subs)) == len(subs), (to, subs)
    # Nothing of the plan's late deadlines is forgotten: each agency's digest lists them.
    digests = {m["recipient"]: m for m in msgs if m["kind"] == "agency_digest"}
    vp = digests["vp-ubnd"]
    assert len([i for i in vp["items"] if i["reason"] == "late"]) >= 10
    # Explanation requests: one message per agency listing every late deadline it is asked
    # about, each recorded as its own request (its own reply slot on the agency's web page).
    asks = [m for m in msgs if m["kind"] == "explanation_request"]
    assert asks and len({m["recipient"] for m in asks}) == len(asks)
    with session(get_engine(env["NHACVIEC_DATABASE_URL"])) as s:
        recorded = collections.Counter(r.agency_id for r in s.scalars(select(ExplanationRequest)))
    assert recorded == {m["recipient"]: len(m["items"]) for m in asks}
    assert max(recorded.values()) > 1

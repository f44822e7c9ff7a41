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


def _count_no_flood(msgs: list[dict], outbox: Path) -> None:
    """At most one message of each kind and at most two messages to any agency per channel
    that day; no subject twice to one address."""
    # Messages to an agency about its own work (the Sở Nội vụ's monitoring list is its other
    # role's: counted apart).
    per_agency = collections.Counter((m["recipient"], m["channel"]) for m in msgs
                                     if m["kind"] in ("agency_digest", "explanation_request"))
    per_kind = collections.Counter((m["recipient"], m["channel"], m["kind"]) for m in msgs)
    assert max(per_kind.values()) == 1, per_kind.most_common(3)
    assert max(per_agency.values()) <= 2, per_agency.most_common(3)
    subjects = _subjects(outbox)
    assert subjects and sum(map(len, subjects.values())) == len(msgs)
    for to, subs in subjects.items():
        assert len(set(subs)) == len(subs), (to, subs)


def _recorded_requests(env: dict[str, str]) -> collections.Counter:
    engine = get_engine(env["NHACVIEC_DATABASE_URL"])
    with session(engine) as s:
        out = collections.Counter(r.agency_id for r in s.scalars(select(ExplanationRequest)))
    engine.dispose()
    return out


def test_late_import_then_one_morning_sends_no_flood(tmp_path):
    """The issue's trial: the 2025 plan imported on 02/12/2026. `plan import` says what the
    next morning brings; that morning each agency gets one catch-up digest of what is late now,
    and no explanation request until the officer asks for them."""
    env = _env(tmp_path)
    imported = nv(env, "plan", "import", str(SEED))
    assert imported.returncode == 0, imported.stderr
    said = " ".join(imported.stdout.split())
    # What the dry run says equals what the import said would go.
    dry = _sent(nv(env, "dispatch", "--dry-run", "--json", "--now", MORNING))
    msgs = _sent(nv(env, "dispatch", "--now", MORNING, "--json"))
    assert [(m["recipient"], m["kind"], len(m["items"])) for m in sorted(
        dry, key=lambda m: (m["recipient"], m["kind"]))] == [
        (m["recipient"], m["kind"], len(m["items"])) for m in sorted(
            msgs, key=lambda m: (m["recipient"], m["kind"]))]
    assert f"Sáng mai (03/12/2026) sẽ gửi {len(msgs)} thư" in said, said
    _count_no_flood(msgs, tmp_path / "outbox")
    digests = {m["recipient"]: m for m in msgs if m["kind"] == "agency_digest"}
    assert len(digests) == len(msgs) - 1  # and the Sở Nội vụ's list
    # The catch-up digest lists what is late now, each deadline once, nothing else (the
    # reminders of days long gone are not replayed).
    vp = digests["vp-ubnd"]
    lines = [(i["group"], i["code"], i["due"]) for i in vp["items"]]
    assert len(lines) == len(set(lines)) >= 10
    assert {i["reason"] for i in vp["items"]} == {"late"}
    assert all(i["due"] < "2026-01-01" for i in vp["items"])
    # No explanation request yet: the import said how many wait, and how to send them.
    assert not [m for m in msgs if m["kind"] == "explanation_request"]
    assert _recorded_requests(env) == {}
    held = int(said.split(" đề nghị giải trình cho ")[0].rsplit(" ", 1)[1])
    assert "explain request --plan 196/KH-UBND" in said and held > 100

    # The officer asks for one agency's, then everyone's: one message per agency.
    env["NHACVIEC_CLOCK"] = "2026-12-03T10:00:00"
    one = nv(env, "explain", "request", "--plan", "196/KH-UBND", "--agency", "vp-ubnd")
    assert one.returncode == 0, one.stderr
    assert "cho Văn phòng UBND tỉnh; gửi sáng 04/12/2026" in " ".join(one.stdout.split())
    ask_vp = _sent(nv(env, "preview", "--agency", "vp-ubnd", "--json"))
    assert [m["kind"] for m in ask_vp] == ["explanation_request"]
    rest = nv(env, "explain", "request", "--plan", "196/KH-UBND")
    assert rest.returncode == 0 and "không gửi lại" in rest.stdout
    day2 = _sent(nv(env, "dispatch", "--now", "2026-12-04T08:00:00+07:00", "--json"))
    asks = {m["recipient"]: m for m in day2 if m["kind"] == "explanation_request"}
    assert len(asks) == len([m for m in day2 if m["kind"] == "explanation_request"])
    assert len(asks["vp-ubnd"]["items"]) == len(ask_vp[0]["items"]) > 1
    assert sum(len(m["items"]) for m in asks.values()) == held
    recorded = _recorded_requests(env)
    assert recorded == {a: len(m["items"]) for a, m in asks.items()}
    again = nv(env, "explain", "request", "--plan", "196/KH-UBND")
    assert "không có việc trễ hạn nào" in again.stdout


def test_the_policy_may_send_the_late_imports_requests_at_once(tmp_path):
    """`[late] explain_already_late = true`: the first morning sends them, one message per
    agency listing every late deadline, each recorded as its own request (its own reply slot
    on the agency's web page)."""
    policy = tmp_path / "policy.toml"
    policy.write_text(bundled("policy.toml").read_text(encoding="utf-8").replace(
        "explain_already_late = false", "explain_already_late = true"), encoding="utf-8")
    env = _env(tmp_path, NHACVIEC_POLICY=str(policy))
    imported = nv(env, "plan", "import", str(SEED))
    assert imported.returncode == 0, imported.stderr
    said = " ".join(imported.stdout.split())
    msgs = _sent(nv(env, "dispatch", "--now", MORNING, "--json"))
    _count_no_flood(msgs, tmp_path / "outbox")
    asks = [m for m in msgs if m["kind"] == "explanation_request"]
    items = sum(len(m["items"]) for m in asks)
    assert f"{items} đề nghị giải trình gộp thành {len(asks)} thư" in said, said
    assert asks and len({m["recipient"] for m in asks}) == len(asks)
    recorded = _recorded_requests(env)
    assert recorded == {m["recipient"]: len(m["items"]) for m in asks}
    assert max(recorded.values()) > 1
    # Subjects tell the digest from the request, and say how many.
    subjects = _subjects(tmp_path / "outbox")
    [vp] = [v for k, v in subjects.items() if "Văn phòng UBND tỉnh" in k]
    n = recorded["vp-ubnd"]
    assert any(f"đề nghị giải trình việc chậm thực hiện {n} nhiệm vụ" in x
               or "báo cáo định kỳ" in x for x in vp), vp


def test_a_service_stopped_for_weeks_catches_up_in_one_digest(tmp_path):
    """Imported in January 2025, the service stopped until April: the first dispatch sends each
    agency one digest of what is late now, not the missed days one by one."""
    env = _env(tmp_path, NHACVIEC_CLOCK="2025-01-02T09:00:00")
    assert nv(env, "plan", "import", str(SEED)).returncode == 0
    msgs = _sent(nv(env, "dispatch", "--now", "2025-04-01T08:00:00+07:00", "--json"))
    _count_no_flood(msgs, tmp_path / "outbox")
    vp = next(m for m in msgs if m["recipient"] == "vp-ubnd" and m["kind"] == "agency_digest")
    late = [i for i in vp["items"] if i["reason"] == "late"]
    assert any(i["due"] < "2025-02-01" for i in late)  # a January deadline, told at last


def test_preview_and_dry_run_count_completions_and_change_nothing(tmp_path):
    """`preview --days N --agency` and `dispatch --dry-run` read the real database: a completion
    recorded since drops its reminders; neither writes anything."""
    env = _env(tmp_path, NHACVIEC_CLOCK="2025-01-10T15:00:00")  # a Friday afternoon
    assert nv(env, "plan", "import", str(SEED)).returncode == 0
    ahead = _sent(nv(env, "preview", "--days", "10", "--agency", "vp-ubnd", "--json"))
    # Reminders of TTHC 1.1 and 2.1 (due 24/01) on 17, 23 and 24/01, one digest a day.
    assert [(m["at"][:10], [i["code"] for i in m["items"]]) for m in ahead] == [
        ("2025-01-17", ["1.1", "2.1"]), ("2025-01-23", ["1.1", "2.1"]),
        ("2025-01-24", ["1.1", "2.1"])]
    text = nv(env, "preview", "--days", "10", "--agency", "Văn phòng UBND tỉnh")
    assert "Văn phòng UBND tỉnh — Sáng 17/01/2025 sẽ gửi 1 thư" in text.stdout
    assert nv(env, "done", "TTHC/1.1", "--agency", "vp-ubnd").returncode == 0
    after = _sent(nv(env, "preview", "--days", "10", "--agency", "vp-ubnd", "--json"))
    assert [[i["code"] for i in m["items"]] for m in after] == [["2.1"]] * 3
    dry = _sent(nv(env, "dispatch", "--dry-run", "--json", "--now", "2025-01-17T08:00:00+07:00"))
    assert [i["code"] for m in dry if m["recipient"] == "vp-ubnd" for i in m["items"]] == ["2.1"]
    # Nothing was sent or claimed: the real dispatch sends the same.
    assert not list((tmp_path / "outbox").rglob("*.eml"))
    sent = _sent(nv(env, "dispatch", "--json", "--now", "2025-01-17T08:00:00+07:00"))
    assert sorted((m["recipient"], m["kind"]) for m in sent) == sorted(
        (m["recipient"], m["kind"]) for m in dry)
    assert nv(env, "preview", "--days", "0").returncode == 2

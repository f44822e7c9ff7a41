"""The engine parts of the web desk: the send preview (exactly what the dispatcher then sends,
nothing changed), closing a plan, agencies' links on their messages, the generated secret, and
the commands (`user`, `agency link`, `web`, `run` serving the desk)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from engine.dispatch.dispatcher import Dispatcher
from engine.dispatch.preview import Preview, next_slot
from engine.planning.planner import plan_plan
from engine.storage.models import AgencyLink, Notification, PlannedItem
from engine.tracking import agency_links as links
from engine.tracking.closing import close_plan, reopen_plan
from engine.tracking.lookup import find_task
from engine.tracking.plan_store import store_plan
from engine.tracking.records import complete_task, undo_completion
from notifiers.recording import RecordingNotifier
from tests.plan_factory import D, january_plan, runtime
from tests.web_support import TZ

SECRET = b"secret-for-the-web-desk-tests-only"


def _setup(url, today="2025-01-02"):
    rt = runtime(url)
    with rt.session() as s:
        summary = store_plan(s, january_plan(), rt.directory, calendar=rt.calendar)
        plan_plan(s, summary.plan_id, rt.planner, D(today), fresh=True)
        s.commit()
    return rt, summary.plan_id


def _dispatcher(rt, **kw) -> tuple[Dispatcher, RecordingNotifier]:
    rec = RecordingNotifier(channel="email")
    return Dispatcher(rt.engine, rt.directory, rt.calendar, rt.policy, [rec], worker="t",
                      **kw), rec


def _state(rt) -> tuple:
    with rt.session() as s:
        return (s.execute(select(PlannedItem.state, func.count()).group_by(PlannedItem.state)
                          .order_by(PlannedItem.state)).all(),
                s.scalar(select(func.count()).select_from(Notification)),
                s.scalar(select(func.count()).select_from(AgencyLink)))


@pytest.mark.parametrize("day", ["2025-01-17", "2025-01-23", "2025-02-03", "2025-02-17",
                                 "2025-03-18"])
async def test_the_preview_is_what_the_dispatcher_then_sends(db_url, day) -> None:
    """Days of the January plan (dates by hand): 17/01 the 5-day reminders of TTHC 1.1 (due
    24/01), 23/01 the 1-day one, 03/02 (Monday after Tết) its late notice; 17/02 the explanation
    request (late by more than 10 working days); 18/03 the Quý I report's day."""
    rt, _ = _setup(db_url)
    before = _state(rt)
    preview = Preview(rt.engine, rt.directory, rt.calendar, rt.policy).day(D(day))
    assert _state(rt) == before  # nothing claimed, settled or written
    assert preview.messages
    d, rec = _dispatcher(rt)
    await d.wake(rt.policy.slot_instant(D(day)))
    sent = {m.key: m for m in rec.sent}
    assert {m.key: m.items for m in preview.messages} == {k: m.items for k, m in sent.items()}
    assert {m.key: m.ongoing for m in preview.messages} == {k: m.ongoing for k, m in
                                                            sent.items()}


async def test_the_preview_counts_completions_and_later_days(sqlite_url) -> None:
    rt, _ = _setup(sqlite_url)
    p = Preview(rt.engine, rt.directory, rt.calendar, rt.policy)
    days = p.days(D("2025-01-16"), 3)  # Thursday 16, Friday 17, Monday 20/01/2025
    assert [x.day for x in days] == [D("2025-01-16"), D("2025-01-17"), D("2025-01-20")]
    assert any(i.code == "1.1" for m in days[1].messages for i in m.items)
    with rt.session() as s:
        complete_task(s, find_task(s, "TTHC/1.1"), "vp-ubnd", rt.planner, on=D("2025-01-15"),
                      today=D("2025-01-15"), document_no="1/KH")
        s.commit()
    again = p.day(D("2025-01-17"), first=False)
    assert not any(i.code == "1.1" for m in again.messages for i in m.items)
    assert next_slot(dt.datetime(2025, 1, 17, 7, 59, tzinfo=TZ), rt.calendar, rt.policy) == \
        D("2025-01-17")
    assert next_slot(dt.datetime(2025, 1, 17, 8, 0, tzinfo=TZ), rt.calendar, rt.policy) == \
        D("2025-01-20")  # Friday's 08:00 has passed: Monday


async def test_a_closed_plan_escalates_nothing(db_url) -> None:
    rt, plan_id = _setup(db_url)
    with rt.session() as s:
        cancelled = close_plan(s, plan_id, at=dt.datetime(2025, 1, 20, tzinfo=dt.UTC))
        s.commit()
        assert cancelled > 0
        assert s.scalar(select(func.count()).select_from(PlannedItem).where(
            PlannedItem.plan_id == plan_id, PlannedItem.state == "pending")) == 0
    # An undo re-plans the duty's items; the dispatcher still sends nothing of the plan.
    with rt.session() as s:
        complete_task(s, find_task(s, "TTHC/1.1"), "vp-ubnd", rt.planner, on=D("2025-01-20"),
                      today=D("2025-01-20"))
        undo_completion(s, rt.planner, agency_id="vp-ubnd", task=find_task(s, "TTHC/1.1"),
                        today=D("2025-01-20"))
        s.commit()
        assert s.scalar(select(func.count()).select_from(PlannedItem).where(
            PlannedItem.plan_id == plan_id, PlannedItem.state == "pending")) > 0
    d, rec = _dispatcher(rt)
    for day in ("2025-01-23", "2025-01-27", "2025-02-17", "2025-03-18", "2025-03-24"):
        await d.wake(rt.policy.slot_instant(D(day)))
    # Monday 24/03: the Steering Committee's digest leaves the closed plan's late items out
    # (it is the only plan: no digest at all).
    assert [m.kind for m in rec.sent] == []
    with rt.session() as s:
        reopen_plan(s, plan_id, rt.planner, D("2025-03-25"))
        s.commit()
    await d.wake(rt.policy.slot_instant(D("2025-03-31")))  # Monday: the digest again
    assert "steering_digest" in {m.kind for m in rec.sent}


def test_links_sign_verify_and_rotate(sqlite_url) -> None:
    rt, _ = _setup(sqlite_url)
    maker = links.LinkMaker(SECRET, "https://nhacviec.soctrang.gov.vn/")
    with rt.session() as s:
        url = maker(s, ["vp-ubnd", "no-such-agency"])
        s.commit()
        assert list(url) == ["vp-ubnd"]  # only agencies the database knows
        token = url["vp-ubnd"].removeprefix("https://nhacviec.soctrang.gov.vn/co-quan/")
        assert token.startswith("vp-ubnd.") and len(token) > 30
        assert links.verify(s, SECRET, token) == "vp-ubnd"
        assert maker(s, ["vp-ubnd"]) == url  # stable until rotated
        assert links.verify(s, b"another-secret-entirely", token) is None
        links.rotate(s, "vp-ubnd")
        s.commit()
        assert links.verify(s, SECRET, token) is None
        assert maker(s, ["vp-ubnd"])["vp-ubnd"] != url["vp-ubnd"]


async def test_messages_to_agencies_carry_their_link(sqlite_url, tmp_path) -> None:
    from notifiers.email.build import render_parts
    from notifiers.telegram.notifier import render_message

    rt, _ = _setup(sqlite_url)
    maker = links.LinkMaker(SECRET, "https://desk.example")
    d, rec = _dispatcher(rt, link_for=maker)
    await d.wake(rt.policy.slot_instant(D("2025-01-17")))
    await d.wake(rt.policy.slot_instant(D("2025-02-17")))
    with rt.session() as s:
        expected = maker(s, ["vp-ubnd"])["vp-ubnd"]
    digest = next(m for m in rec.sent if m.kind == "agency_digest"
                  and m.recipient.id == "vp-ubnd")
    request = next(m for m in rec.sent if m.kind == "explanation_request")
    for m in (digest, request):
        assert m.link == expected
        parts = render_parts(m)
        assert expected in parts.text and f'href="{expected}"' in parts.html
        assert expected in "".join(render_message(m))
    assert all(m.link is None for m in rec.sent if m.kind in ("monitor_list",
                                                              "steering_digest"))
    # Stored with the message: a retry carries it too.
    from core.payload import from_payload

    with rt.session() as s:
        payload = s.scalar(select(Notification.payload).where(Notification.key == digest.key))
    assert from_payload(payload).link == expected


def test_the_secret_is_generated_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    from engine.settings import Settings
    from engine.tracking.web_secret import secret_path, web_secret

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    first = web_secret(Settings(web_secret=None))
    path = secret_path()
    assert path.is_relative_to(tmp_path / "home")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert web_secret(Settings(web_secret=None)) == first and len(first) >= 32
    assert web_secret(Settings(web_secret="x" * 40)) == b"x" * 40


# --- the commands ------------------------------------------------------------------------------
@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    return {**keep, "NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'nv.sqlite'}",
            "NHACVIEC_WEB_SECRET": SECRET.decode(), "XDG_DATA_HOME": str(tmp_path / "data"),
            "NHACVIEC_OUTBOX_DIR": str(tmp_path / "outbox")}


def nv(env, *args, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                          text=True, env=env, input=stdin, timeout=120)


def test_user_commands(env) -> None:
    r = nv(env, "user", "add", "sonoivu", "--role", "admin", stdin="mat-khau-du-dai-1\n")
    assert r.returncode == 0 and "Đã thêm tài khoản «sonoivu» (vai trò admin)" in r.stdout
    assert "mat-khau" not in r.stdout + r.stderr
    r = nv(env, "user", "add", "bancd", "--role", "viewer", stdin="mat-khau-du-dai-2\n")
    assert r.returncode == 0
    r = nv(env, "user", "add", "sep", "--role", "boss", stdin="mat-khau-du-dai-3\n")
    assert r.returncode == 2 and "vai trò «boss» không có" in r.stderr
    r = nv(env, "user", "add", "ngan", "--role", "admin", stdin="ngan\n")
    assert r.returncode == 2 and "mật khẩu quá ngắn" in r.stderr
    r = nv(env, "user", "add", "sonoivu", "--role", "admin", stdin="mat-khau-du-dai-1\n")
    assert r.returncode == 1 and "đã có người dùng «sonoivu»" in r.stderr
    r = nv(env, "user", "list")
    assert "sonoivu" in r.stdout and "bancd" in r.stdout and "chỉ xem" in r.stdout
    assert nv(env, "user", "remove", "bancd").returncode == 0
    assert "bancd" not in nv(env, "user", "list").stdout
    r = nv(env, "user", "remove", "bancd")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_agency_link_command(env) -> None:
    env = {**env, "NHACVIEC_WEB_BASE_URL": "https://nhacviec.soctrang.gov.vn"}
    first = nv(env, "agency", "link", "Sở Tư pháp")
    assert first.returncode == 0, first.stderr
    url = first.stdout.strip()
    assert url.startswith("https://nhacviec.soctrang.gov.vn/co-quan/so-tu-phap.")
    assert nv(env, "agency", "link", "so-tu-phap").stdout.strip() == url
    rotated = nv(env, "agency", "link", "so-tu-phap", "--rotate").stdout.strip()
    assert rotated != url and rotated.startswith("https://nhacviec.soctrang.gov.vn/co-quan/")
    r = nv(env, "agency", "link", "khong-co-co-quan-nay")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, deadline: float) -> tuple[int, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status, r.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("how", ["web", "run"])
def test_the_desk_serves_and_stops_on_sigterm(env, how) -> None:
    port = _free_port()
    if how == "web":
        args = ["web", "--port", str(port)]
    else:
        args = ["run"]
        env = {**env, "NHACVIEC_WEB_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status, body = _get(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
        assert (status, body) == (200, "ok")
        status, body = _get(f"http://127.0.0.1:{port}/dang-nhap", time.monotonic() + 5)
        assert status == 200 and "Đăng nhập" in body
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert out.strip().endswith("Đã dừng trang điều hành." if how == "web"
                                else "Đã dừng dịch vụ.")


def test_web_on_a_port_in_use_says_so(env) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        r = nv(env, "web", "--port", str(port))
    assert r.returncode == 2 and "không mở được" in r.stderr and "Traceback" not in r.stderr


def test_no_explanation_for_a_deadline_not_yet_due(sqlite_url) -> None:
    from core.errors import InputError, NotFoundError
    from engine.storage.models import Deadline, ExplanationRequest
    from engine.tracking.records import answer_request

    rt, _ = _setup(sqlite_url)
    with rt.session() as s:
        did = s.scalar(select(Deadline.id).where(Deadline.due == D("2025-01-24")))
        req = ExplanationRequest(deadline_id=did, agency_id="vp-ubnd",
                                 requested_on=D("2025-01-10"))
        s.add(req)
        s.flush()
        with pytest.raises(InputError, match="không quá hạn"):  # due 24/01, asked on 20/01
            answer_request(s, req.id, "vp-ubnd", text="...", on=D("2025-01-20"))
        with pytest.raises(NotFoundError):  # another agency's request
            answer_request(s, req.id, "so-tu-phap", text="...", on=D("2025-02-20"))
        with pytest.raises(InputError, match="phải sau hôm nay"):
            answer_request(s, req.id, "vp-ubnd", text="...", on=D("2025-02-20"),
                           proposed_due=D("2025-02-19"))
        answer = answer_request(s, req.id, "vp-ubnd", text="Chậm do Tết", on=D("2025-02-20"),
                                proposed_due=D("2025-03-03"))
        assert (answer.proposed_due, answer.answered_by) == (D("2025-03-03"), "web")

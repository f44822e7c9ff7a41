"""Test doubles that speak the real protocols.

`FakeBotApi` is a small imitation of the Telegram Bot API over HTTP on 127.0.0.1. The real
python-telegram-bot `Bot`/`Application` talks to it through `base_url`, so updates arrive through
getUpdates (long poll) and replies leave through sendMessage exactly as in production. It runs in
a thread with its own event loop, so sync test code and the code under test (in the test's loop)
never block each other. Every call is recorded with its arrival time (`time.monotonic()`, the
same clock asyncio's loop uses); tests inject updates and can make chosen calls fail (429 with
retry_after, 400, 403, 401).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TOKEN = "123456:TEST-token_for-the-imitation"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    t: float  # arrival, time.monotonic()
    status: int = 200  # what the imitation answered

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        v = self.params.get("chat_id")
        return int(v) if v is not None else None


HOLD = 0  # a _Failure's status meaning: no answer at all


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    chat_id: int | None
    retry_after: int | None
    times: int
    skip: int = 0  # let this many matching calls through first


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    edits: list[str] = field(default_factory=list)

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


def _decode(raw: str) -> Any:
    # PTB sends every parameter form-encoded, objects and numbers as JSON text.
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class FakeBotApi:
    def __init__(self, token: str = TOKEN, *, username: str = "nhacviec_test_bot",
                 max_poll: float = 1.0) -> None:
        self.token = token
        self.username = username
        self.max_poll = max_poll  # cap on a getUpdates long poll, so tests end quickly
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.commands: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._failures: list[_Failure] = []
        self._next_update = itertools.count(1)
        self._next_message: dict[int, itertools.count] = {}
        self._next_query = itertools.count(1)
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Condition | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.unauthorized = False  # answer 401 to everything (a wrong token)

    # --- life cycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeBotApi:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)

            async def boot() -> None:
                self._new_update = asyncio.Condition()
                self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
                self.port = self._server.sockets[0].getsockname()[1]

            loop.run_until_complete(boot())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread:
            self._thread.join(10)
        self._loop = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests do ----------------------------------------------------------------------
    def fail(self, method: str, status: int, description: str = "", *, chat_id: int | None = None,
             retry_after: int | None = None, times: int = 1, skip: int = 0) -> None:
        """Answer `times` calls of `method` (to `chat_id`, if given) with an error, after
        letting `skip` of them through."""
        with self._lock:
            self._failures.append(_Failure(method, status, description or _PHRASES[status],
                                           chat_id, retry_after, times, skip))

    def hold(self, method: str, *, chat_id: int | None = None, skip: int = 0) -> None:
        """Never answer the next call of `method` (to `chat_id`, if given) after letting `skip`
        of them through: the request is read and nothing comes back, as for a sender that dies
        waiting (the held message is not stored)."""
        with self._lock:
            self._failures.append(_Failure(method, HOLD, "", chat_id, None, 1, skip))

    def push_message(self, chat_id: int, text: str | None, *, user_id: int | None = None,
                     first_name: str = "Cán bộ", **extra: Any) -> int:
        """A user writes `text` in `chat_id` (or, with `extra`, a service message such as
        migrate_to_chat_id); returns the update id."""
        user_id = user_id if user_id is not None else abs(chat_id)
        message: dict[str, Any] = {
            "message_id": self._message_id(chat_id), "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": user_id, "is_bot": False, "first_name": first_name}, **extra,
        }
        if text is not None:
            message["text"] = text
        if text and text.startswith("/"):
            word = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(word)}]
        return self._push({"message": message})

    def push_callback(self, chat_id: int, message_id: int, data: str, *,
                      user_id: int | None = None) -> int:
        """A user presses an inline button with `data` under the bot's message `message_id`."""
        stored = self.messages[(chat_id, message_id)]
        user_id = user_id if user_id is not None else abs(chat_id)
        query = {
            "id": str(next(self._next_query)), "chat_instance": str(chat_id), "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Cán bộ"},
            "message": self._message_json(stored),
        }
        return self._push({"callback_query": query})

    def sent(self, chat_id: int | None = None) -> list[StoredMessage]:
        """Messages the bot sent (accepted), in order, optionally to one chat."""
        with self._lock:
            out = [m for m in self.messages.values() if m.message_id > 0]
            return [m for m in out if chat_id is None or m.chat_id == chat_id]

    def calls_of(self, method: str, *, chat_id: int | None = None,
                 ok: bool | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and (chat_id is None or c.chat_id == chat_id)
                    and (ok is None or c.ok == ok)]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (in the caller's loop) until `predicate()` holds; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("the imitation did not see the expected calls in time")
            await asyncio.sleep(0.01)

    async def wait_sent(self, chat_id: int, n: int = 1, timeout: float = 10.0) -> list[str]:
        """Wait until `n` messages went to `chat_id`; return the texts of all of them."""
        await self.wait_for(lambda: len(self.sent(chat_id)) >= n, timeout)
        return [m.text for m in self.sent(chat_id)]

    # --- internals --------------------------------------------------------------------------
    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Nhóm {abs(chat_id)}"}
        return {"id": chat_id, "type": "private", "first_name": "Cán bộ"}

    def _message_id(self, chat_id: int) -> int:
        with self._lock:
            counter = self._next_message.setdefault(chat_id, itertools.count(1))
            return next(counter)

    def _push(self, update: dict[str, Any]) -> int:
        with self._lock:
            update["update_id"] = next(self._next_update)
            self._updates.append(update)
        loop = self._loop
        if loop is not None:
            asyncio.run_coroutine_threadsafe(self._notify(), loop).result(5)
        return update["update_id"]

    async def _notify(self) -> None:
        assert self._new_update is not None
        async with self._new_update:
            self._new_update.notify_all()

    def _message_json(self, m: StoredMessage) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": m.message_id, "date": int(time.time()), "chat": self._chat(m.chat_id),
            "text": m.edits[-1] if m.edits else m.text,
            "from": {"id": 123456, "is_bot": True, "first_name": "Nhắc việc",
                     "username": self.username},
        }
        if m.reply_markup:
            out["reply_markup"] = m.reply_markup
        return out

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        with self._lock:
            for f in self._failures:
                chat = params.get("chat_id")
                if f.method == method and (f.chat_id is None or f.chat_id == chat):
                    if f.skip > 0:
                        f.skip -= 1
                        return None
                    f.times -= 1
                    if f.times <= 0:
                        self._failures.remove(f)
                    return f
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _verb, target, _version = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, payload = await self._handle(target, headers, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    f"HTTP/1.1 {status} {_PHRASES.get(status, 'OK')}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode() + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, target: str, headers: dict[str, str],
                      body: bytes) -> tuple[int, dict[str, Any]]:
        path = urlsplit(target).path
        prefix, _, method = path.rpartition("/")
        if "json" in headers.get("content-type", ""):
            params = json.loads(body or b"{}")
        else:
            params = {k: _decode(v) for k, v in parse_qsl(body.decode(), keep_blank_values=True)}
        call = Call(method, params, time.monotonic())
        with self._lock:
            self.calls.append(call)
        if self.unauthorized or prefix != f"/bot{self.token}":
            call.status = 401
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        failure = self._take_failure(method, params)
        if failure is not None and failure.status == HOLD:
            await asyncio.Event().wait()  # until the imitation stops
        if failure is not None:
            call.status = failure.status
            out: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                   "description": failure.description}
            if failure.retry_after is not None:
                out["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, out
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            call.status = 404
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method"}
        try:
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except _ApiError as exc:
            call.status = exc.status
            return exc.status, {"ok": False, "error_code": exc.status, "description": str(exc)}
        return 200, {"ok": True, "result": result}

    # --- the methods ------------------------------------------------------------------------
    def _api_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"id": 123456, "is_bot": True, "first_name": "Nhắc việc",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _api_deleteWebhook(self, p: dict[str, Any]) -> bool:
        return True

    def _api_setMyCommands(self, p: dict[str, Any]) -> bool:
        self.commands = list(p.get("commands", []))
        return True

    def _api_getMyCommands(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    def _api_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        return True

    def _api_close(self, p: dict[str, Any]) -> bool:
        return True

    async def _api_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        wait = min(float(p.get("timeout") or 0), self.max_poll)

        def pending() -> list[dict[str, Any]]:
            with self._lock:
                # Confirming an offset forgets the updates before it, as Telegram does.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                return list(self._updates)

        assert self._new_update is not None
        async with self._new_update:
            if not pending() and wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait_for(lambda: bool(pending())),
                                           wait)
        return pending()

    def _api_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        text = _check_text(p)
        m = StoredMessage(chat_id, self._message_id(chat_id), text, p.get("parse_mode"),
                          p.get("reply_markup"))
        with self._lock:
            self.messages[(chat_id, m.message_id)] = m
        return self._message_json(m)

    def _api_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        with self._lock:
            m = self.messages[(chat_id, message_id)]
            m.edits.append(_check_text(p))
            m.reply_markup = p.get("reply_markup")
        return self._message_json(m)


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


_TAG = re.compile(r"<(/?)([a-z-]+)((?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
            "blockquote", "tg-spoiler", "span"}
MAX_TEXT = 4096


def _check_text(p: dict[str, Any]) -> str:
    """What Telegram checks: text present, HTML well formed, at most 4096 characters after
    the markup is parsed (counted in UTF-16 code units)."""
    text = str(p.get("text", ""))
    plain = text
    if p.get("parse_mode") == "HTML":
        out, stack, i = [], [], 0
        while i < len(text):
            ch = text[i]
            if ch == "<":
                m = _TAG.match(text, i)
                if not m or m.group(2) not in _ALLOWED:
                    raise _ApiError(400, f"Bad Request: can't parse entities: "
                                         f"unsupported start tag at byte offset {i}")
                if m.group(1):
                    if not stack or stack.pop() != m.group(2):
                        raise _ApiError(400, "Bad Request: can't parse entities: "
                                             f"unmatched end tag at byte offset {i}")
                else:
                    stack.append(m.group(2))
                i = m.end()
            elif ch == "&":
                m = _ENTITY.match(text, i)
                if not m:
                    raise _ApiError(400, "Bad Request: can't parse entities: "
                                         f"unsupported entity at byte offset {i}")
                out.append("x")
                i = m.end()
            elif ch == ">":
                raise _ApiError(400, "Bad Request: can't parse entities: unexpected '>'")
            else:
                out.append(ch)
                i += 1
        if stack:
            raise _ApiError(400, "Bad Request: can't parse entities: unclosed start tag")
        plain = "".join(out)
    if not plain.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    if len(plain.encode("utf-16-le")) // 2 > MAX_TEXT:
        raise _ApiError(400, "Bad Request: message is too long")
    return text


_PHRASES = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}


# --- Telegram test data ---------------------------------------------------------------------
# A small plan written by hand for the bot's tests: two departments, one task of each kind of
# interest. Today (for these tests) is Monday 10/02/2025, 09:00 in Sóc Trăng.
TODAY_TEXT = "2025-02-10T09:00:00+07:00"


def seed_plan(engine: Any, tasks: list[dict[str, Any]] | None = None,
              plan_number: str = "196/KH-UBND") -> dict[tuple[str, str, str], int]:
    """Insert a plan, its tasks, deadlines and duties; return {(code, due ISO, agency): deadline
    id}. Each task: code, title, group, lead (ids), support (ids), due (ISO dates), labels."""
    import datetime as dt

    from sqlmodel import Session

    from engine.directory.agencies import Directory
    from engine.storage.models import (
        Agency,
        Assignment,
        Deadline,
        Duty,
        Plan,
        ReportObligation,
        ReportPeriod,
        Task,
    )

    directory = Directory.bundled()
    tasks = tasks if tasks is not None else DEFAULT_TASKS
    out: dict[tuple[str, str, str], int] = {}
    with Session(engine) as s:
        for a in directory:
            if a.is_single and s.get(Agency, a.id) is None:
                s.add(Agency(id=a.id, name=a.name, kind=a.kind, reports=a.reports, role=a.role))
        plan = Plan(number=plan_number, year=2025, data_entry_url="https://cchc.example.org/nhap")
        s.add(plan)
        s.flush()
        for pos, t in enumerate(tasks):
            task = Task(plan_id=plan.id, group_name=t.get("group", "Cải cách TTHC"),
                        code=t["code"], title=t["title"], position=pos, kind="fixed")
            s.add(task)
            s.flush()
            roles = [(a, "lead") for a in t.get("lead", ())] + \
                    [(a, "support") for a in t.get("support", ())]
            for agency, role in roles:
                s.add(Assignment(task_id=task.id, agency_id=agency, role=role))
            for i, due in enumerate(t["due"]):
                labels = t.get("labels", ())
                d = Deadline(task_id=task.id, due=dt.date.fromisoformat(due),
                             label=labels[i] if i < len(labels) else None)
                s.add(d)
                s.flush()
                for agency, role in roles:
                    s.add(Duty(deadline_id=d.id, agency_id=agency, role=role))
                    out[(t["code"], due, agency)] = d.id  # type: ignore[assignment]
        for pos, (name, frm, to, due) in enumerate(REPORT_PERIODS):
            period = ReportPeriod(plan_id=plan.id, name=name, position=pos,
                                  cutoff_from=dt.date.fromisoformat(frm),
                                  cutoff_to=dt.date.fromisoformat(to),
                                  deadline=dt.date.fromisoformat(due))
            s.add(period)
            s.flush()
            for agency in ("so-tu-phap", "so-tai-chinh"):
                s.add(ReportObligation(period_id=period.id, agency_id=agency))
        s.commit()
    return out


DEFAULT_TASKS: list[dict[str, Any]] = [
    {"code": "1.1", "title": "Rà soát thủ tục <nội bộ> & đơn giản hóa", "lead": ["so-tu-phap"],
     "due": ["2025-01-24"]},  # late: Tết 2025 ran 25/01-02/02
    {"code": "1.2", "title": "Công bố danh mục TTHC", "lead": ["so-tu-phap"],
     "support": ["so-tai-chinh"], "due": ["2025-02-14"]},
    {"code": "1.3", "title": "Báo cáo kết quả kiểm soát TTHC", "lead": ["so-tu-phap"],
     "due": ["2025-06-18", "2025-12-18"], "labels": ["Báo cáo 6 tháng", "Báo cáo năm"]},
    {"code": "2.1", "title": "Xây dựng kế hoạch tài chính công",
     "group": "Cải cách tài chính công", "lead": ["so-tai-chinh"], "due": ["2025-02-11"]},
]
# Section IV of the seed plan: report deadlines and their data cut-off windows.
REPORT_PERIODS = [
    ("Quý I", "2024-12-15", "2025-03-14", "2025-03-18"),
    ("6 tháng", "2024-12-15", "2025-06-14", "2025-06-18"),
]

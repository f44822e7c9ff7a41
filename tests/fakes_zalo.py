"""A local HTTP imitation of the Zalo Bot API, on 127.0.0.1 (port 0), in a thread of its own.

What it answers, as the platform documents it (contract section 8; the behaviours clients of the
platform rely on): `POST /bot{TOKEN}/{method}` with a JSON body, answered `{"ok": true,
"result": ...}` or `{"ok": false, "error_code": N, "description": "..."}` with N as the HTTP
status.

- getMe; getUpdates (`timeout` in seconds, capped by `max_poll` so tests end quickly) returns
  ONE update per call, `{"event_name": "message.text.received", "message": {...}}`, the oldest
  first, and error 408 "Request timeout" when nothing came; refused (400) while a webhook is set.
- sendMessage: `chat_id` and `text`; 400 on a missing or blank text, 400 on more than 2,000
  characters; returns `{"message_id", "date"}` (ids are strings, dates in milliseconds).
- sendPhoto (`photo`: an http(s) URL, `caption` up to 2,000), sendChatAction (`typing`,
  `upload_photo`).
- setWebhook (`url` https, `secret_token` of 8 to 256 characters), deleteWebhook,
  getWebhookInfo.
- its own rate limit on the sends (sendMessage, sendPhoto), the figures the client assumes
  (`notifiers.zalo.limits.ZaloLimits`): one per second per chat, 20 in any one second overall;
  beyond, 429 with `parameters.retry_after` = 1 (counted on arrival times; refused sends do not
  count).
- on demand: any status for chosen calls (`fail`: a 429 with retry_after, a 5xx ...), a chat
  that blocked the bot (`block`: 403) or is gone (`forget_chat`: 400 "chat not found"), and a
  call never answered (`hold`), as for a sender that dies waiting.

Every call is recorded with its arrival time (`time.monotonic()`, the clock asyncio uses).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

TOKEN = "3456789012345678901:zalo-TEST_token-for-the-imitation"
MAX_TEXT = 2000
HOLD = 0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    t: float
    status: int = 200

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> str | None:
        v = self.params.get("chat_id")
        return None if v is None else str(v)


@dataclass
class Sent:
    chat_id: str
    message_id: str
    text: str
    kind: str = "text"  # text | photo
    t: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    chat_id: str | None
    retry_after: int | None
    times: int
    skip: int = 0


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status


_PHRASES = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 408: "Request Timeout", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class FakeZaloApi:
    def __init__(self, token: str = TOKEN, *, max_poll: float = 1.0,
                 rate_limit: bool = True, per_chat_interval: float = 1.0,
                 overall: int = 20) -> None:
        self.token = token
        self.max_poll = max_poll
        self.rate_limit = rate_limit
        self.per_chat_interval = per_chat_interval
        self.overall = overall
        self.calls: list[Call] = []
        self.messages: list[Sent] = []
        self.blocked: set[str] = set()
        self.gone: set[str] = set()
        self.webhook: dict[str, Any] | None = None
        self._updates: list[dict[str, Any]] = []
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._accepted: list[tuple[float, str]] = []  # (arrival, chat) of sends that counted
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Condition | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- life cycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> FakeZaloApi:
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

        self._thread = threading.Thread(target=run, name="fake-zalo-api", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread:
            self._thread.join(10)
        self._loop = None

    def __enter__(self) -> FakeZaloApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests do ----------------------------------------------------------------------
    def fail(self, method: str, status: int, description: str = "", *,
             chat_id: str | None = None, retry_after: int | None = None, times: int = 1,
             skip: int = 0) -> None:
        """Answer `times` calls of `method` (to `chat_id`, if given) with `status`, after
        letting `skip` of them through."""
        with self._lock:
            self._failures.append(_Failure(method, status,
                                           description or _PHRASES.get(status, "Error"),
                                           chat_id, retry_after, times, skip))

    def hold(self, method: str, *, chat_id: str | None = None, skip: int = 0) -> None:
        """Never answer the next call of `method` (to `chat_id`) after `skip` of them."""
        with self._lock:
            self._failures.append(_Failure(method, HOLD, "", chat_id, None, 1, skip))

    def block(self, chat_id: str) -> None:
        """The chat blocked the bot: every send to it is refused with 403."""
        with self._lock:
            self.blocked.add(chat_id)

    def forget_chat(self, chat_id: str) -> None:
        """The chat is gone: sends to it are refused with 400 "chat not found"."""
        with self._lock:
            self.gone.add(chat_id)

    def push_message(self, chat_id: str, text: str, *, user_id: str | None = None,
                     name: str = "Cán bộ", chat_type: str = "PRIVATE") -> dict[str, Any]:
        """A user writes `text` in `chat_id`; the update getUpdates will hand out."""
        update = {
            "event_name": "message.text.received",
            "message": {
                "message_id": f"in{next(self._ids):08x}",
                "date": int(time.time() * 1000),
                "text": text,
                "chat": {"id": chat_id, "chat_type": chat_type},
                "from": {"id": user_id or chat_id, "display_name": name, "is_bot": False},
            },
        }
        with self._lock:
            self._updates.append(update)
        loop = self._loop
        if loop is not None:
            asyncio.run_coroutine_threadsafe(self._notify(), loop).result(5)
        return update

    def sent(self, chat_id: str | None = None) -> list[Sent]:
        with self._lock:
            return [m for m in self.messages if chat_id is None or m.chat_id == chat_id]

    def texts(self, chat_id: str) -> list[str]:
        return [m.text for m in self.sent(chat_id)]

    def calls_of(self, method: str, *, chat_id: str | None = None,
                 ok: bool | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and (chat_id is None or c.chat_id == chat_id)
                    and (ok is None or c.ok == ok)]

    @property
    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("the Zalo imitation did not see the expected calls in time")
            await asyncio.sleep(0.01)

    async def wait_sent(self, chat_id: str, n: int = 1, timeout: float = 10.0) -> list[str]:
        await self.wait_for(lambda: len(self.sent(chat_id)) >= n, timeout)
        return self.texts(chat_id)

    def wait_sent_sync(self, chat_id: str, n: int = 1, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.sent(chat_id)) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"{chat_id}: {len(self.sent(chat_id))} of {n} messages")
            time.sleep(0.02)
        return self.texts(chat_id)

    # --- internals --------------------------------------------------------------------------
    async def _notify(self) -> None:
        assert self._new_update is not None
        async with self._new_update:
            self._new_update.notify_all()

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        chat = params.get("chat_id")
        with self._lock:
            for f in self._failures:
                if f.method == method and (f.chat_id is None or f.chat_id == str(chat)):
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
                status, payload = await self._handle(target, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    f"HTTP/1.1 {status} {_PHRASES.get(status, 'Error')}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode() + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
        prefix, _, method = urlsplit(target).path.rpartition("/")
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        if not isinstance(params, dict):
            params = {}
        call = Call(method, params, time.monotonic())
        with self._lock:
            self.calls.append(call)
        if prefix != f"/bot{self.token}":
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
        try:
            if handler is None:
                raise _ApiError(404, "Not Found: method")
            result = handler(params, call.t)
            if asyncio.iscoroutine(result):
                result = await result
        except _ApiError as exc:
            call.status = exc.status
            out = {"ok": False, "error_code": exc.status, "description": str(exc)}
            if exc.status == 429:
                out["parameters"] = {"retry_after": 1}
            return exc.status, out
        return 200, {"ok": True, "result": result}

    def _send_allowed(self, chat: str, t: float) -> None:
        """The imitation's own flood control, on arrival times."""
        if chat in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if chat in self.gone:
            raise _ApiError(400, "Bad Request: chat not found")
        if not self.rate_limit:
            return
        with self._lock:
            recent = [(a, c) for a, c in self._accepted if a > t - 60]
            self._accepted = recent
            if any(c == chat and a > t - self.per_chat_interval for a, c in recent):
                raise _ApiError(429, "Too Many Requests: one message per second per chat")
            if sum(1 for a, _ in recent if a > t - 1.0) >= self.overall:
                raise _ApiError(429, f"Too Many Requests: {self.overall} messages per second")

    def _store(self, chat: str, text: str, kind: str, t: float) -> dict[str, Any]:
        mid = f"m{next(self._ids):010x}"
        with self._lock:
            self._accepted.append((t, chat))
            self.messages.append(Sent(chat, mid, text, kind, t))
        return {"message_id": mid, "date": int(time.time() * 1000)}

    # --- the methods ------------------------------------------------------------------------
    def _api_getMe(self, p: dict[str, Any], t: float) -> dict[str, Any]:
        return {"id": "1234567890123456789", "account_name": "bot.nhacviec",
                "account_type": "BASIC", "can_join_groups": False}

    async def _api_getUpdates(self, p: dict[str, Any], t: float) -> dict[str, Any]:
        if self.webhook is not None:
            raise _ApiError(400, "Bad Request: webhook is set, getUpdates is not available")
        try:
            wait = min(float(p.get("timeout") or 0), self.max_poll)
        except (TypeError, ValueError):
            wait = 0.0

        def take() -> dict[str, Any] | None:
            with self._lock:
                return self._updates.pop(0) if self._updates else None

        assert self._new_update is not None
        update = take()
        if update is None and wait > 0:
            async with self._new_update:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._new_update.wait_for(lambda: self.pending_updates > 0), wait)
            update = take()
        if update is None:
            raise _ApiError(408, "Request timeout")
        return update

    def _api_sendMessage(self, p: dict[str, Any], t: float) -> dict[str, Any]:
        chat = str(p.get("chat_id") or "")
        if not chat:
            raise _ApiError(400, "Bad Request: chat_id is required")
        text = p.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: text is empty")
        if len(text) > MAX_TEXT:
            raise _ApiError(400, f"Bad Request: text is too long ({len(text)} > {MAX_TEXT})")
        self._send_allowed(chat, t)
        return self._store(chat, text, "text", t)

    def _api_sendPhoto(self, p: dict[str, Any], t: float) -> dict[str, Any]:
        chat = str(p.get("chat_id") or "")
        photo = str(p.get("photo") or "")
        if not chat or not photo.startswith(("http://", "https://")):
            raise _ApiError(400, "Bad Request: photo must be an http(s) URL")
        caption = p.get("caption") or ""
        if len(caption) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: caption is too long")
        self._send_allowed(chat, t)
        return self._store(chat, caption or photo, "photo", t)

    def _api_sendChatAction(self, p: dict[str, Any], t: float) -> bool:
        if p.get("action") not in ("typing", "upload_photo") or not p.get("chat_id"):
            raise _ApiError(400, "Bad Request: unknown action")
        return True

    def _api_setWebhook(self, p: dict[str, Any], t: float) -> dict[str, Any]:
        url, secret = str(p.get("url") or ""), str(p.get("secret_token") or "")
        if not url.startswith("https://"):
            raise _ApiError(400, "Bad Request: webhook url must be https")
        if not 8 <= len(secret) <= 256:
            raise _ApiError(400, "Bad Request: secret_token must be 8 to 256 characters")
        self.webhook = {"url": url, "secret_token": secret,
                        "updated_at": int(time.time() * 1000)}
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    def _api_deleteWebhook(self, p: dict[str, Any], t: float) -> dict[str, Any]:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    def _api_getWebhookInfo(self, p: dict[str, Any], t: float) -> dict[str, Any]:
        if self.webhook is None:
            return {"url": ""}
        return {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"],
                "has_custom_certificate": False}

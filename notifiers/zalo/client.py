"""A small typed client of the Zalo Bot API on httpx.

`POST {base}{token}/{method}` with a JSON body; answers `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": "..."}` (contract section 8). Why not a library:
see the README ("Zalo"). What it adds to a bare POST:

- timeouts on every call (a long poll waits its own timeout plus a margin);
- the pacing of `notifiers.zalo.limits` for every request naming a chat, and a 429 waited out;
- retries with exponential backoff on a 5xx answer and on network errors where the request
  cannot have reached the platform (no connection, pool timeout); a send whose answer was lost
  on the way back is *not* repeated (it may have been delivered) but reported as
  `ZaloUncertain`; `max_attempts` tries in all, then `ZaloUnavailable`;
- the token never printed: the request URL holds it, so no error text ever contains the URL,
  every text the client produces goes through `mask`, and httpx's own request log lines are
  held at WARNING and filtered.

Errors (every one a `ZaloError`, with `.code`, the HTTP status or `error_code`, and
`.description`, the platform's words):

    ZaloError
    ├── ZaloUnauthorized (ValueError)   401/404 on the bot: a wrong or revoked token
    ├── ZaloBadRequest                  400: text empty or too long, chat id malformed
    ├── ZaloChatUnreachable             403, or a chat the platform does not know: the chat
    │                                   blocked the bot or is gone; permanent for that chat
    ├── ZaloRetryAfter                  429 still, after `max_retries` waits
    ├── ZaloUnavailable (ConnectionError)  5xx or network, beyond the retry budget
    └── ZaloUncertain (ConnectionError)    the answer to a send was lost: delivered or not
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from notifiers.zalo.limits import ZaloRateLimiter

log = logging.getLogger(__name__)

SEND_METHODS = frozenset({"sendMessage", "sendPhoto"})
CHAT_METHODS = SEND_METHODS | {"sendChatAction"}
POLL_MARGIN = 10.0  # seconds a long poll may take beyond its own timeout
# Words the platform (and its imitation) uses for a chat that will never take a message.
_GONE = ("blocked", "not found", "chat gone", "không tồn tại", "đã chặn", "deactivated",
         "kicked", "not a member")


class ZaloError(Exception):
    def __init__(self, message: str, *, code: int | None = None, description: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class ZaloStopped(ZaloError):
    """The request's turn came after the service began to stop: it was not sent."""


class ZaloUnauthorized(ZaloError, ValueError):
    """The token is wrong or revoked."""


class ZaloBadRequest(ZaloError):
    """The platform refused the request as written."""


class ZaloChatUnreachable(ZaloError):
    """The chat blocked the bot, left, or does not exist."""


class ZaloRetryAfter(ZaloError):
    """Still 429 after waiting it out `max_retries` times."""


class ZaloUnavailable(ZaloError, ConnectionError):
    """The platform could not be reached, or answered 5xx, `max_attempts` times."""


class ZaloUncertain(ZaloError, ConnectionError):
    """A send went out and its answer never came back."""


# --- the token, never printed ---------------------------------------------------------------
class _RedactSecrets(logging.Filter):
    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        hidden = mask(text)
        if hidden != text:
            record.msg, record.args = hidden, ()
        return True


def mask(text: str) -> str:
    """`text` with every token this process uses replaced by <token>."""
    for secret in _RedactSecrets.secrets:
        if secret and secret in text:
            text = text.replace(secret, "<token>")
    return text


def _guard_logs(token: str) -> None:
    _RedactSecrets.secrets.add(token)
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:  # request lines (with the URL) only from WARNING up
            logger.setLevel(logging.WARNING)
        if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
            logger.addFilter(_RedactSecrets())


class ZaloClient:
    def __init__(self, token: str, base_url: str = "https://bot-api.zaloplatforms.com/bot", *,
                 limiter: ZaloRateLimiter | None = None, timeout: float = 30.0,
                 max_attempts: int = 3, backoff: float = 0.5, backoff_max: float = 8.0,
                 max_connections: int = 64) -> None:
        if not token.strip():
            raise ZaloUnauthorized("chưa có mã bot Zalo")
        self._token = token.strip()
        _guard_logs(self._token)
        self._base = base_url
        self.limiter = limiter or ZaloRateLimiter()
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff, self.backoff_max = backoff, backoff_max
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=max_connections,
                                max_keepalive_connections=max_connections))
        self.attempts = 0  # HTTP requests made (tests, logs)

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> ZaloClient:
        token = settings.zalo_token
        if token is None or not token.get_secret_value().strip():
            raise ZaloUnauthorized("chưa đặt mã bot Zalo (biến môi trường NHACVIEC_ZALO_TOKEN)")
        return cls(token.get_secret_value(), settings.zalo_base_url, **kw)

    async def aclose(self) -> None:
        await self._http.aclose()
        self.limiter.close()

    # --- the methods ------------------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        return await self.call("getMe", {})

    async def get_updates(self, timeout: float = 30) -> dict[str, Any] | None:
        """One update, or None when nothing came within `timeout` seconds (error 408)."""
        try:
            return await self.call("getUpdates", {"timeout": str(int(timeout))},
                                   timeout=timeout + POLL_MARGIN)
        except ZaloError as exc:
            if exc.code == 408:
                return None
            raise

    async def send_message(self, chat_id: str, text: str, *,
                           stop: Callable[[], bool] | None = None) -> dict[str, Any]:
        """`stop`, when it answers True as the message's turn comes, keeps it from going
        (`ZaloStopped`): a stopping service sends nothing more."""
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text}, stop=stop)

    async def send_photo(self, chat_id: str, photo: str,
                         caption: str | None = None) -> dict[str, Any]:
        params = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook", {})

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.call("getWebhookInfo", {})

    # --- one call ---------------------------------------------------------------------------
    async def call(self, method: str, params: Mapping[str, Any], *,
                   timeout: float | None = None, stop: Callable[[], bool] | None = None) -> Any:
        chat = params.get("chat_id") if method in CHAT_METHODS else None
        attempt = 0
        waits = 0
        while True:
            attempt += 1
            slot = None
            if chat is not None:
                # A request sent again keeps its place at the head of its chat.
                slot = await self.limiter.acquire(str(chat), method in SEND_METHODS,
                                                  front=attempt + waits > 1)
            else:
                await self.limiter.wait_pause()
            try:
                if stop is not None and stop():
                    raise ZaloStopped(f"{method}: chưa gửi, dịch vụ đang dừng")
                return await self._once(method, params, timeout)
            except ZaloRetryAfter as exc:
                self.limiter.retries += 1
                waits += 1
                delay = exc.retry_after or 1.0
                log.warning("Zalo yêu cầu chờ %.0f giây (%s, lần %d)", delay, method, waits)
                self.limiter.pause(delay)
                if waits > self.limiter.limits.max_retries:
                    raise
                attempt -= 1  # a 429 is not one of the attempts the backoff counts
            except ZaloUnavailable:
                if attempt >= self.max_attempts:
                    raise
                delay = min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
                log.info("Zalo %s: thử lại sau %.1f giây (lần %d)", method, delay, attempt)
                if slot is not None:
                    self.limiter.release(slot)
                    slot = None
                await asyncio.sleep(delay)
            finally:
                if slot is not None:
                    self.limiter.release(slot)

    async def _once(self, method: str, params: Mapping[str, Any],
                    timeout: float | None) -> Any:
        self.attempts += 1
        url = f"{self._base}{self._token}/{method}"
        wait = httpx.Timeout(timeout) if timeout is not None else httpx.USE_CLIENT_DEFAULT
        try:
            response = await self._http.post(url, json=dict(params), timeout=wait)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Never reached the platform: safe to try again.
            raise ZaloUnavailable(mask(f"không kết nối được máy chủ Zalo ({type(exc).__name__}"
                                       f": {exc})")) from None
        except httpx.TransportError as exc:
            if method in SEND_METHODS:
                raise ZaloUncertain(mask(f"mất kết nối khi chờ Zalo trả lời ({type(exc).__name__})"
                                         )) from None
            raise ZaloUnavailable(mask(f"lỗi mạng khi gọi Zalo ({type(exc).__name__}: {exc})")
                                  ) from None
        return _result(method, response)


def _result(method: str, response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    if response.status_code == 200 and body.get("ok") is True:
        return body.get("result")
    code = body.get("error_code") or response.status_code
    try:
        code = int(code)
    except (TypeError, ValueError):
        code = response.status_code
    description = mask(str(body.get("description") or response.reason_phrase or ""))[:300]
    text = f"Zalo {method}: {code} {description}".strip()
    if code == 429 or response.status_code == 429:
        params = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        after = params.get("retry_after") or response.headers.get("retry-after")
        try:
            seconds = float(after) if after is not None else None
        except ValueError:
            seconds = None
        raise ZaloRetryAfter(text, code=429, description=description, retry_after=seconds)
    if code == 401 or (code == 404 and method == "getMe"):
        raise ZaloUnauthorized(text, code=code, description=description)
    if code >= 500:
        raise ZaloUnavailable(text, code=code, description=description)
    lowered = description.lower()
    if code == 403 or (code in (400, 404) and any(w in lowered for w in _GONE)):
        raise ZaloChatUnreachable(text, code=code, description=description)
    if code == 400:
        raise ZaloBadRequest(text, code=code, description=description)
    raise ZaloError(text, code=code, description=description)

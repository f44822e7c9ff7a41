"""How the Zalo bot receives what chats write: long polling by default (it works behind a
province's firewall: only outgoing requests), or a webhook the web desk serves when
NHACVIEC_ZALO_WEBHOOK_URL is set.

Long polling: `getUpdates` hands out one update per call, or error 408 when nothing came within
its timeout; the webhook is deleted first (the platform serves one or the other). Each update is
admitted as it arrives (`ZaloBot.admit`: the chat's command limit, before any work), then
answered in a task of its own, in its chat's lane (`notifiers.bot_guard.ChatLanes`: one at a
time per chat, at most LANE_SLOTS chats at once), so a slow answer never holds the next poll and
a flooding chat never holds the other chats; `stop()` ends the poll, drops the updates not
started yet and lets the answers in flight finish.

Webhook: `setWebhook(url, secret)` at start; Zalo then POSTs each update to the web desk with
the secret in the `X-Bot-Api-Secret-Token` header. The desk mounts `handle_webhook_update` in one
line (FastAPI: ``status, body = await handle_webhook_update(request.headers, await
request.body())``); it checks the secret in constant time, answers at once and handles the
update in the background. The secret is NHACVIEC_ZALO_WEBHOOK_SECRET, or one derived from the
token (HMAC-SHA256), so the desk needs no setting of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from notifiers.bot_guard import ChatLanes
from notifiers.zalo.bot import Job, ZaloBot
from notifiers.zalo.client import ZaloClient, ZaloError, ZaloUnauthorized

log = logging.getLogger(__name__)

POLL_TIMEOUT = 30  # seconds of one getUpdates long poll
SECRET_HEADER = "x-bot-api-secret-token"
MAX_BODY = 1 << 20


def webhook_secret(settings: Any) -> str:
    """The secret Zalo sends back with each update: the setting, or derived from the token."""
    if settings.zalo_webhook_secret is not None:
        return settings.zalo_webhook_secret.get_secret_value()
    token = settings.zalo_token.get_secret_value().strip()
    return hmac.new(token.encode(), b"nhacviec/zalo-webhook", hashlib.sha256).hexdigest()[:48]


class Receiver:
    """Feeds a `ZaloBot` with updates, by long polling or from the webhook."""

    def __init__(self, bot: ZaloBot, client: ZaloClient, *, webhook_url: str | None = None,
                 secret: str = "", poll_timeout: float = POLL_TIMEOUT) -> None:
        self.bot = bot
        self.client = client
        self.webhook_url = webhook_url
        self.secret = secret
        self.poll_timeout = poll_timeout
        self._stop = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.lanes = ChatLanes()
        self.me: dict[str, Any] = {}

    async def start(self) -> None:
        """getMe (a wrong token stops here), then the webhook or the polling."""
        from core.errors import ConfigError

        try:
            self.me = await self.client.get_me() or {}
            if self.webhook_url:
                await self.client.set_webhook(self.webhook_url, self.secret)
            else:
                await self.client.delete_webhook()
        except ZaloUnauthorized as exc:
            raise ConfigError("mã bot Zalo (NHACVIEC_ZALO_TOKEN) không hợp lệ hoặc đã bị thu "
                              "hồi: máy chủ Zalo từ chối đăng nhập") from exc
        except ZaloError as exc:
            raise ConfigError(f"không khởi động được bot Zalo ({exc})") from exc
        global _active
        if self.webhook_url:
            _active = self
            log.info("Bot Zalo %s nhận tin qua webhook %s", self.me.get("account_name", ""),
                     self.webhook_url)
        else:
            self._poller = asyncio.create_task(self._poll(), name="zalo-poll")
            log.info("Bot Zalo %s đã sẵn sàng (long polling)", self.me.get("account_name", ""))

    async def stop(self) -> None:
        """Stop receiving; answers in flight finish (their replies go out)."""
        global _active
        if _active is self:
            _active = None
        self._stop.set()
        self.lanes.close()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def feed(self, update: dict[str, Any]) -> asyncio.Task[None] | None:
        """Admit the update now; answer it in a task (None: ignored, nothing to do)."""
        job = self.bot.admit(update)
        if job is None:
            return None
        task = asyncio.create_task(self._answer(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _answer(self, job: Job) -> None:
        if job.text is None:  # "too many": told outside the lane, which the flood fills
            await self.bot.answer(job)
            return
        await self.lanes.run(job.chat, self.bot.answer(job))

    async def _poll(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                update = await self.client.get_updates(self.poll_timeout)
                failures = 0
            except ZaloUnauthorized:
                log.error("Bot Zalo: máy chủ Zalo từ chối mã bot; ngừng nhận tin")
                return
            except ZaloError as exc:
                failures += 1
                delay = min(2.0 ** failures, 60.0)
                log.warning("Bot Zalo: không nhận được tin (%s); thử lại sau %.0f giây", exc,
                            delay)
                await asyncio.sleep(delay)
                continue
            if update:
                self.feed(update)


_active: Receiver | None = None


async def handle_webhook_update(headers: Mapping[str, str], body: bytes
                                ) -> tuple[int, bytes]:
    """One POST from Zalo to the webhook: (HTTP status, response body). 401 without the right
    secret, 400 for a body that is not an update, 503 when the bot is not running in webhook
    mode in this process, else 200 at once (the update is answered in the background)."""
    receiver = _active
    if receiver is None:
        return 503, b"bot Zalo chua chay"
    given = next((v for k, v in headers.items() if k.lower() == SECRET_HEADER), "")
    if not hmac.compare_digest(str(given).encode(), receiver.secret.encode()):
        return 401, b"unauthorized"
    if len(body) > MAX_BODY:
        return 413, b"too large"
    try:
        data = json.loads(body or b"")
    except ValueError:
        return 400, b"bad request"
    # Zalo posts the update itself; accept it wrapped as getUpdates answers too.
    if isinstance(data, dict) and data.get("ok") is True and isinstance(data.get("result"), dict):
        data = data["result"]
    if not isinstance(data, dict) or not data.get("event_name"):
        return 400, b"bad request"
    receiver.feed(data)
    return 200, b"ok"

"""The channels the settings configure, as Notifier objects for the dispatcher.

Email is always on: SMTP when NHACVIEC_SMTP_HOST is set, otherwise `.eml` files in the outbox
folder (the embedded default). Telegram is on when NHACVIEC_TELEGRAM_TOKEN is set, Zalo when
NHACVIEC_ZALO_TOKEN is. The notifier modules are imported only when used, so the engine runs
without their optional dependencies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.errors import ConfigError
from core.notifier import Notifier
from engine.directory.agencies import Directory
from engine.settings import Settings
from notifiers.recording import RecordingNotifier


def build_notifiers(settings: Settings, *, record: bool = False,
                    telegram: bool = True, zalo: bool = True,
                    link_for: Callable[[str], str | None] | None = None) -> list[Notifier]:
    """The configured channels; with `record`, recording stand-ins named like them (email, and
    telegram / zalo when their token is set), which send nothing. `link_for(agency_id)`: the
    agency's personal web address, for the chat channels that put it in each message."""
    wants_telegram = telegram and settings.telegram_token is not None
    wants_zalo = zalo and settings.zalo_token is not None
    if record:
        out: list[Notifier] = [RecordingNotifier(channel="email")]
        if wants_telegram:
            out.append(RecordingNotifier(channel="telegram"))
        if wants_zalo:
            out.append(RecordingNotifier(channel="zalo"))
        return out
    out = [_email(settings)]
    if wants_telegram:
        out.append(_telegram(settings))
    if wants_zalo:
        out.append(_zalo(settings, link_for))
    return out


def _email(settings: Settings) -> Notifier:
    try:
        # lazy: a channel's library only when it is configured
        from notifiers.email.notifier import EmailNotifier
    except ImportError:  # the email channel is not installed: record, and say so in the summary
        return RecordingNotifier(channel="email")
    try:
        return EmailNotifier(settings)
    except ConfigError as exc:
        raise ConfigError(f"cấu hình email không hợp lệ: {exc}") from exc


def _telegram(settings: Settings) -> Notifier:
    try:
        # lazy: a channel's library only when it is configured
        from notifiers.telegram.notifier import TelegramNotifier
    except ImportError as exc:
        raise ConfigError("kênh Telegram chưa được cài đặt (python-telegram-bot)") from exc
    try:
        return TelegramNotifier.from_settings(settings)
    except ConfigError as exc:
        raise ConfigError(f"cấu hình Telegram không hợp lệ: {exc}") from exc


def _zalo(settings: Settings, link_for: Callable[[str], str | None] | None) -> Notifier:
    from notifiers.zalo.notifier import ZaloNotifier

    try:
        return ZaloNotifier.from_settings(settings, link_for=link_for)
    except ValueError as exc:
        raise ConfigError(f"cấu hình Zalo không hợp lệ: {exc}") from exc


def extra_zalo_chats(settings: Settings, directory: Directory) -> dict[str, Sequence[str]]:
    """The Sở Nội vụ's and the Steering Committee's Zalo chats named in the settings."""
    out: dict[str, list[str]] = {}
    if settings.zalo_token is None:
        return out
    if settings.zalo_monitor_chat:
        out.setdefault(directory.monitor_id, []).append(settings.zalo_monitor_chat)
    if settings.zalo_steering_chat:
        out.setdefault(directory.steering_id, []).append(settings.zalo_steering_chat)
    return out


def extra_chats(settings: Settings, directory: Directory) -> dict[str, Sequence[int]]:
    """The Sở Nội vụ's and the Steering Committee's chats named in the settings."""
    out: dict[str, list[int]] = {}
    if settings.telegram_monitor_chat is not None:
        out.setdefault(directory.monitor_id, []).append(settings.telegram_monitor_chat)
    if settings.telegram_steering_chat is not None:
        out.setdefault(directory.steering_id, []).append(settings.telegram_steering_chat)
    return out


async def close_all(notifiers: Sequence[Notifier]) -> None:
    for n in notifiers:
        await n.aclose()

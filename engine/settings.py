"""Settings, validated once, from the environment (prefix NHACVIEC_) and an optional TOML file.

Contract section 6 names the environment variables; secrets (SMTP password, bot token) are
`SecretStr` and are never logged or printed. The time zone is the policy's (Asia/Ho_Chi_Minh
bundled), or NHACVIEC_TIMEZONE when set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config import bundled
from engine.quick_settings import (
    APP_NAME,
    SettingsPaths,
    cache_dir,
    data_dir,
    kept_library,
    working_calendar,
)

TIMEZONE = "Asia/Ho_Chi_Minh"


class Settings(SettingsPaths, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NHACVIEC_", extra="ignore")

    database_url: str | None = None
    agencies: Path | None = None

    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_tls: Literal["none", "starttls", "implicit"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Nhắc việc CCHC <nhacviec@example.org>"
    smtp_timeout: float = Field(default=30.0, gt=0)  # seconds one SMTP command may take
    # Seconds to open a connection (TCP, greeting, EHLO, STARTTLS, login): a server that accepts
    # and never answers is given up after this, and after two such timeouts in a row the batch
    # stops; its messages go at the next wake-up.
    smtp_connect_timeout: float = Field(default=10.0, gt=0)
    smtp_ca_file: Path | None = None  # CA bundle for a server with a private certificate
    smtp_max_connections: int = Field(default=3, ge=1, le=32)  # parallel connections per batch
    smtp_max_attempts: int = Field(default=4, ge=1, le=20)  # per message, transient failures
    smtp_backoff_base: float = Field(default=1.0, ge=0)  # seconds; doubles each retry
    smtp_backoff_max: float = Field(default=60.0, ge=0)
    outbox_dir: Path | None = None

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_monitor_chat: int | None = None
    telegram_steering_chat: int | None = None

    # Zalo Bot Platform (contract section 8): unset token, Zalo off. Chat ids are strings.
    zalo_token: SecretStr | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_monitor_chat: str | None = None
    zalo_steering_chat: str | None = None
    # Set: updates come to the web desk's webhook at this address instead of long polling.
    zalo_webhook_url: str | None = None
    # The secret Zalo sends back in X-Bot-Api-Secret-Token; unset, one derived from the token.
    zalo_webhook_secret: SecretStr | None = None

    # Reminder/escalation policy file replacing the bundled config/policy.toml.
    policy: Path | None = None
    # 24/11 Ngày Văn hóa Việt Nam as a day off (from 2026; see config/calendar_overrides.yaml).
    calendar_culture_day: bool = True
    calendar_overrides: Path | None = None
    # Overrides the policy's [send] timezone; unset, the policy's (Asia/Ho_Chi_Minh bundled).
    # One zone for everything: the send instant, the service's clock, the bot's "today".
    timezone: str | None = None

    # The web desk (contract section 7). The secret signs sessions and agencies' links; unset,
    # one is generated on first use and kept in the data directory (`engine.tracking.web_secret`).
    web_base_url: str = "http://127.0.0.1:8080"
    web_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int | None = Field(default=None, ge=1, le=65535)  # set: `run` serves the desk
    web_files_dir: Path | None = None  # evidence files; default <data directory>/evidence
    web_max_upload_mb: float = Field(default=10.0, gt=0, le=100)

    @field_validator("timezone", mode="before")
    @classmethod
    def _known_zone(cls, v: object) -> object:
        if isinstance(v, str) and not v.strip():
            return None
        if v is not None:
            try:
                ZoneInfo(str(v))
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"múi giờ không tồn tại: {v}") from exc
        return v

    @field_validator("zalo_monitor_chat", "zalo_steering_chat", "zalo_webhook_url",
                     mode="before")
    @classmethod
    def _zalo_text(cls, v: object) -> object:
        if isinstance(v, int):
            return str(v)
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("zalo_token", mode="before")
    @classmethod
    def _blank_token(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("smtp_host", "database_url", "web_port", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


__all__ = ["APP_NAME", "Settings", "load_settings", "data_dir", "cache_dir", "bundled", "Field",
           "kept_library", "working_calendar"]

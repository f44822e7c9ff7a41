"""The deploy/ folder: the systemd unit runs `nhacviec run`, and the example environment file
names every setting of contract section 6 in a form the settings accept."""

from __future__ import annotations

import configparser
import os
import re
from pathlib import Path

from engine.settings import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
# Contract section 6, copied by hand.
CONTRACT_VARIABLES = (
    "NHACVIEC_DATABASE_URL", "NHACVIEC_AGENCIES", "NHACVIEC_SMTP_HOST", "NHACVIEC_SMTP_PORT",
    "NHACVIEC_SMTP_TLS", "NHACVIEC_SMTP_USERNAME", "NHACVIEC_SMTP_PASSWORD", "NHACVIEC_SMTP_FROM",
    "NHACVIEC_OUTBOX_DIR", "NHACVIEC_TELEGRAM_TOKEN", "NHACVIEC_TELEGRAM_BASE_URL",
    "NHACVIEC_TELEGRAM_MONITOR_CHAT", "NHACVIEC_TELEGRAM_STEERING_CHAT",
)
_ASSIGN = re.compile(r"^(#\s*)?(NHACVIEC_[A-Z_]+)=(.*)$")


def assignments(commented: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (DEPLOY / "nhacviec.env.example").read_text(encoding="utf-8").splitlines():
        m = _ASSIGN.match(line.strip())
        if m and bool(m.group(1)) == commented:
            out.setdefault(m.group(2), m.group(3).strip().strip('"'))
    return out


def test_env_example_names_every_contract_variable() -> None:
    named = assignments(False) | assignments(True)
    assert set(CONTRACT_VARIABLES) <= set(named)
    fields = {f"NHACVIEC_{name.upper()}" for name in Settings.model_fields}
    assert set(named) <= fields  # no misspelt variable


def test_env_example_values_are_accepted_by_the_settings(monkeypatch) -> None:
    # Both the active lines and the commented-out examples must be valid values.
    for commented in (False, True):
        for key in [k for k in os.environ if k.startswith("NHACVIEC_")]:
            monkeypatch.delenv(key)
        for key, value in assignments(commented).items():
            monkeypatch.setenv(key, value)
        s = Settings()
        if commented:
            assert s.telegram_monitor_chat == -1001234567890
            assert s.smtp_tls == "starttls" and s.smtp_port == 587
            token = s.telegram_token
            assert token is not None and "CHANGE-ME" in token.get_secret_value()
        else:
            assert s.database_url == "sqlite:////var/lib/nhacviec/nhacviec.sqlite"
            assert s.telegram_token is None  # Telegram stays off until a token is set


def test_systemd_unit_runs_the_service_and_restarts_on_failure() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "nhacviec.service", encoding="utf-8")
    service = unit["Service"]
    program, *args = service["ExecStart"].split()
    assert program.endswith("/nhacviec") and args == ["run"]
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == "/etc/nhacviec/nhacviec.env"
    assert set(service["RestartPreventExitStatus"].split()) == {"2", "3"}  # bad input/settings
    assert service["KillSignal"] == "SIGTERM"
    # SIGTERM exits within about 10 s (tests/test_stop_hanging_smtp.py), well inside the
    # manager's limit; a limit shorter than the 5 s grace plus shutdown would kill it mid-send.
    assert 15 <= int(service["TimeoutStopSec"]) <= 60
    assert unit["Install"]["WantedBy"] == "multi-user.target"

"""The `nhacviec` command. Sub-commands live in small modules, one per area."""

from __future__ import annotations

import logging
import os
import sys

import typer
from pydantic import ValidationError

from core.errors import NhacviecError
from core.redact import RedactingFormatter, redact, secrets_of
from engine.cli import vi_strings

# The framework's own words (help panels, usage line, usage errors) in Vietnamese too.
vi_strings.install()

app = typer.Typer(
    name="nhacviec",
    cls=vi_strings.VietnameseGroup,
    help="Nhắc việc CCHC: nhập kế hoạch cải cách hành chính, tính thời hạn theo lịch làm việc, "
    "nhắc việc và đôn đốc các cơ quan qua email và Telegram.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Nhắc việc CCHC."""


def _register() -> None:
    # Each module adds its commands to `app` when imported.
    from engine.cli import (  # noqa: F401
        agency_cmds,
        engine_cmds,
        plan_cmds,
        report_cmds,
        rules_cmds,
        telegram_cmds,
        web_cmds,
        zalo_cmds,
    )


def run() -> None:
    """Console entry point: user errors become one Vietnamese line and an exit status. No
    secret of the settings is ever in that line or in a log line (`core.redact`)."""
    secrets = secrets_of(os.environ)
    # Commands that configure no logging print warnings through logging's last resort.
    logging.lastResort.setFormatter(RedactingFormatter(secrets=secrets))  # type: ignore[union-attr]

    def say(line: str) -> None:
        typer.echo(redact(line, secrets), err=True)

    _register()
    try:
        app()  # standalone: usage errors and exit codes are handled by Typer itself
    except NhacviecError as exc:
        say(f"Lỗi: {exc}")
        sys.exit(exc.exit_code)
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        # A wrong environment variable: name it, on one line, exit 3 like any setting error.
        wrong = "; ".join(f"NHACVIEC_{'_'.join(map(str, e['loc'])).upper()}: "
                          f"{vi_strings.pydantic_message(dict(e))}" for e in exc.errors())
        say(f"Lỗi: cấu hình không hợp lệ ({wrong})")
        sys.exit(3)
    except KeyboardInterrupt:
        say("Đã dừng.")
        sys.exit(130)
    except Exception as exc:  # the last net: never a traceback to a user
        if os.environ.get("NHACVIEC_DEBUG"):
            raise
        say(f"Lỗi không mong đợi ({type(exc).__name__}): {exc}. "
            "Chạy lại với NHACVIEC_DEBUG=1 để xem chi tiết.")
        sys.exit(1)


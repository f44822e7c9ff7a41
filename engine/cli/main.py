"""The `nhacviec` command. Sub-commands live in small modules, one per area."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from difflib import get_close_matches
from typing import Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperCommand

from core.errors import NhacviecError
from core.redact import RedactingFormatter, redact, secrets_of
from engine.cli import vi_strings

# The framework's own words (help panels, usage line, usage errors) in Vietnamese too.
vi_strings.install()

# Every top-level command and group: the modules that define it (a group may gather commands
# from several) and its help as the root's list shows it. `nhacviec CMD` imports only CMD's
# modules: `timing` never loads SQLAlchemy, `--help` loads no command at all (issue 17, "speed
# a person feels"). tests/test_cli_speed.py checks this table against the commands themselves.
_CMD = "engine.cli."
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "simulate": ((_CMD + "service_cmds",),
                 "Chạy thử bộ lập lịch và bộ gửi trên đồng hồ ảo (cơ sở dữ liệu tạm, không gửi "
                 "gì) và in mọi tin nhắn sẽ được gửi, theo thứ tự thời gian."),
    "dispatch": ((_CMD + "service_cmds",),
                 "Gửi qua các kênh đã cấu hình mọi tin đến hạn tại thời điểm --now mà chưa gửi, "
                 "rồi thoát (dùng được với cron). Chạy lại không gửi trùng."),
    "run": ((_CMD + "service_cmds",),
            "Chạy dịch vụ: gửi nhắc việc lúc 08:00 mỗi ngày làm việc (và bot Telegram, bot Zalo "
            "nếu có mã bot). Dừng bằng Ctrl-C hoặc SIGTERM."),
    "demo": ((_CMD + "service_cmds",),
             "Chạy thử trọn năm 2025 với kế hoạch mẫu: nhập kế hoạch vào một cơ sở dữ liệu "
             "SQLite riêng cho bản chạy thử, gửi nhắc việc trên đồng hồ ảo thành các tệp .eml "
             "trong hộp thư đi, rồi in tóm tắt."),
    "tasks": ((_CMD + "engine_cmds",), "Liệt kê nhiệm vụ đã nhập, với thời hạn và trạng thái."),
    "done": ((_CMD + "engine_cmds",),
             "Ghi nhận cơ quan đã hoàn thành một thời hạn của nhiệm vụ (mặc định: thời hạn sớm "
             "nhất chưa hoàn thành); --undo để hủy ghi nhận gần nhất."),
    "undo": ((_CMD + "engine_cmds",),
             "Hủy ghi nhận hoàn thành gần nhất của cơ quan cho nhiệm vụ."),
    "event": ((_CMD + "engine_cmds",),
              "Ghi ngày xảy ra sự kiện mà nhiệm vụ tính thời hạn từ đó."),
    "explain": ((_CMD + "engine_cmds",),
                "Ghi nhận nội dung giải trình của cơ quan, đã được yêu cầu hay tự gửi: về một "
                "nhiệm vụ (NHIỆM_VỤ), hoặc về báo cáo định kỳ của một kỳ (--period \"Quý I\"). "
                "«explain request --plan SỐ_KH [--agency CƠ_QUAN]»: gửi đề nghị giải trình cho "
                "các việc đã trễ hạn trước khi nhập kế hoạch (lần gửi tới, mỗi cơ quan một thư)."),
    "preview": ((_CMD + "preview_cmds",),
                "Xem trước những gì sẽ gửi trong các ngày làm việc tới, tính từ cơ sở dữ liệu "
                "thật (đã trừ các việc đã hoàn thành); không gửi, không thay đổi gì."),
    "status": ((_CMD + "status_cmds",),
               "Bảng theo dõi theo cơ quan: số thời hạn theo trạng thái, tỷ lệ hoàn thành, tỷ "
               "lệ đúng hạn, xếp hạng."),
    "timing": ((_CMD + "rules_cmds",),
               "Tính thời hạn của cụm từ thời gian (mỗi cụm một dòng JSON với --json). Không có "
               "CỤM_TỪ: đọc mỗi dòng một cụm từ từ đầu vào chuẩn."),
    "calendar": ((_CMD + "rules_cmds",),
                 "Lịch làm việc của cơ quan hành chính trong năm: ngày nghỉ, ngày làm bù, ngày "
                 "làm việc cuối cùng của mỗi tháng."),
    "version": ((_CMD + "rules_cmds",), "In phiên bản nhacviec."),
    "web": ((_CMD + "web_cmds",),
            "Chạy trang điều hành (web) của Sở Nội vụ và trang riêng của các cơ quan. Dừng bằng "
            "Ctrl-C hoặc SIGTERM."),
    "agency": ((_CMD + "agency_cmds", _CMD + "web_cmds", _CMD + "report_cmds"),
               "Danh bạ cơ quan: sở, ban, ngành, cơ quan TW tại tỉnh, UBND cấp huyện và các nhóm "
               "cơ quan."),
    "db": ((_CMD + "service_cmds",), "Cơ sở dữ liệu: nâng cấp cấu trúc."),
    "task": ((_CMD + "engine_cmds",),
             "Nhiệm vụ: đặt thời hạn cho nhiệm vụ chưa xác định thời hạn."),
    "report": ((_CMD + "engine_cmds", _CMD + "report_cmds"),
               "Báo cáo định kỳ: ghi nhận cơ quan đã gửi báo cáo; lập báo cáo của một kỳ (bảng "
               "tính, dự thảo văn bản, JSON)."),
    "plan": ((_CMD + "plan_cmds",),
             "Kế hoạch CCHC: đọc, kiểm tra và nhập kế hoạch (.txt, .docx, .xlsx, .csv hoặc tệp "
             "duyệt .yaml)."),
    "telegram": ((_CMD + "telegram_cmds",),
                 "Telegram: liên kết nhóm chat với cơ quan, kiểm tra bot."),
    "user": ((_CMD + "web_cmds",),
             "Tài khoản cán bộ dùng trang điều hành (web): admin (Sở Nội vụ) hoặc viewer (Ban "
             "Chỉ đạo, chỉ xem)."),
    "zalo": ((_CMD + "zalo_cmds",),
             "Zalo: liên kết cuộc trò chuyện Zalo với cơ quan, kiểm tra bot."),
}


def help_of(name: str) -> str:
    """A top-level command's help, written once here: the command registers with it, and the
    root's list shows it without loading the command."""
    return COMMANDS[name][1]


class LazyGroup(vi_strings.VietnameseGroup):
    """The root group: lists every command of `COMMANDS`, loaded or not. One not loaded (the
    root's --help, a misspelt command's suggestions) stands in as its name and help only."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        loaded = self.commands.get(cmd_name)
        if loaded is not None or cmd_name not in COMMANDS:
            return loaded
        return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name][1])

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        # Typer suggests from the loaded commands only; suggest from them all (in Click's
        # English, which `vi_strings` puts in Vietnamese).
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            near = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if near:
                exc.message = (f"{exc.message.rstrip('.')}. Did you mean "
                               f"{', '.join(repr(m) for m in near)}?")
            raise


app = typer.Typer(
    name="nhacviec",
    cls=LazyGroup,
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


def _register(command: str | None = None) -> None:
    """Import the modules of one command (each adds its commands to `app` when imported), or
    of every command."""
    wanted = COMMANDS[command][0] if command in COMMANDS else \
        [m for modules, _ in COMMANDS.values() for m in modules]
    for module in dict.fromkeys(wanted):
        importlib.import_module(module)


def _command_of(args: list[str]) -> str | None:
    """The top-level command a command line names (the root takes no option with a value)."""
    return next((a for a in args if not a.startswith("-")), None)


def _settings_error(exc: Exception) -> bool:
    """Whether `exc` is pydantic's refusal of the settings. Looked up, not imported: a command
    that never read the settings through pydantic (`timing`) does not load it for this."""
    pydantic = sys.modules.get("pydantic")
    return (pydantic is not None and isinstance(exc, pydantic.ValidationError)
            and exc.title == "Settings")


def run() -> None:
    """Console entry point: user errors become one Vietnamese line and an exit status. No
    secret of the settings is ever in that line or in a log line (`core.redact`)."""
    secrets = secrets_of(os.environ)
    # Commands that configure no logging print warnings through logging's last resort.
    logging.lastResort.setFormatter(RedactingFormatter(secrets=secrets))  # type: ignore[union-attr]

    def say(line: str) -> None:
        typer.echo(redact(line, secrets), err=True)

    command = _command_of(sys.argv[1:])
    if command in COMMANDS:
        _register(command)
    try:
        app()  # standalone: usage errors and exit codes are handled by Typer itself
    except NhacviecError as exc:
        say(f"Lỗi: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        say("Đã dừng.")
        sys.exit(130)
    except Exception as exc:  # the last net: never a traceback to a user
        if _settings_error(exc):
            # A wrong environment variable: name it, on one line, exit 3 like any setting
            # error.
            wrong = "; ".join(f"NHACVIEC_{'_'.join(map(str, e['loc'])).upper()}: "
                              f"{vi_strings.pydantic_message(dict(e))}" for e in exc.errors())
            say(f"Lỗi: cấu hình không hợp lệ ({wrong})")
            sys.exit(3)
        if os.environ.get("NHACVIEC_DEBUG"):
            raise
        say(f"Lỗi không mong đợi ({type(exc).__name__}): {exc}. "
            "Chạy lại với NHACVIEC_DEBUG=1 để xem chi tiết.")
        sys.exit(1)


"""Helpers shared by the engine's commands: dates, the clock (read here, at the boundary), the
runtime, the plan a command used, Vietnamese names of kinds and statuses."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from typing import Annotated

import typer

from core.errors import InputError
from core.formatting import parse_date  # noqa: F401 - the commands' date parser
from core.vocabulary import MessageKind, TaskKind, names
from engine.cli.console import make_console
from engine.quick_settings import quick_settings
from engine.service.runtime import Runtime

KIND_VI = names(MessageKind)
TASK_KIND_VI = names(TaskKind)


def parse_instant(text: str, tz) -> dt.datetime:  # noqa: ANN001 - ZoneInfo
    """An ISO date-time; without a zone it is local time (Asia/Ho_Chi_Minh)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"thời điểm «{text}» không hợp lệ (dạng 2025-03-11T08:00:00+07:00)"
                         ) from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def now(tz) -> dt.datetime:  # noqa: ANN001 - ZoneInfo
    """The one place the engine's commands read the clock. NHACVIEC_CLOCK (an ISO date-time,
    local time without a zone) sets it for a trial run: what tomorrow morning would bring."""
    fixed = os.environ.get("NHACVIEC_CLOCK", "").strip()
    if fixed:
        return parse_instant(fixed, tz).astimezone(tz)
    return dt.datetime.now(tz)


def today(rt: Runtime) -> dt.date:
    return now(rt.policy.tz).date()


def runtime(*, quick: bool = False) -> Runtime:
    """The runtime of every setting (each one checked), or, `quick`, of the few a read-only
    command needs, read without pydantic-settings (`engine.quick_settings`)."""
    if quick:
        return Runtime.from_settings(quick_settings())
    from engine.settings import Settings  # lazy: pydantic-settings, 0.1 s

    return Runtime.from_settings(Settings())


PlanOpt = Annotated[str | None, typer.Option("--plan", metavar="SỐ_KH", help="Số kế hoạch (mặc "
                                             "định: kế hoạch nhập gần nhất).")]


def said_plan(p, named: str | None, *, to_err: bool = False) -> None:  # noqa: ANN001 - a Plan
    """Say which plan a command used when none was named (several plans may be stored)."""
    if not named:  # wrapped at the terminal's width, as the tables below it are
        typer.echo(textwrap.fill(f"Kế hoạch {p.number} (năm {p.year}) — kế hoạch nhập gần "
                                 "nhất; chọn kế hoạch khác bằng --plan.",
                                 width=make_console().width), err=to_err)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"



"""The command-line options a person supplies a plan's number, date and issuer with, when the
document does not state them (`plan parse`, `plan import`, `simulate`)."""

from __future__ import annotations

from typing import Annotated

import typer

from core.errors import InputError
from engine.cli.engine_common import parse_date
from engine.intake.metadata import Identity

NumberOpt = Annotated[str | None, typer.Option("--number", metavar="SỐ", help="Số của kế hoạch "
                                               "(ví dụ 12/KH-UBND), khi văn bản không ghi.")]
DateOpt = Annotated[str | None, typer.Option("--date", metavar="NGÀY", help="Ngày ban hành "
                                             "(YYYY-MM-DD), khi văn bản không ghi.")]
IssuerOpt = Annotated[str | None, typer.Option("--issuer", metavar="CƠ QUAN", help="Cơ quan ban "
                                               "hành (ví dụ «UBND tỉnh Hậu Giang»), khi văn bản "
                                               "không ghi.")]


def identity(number: str | None, date: str | None, issuer: str | None) -> Identity | None:
    """What a person supplies on the command line for the plan's number, date and issuer."""
    if number is None and date is None and issuer is None:
        return None
    for option, value in (("--number", number), ("--issuer", issuer)):
        if value is not None and not value.strip():
            raise InputError(f"{option} không được để trống")
    return Identity(number=number.strip() if number else None,
                    date=parse_date(date, "--date") if date else None,
                    issuer=" ".join(issuer.split()) if issuer else None)

"""`nhacviec report build` (contract section 9) and `nhacviec agency ical` (section 10): thin
doors onto `engine.reports`."""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from core.errors import InputError
from core.formatting import vn_date
from engine.cli.agency_cmds import agency_app
from engine.cli.engine_cmds import report_app
from engine.cli.engine_common import now, parse_date, runtime, today
from engine.reports.par_index import Scoring
from engine.reports.period import build_report
from engine.storage.gc_pause import gc_paused
from engine.tracking.lookup import find_agency

WRITERS = (".xlsx", ".docx")


@report_app.command("build", help="Lập báo cáo kết quả thực hiện kế hoạch CCHC của một kỳ báo "
                    "cáo, tính đến ngày chốt số liệu của kỳ (hoặc --as-of): --json in JSON, --out "
                    "TỆP.xlsx ghi bảng tính, --out TỆP.docx ghi dự thảo báo cáo.")
def report_build_cmd(
    period: Annotated[str, typer.Option("--period", metavar="KỲ", help="Kỳ báo cáo: \"Quý I\", "
                                        "\"6 tháng\", \"Quý III\", \"Năm\".")],
    plan: Annotated[str | None, typer.Option("--plan", metavar="SỐ_KH", help="Số kế hoạch (mặc "
                                             "định: kế hoạch nhập gần nhất).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="NGÀY", help="Tính đến ngày "
                                              "(mặc định: ngày chốt số liệu của kỳ).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
    out: Annotated[Path | None, typer.Option("--out", metavar="TỆP", help="Ghi ra tệp .xlsx "
                                             "hoặc .docx.")] = None,
    par_index: Annotated[Path | None, typer.Option("--par-index", metavar="TỆP", help="Bảng "
                                                   "điểm Chỉ số CCHC thay cho "
                                                   "config/par_index.toml.")] = None,
) -> None:
    if as_json == (out is not None):
        raise InputError("hãy chọn một: --json (in JSON) hoặc --out TỆP.xlsx / TỆP.docx")
    if out is not None and out.suffix.lower() not in WRITERS:
        raise InputError(f"tệp «{out}»: chỉ ghi được .xlsx hoặc .docx")
    if out is not None and not out.resolve().parent.is_dir():
        raise InputError(f"không có thư mục «{out.resolve().parent}» để ghi tệp")
    scoring = Scoring.load(par_index) if par_index else Scoring.bundled()
    rt = runtime()
    day = parse_date(as_of, "--as-of")
    with rt.session() as s:
        report = build_report(s, period=period, plan=plan, as_of=day,
                              directory=rt.directory, calendar=rt.calendar, today=today(rt),
                              scoring=scoring, soon=rt.policy.soon_working_days)
    if as_json:
        # One line, written in pieces: a national report has 280,000 rows.
        with gc_paused():
            for chunk in report.json_chunks():
                sys.stdout.write(chunk)
            sys.stdout.write("\n")
            sys.stdout.flush()
        return
    issuer = rt.directory.get(rt.directory.monitor_id).name  # the Sở Nội vụ writes it
    with gc_paused():
        _write_atomically(out, lambda f: _writer(out, issuer)(report, f,
                                                              created=now(rt.policy.tz)))
    h = report.heading
    typer.echo(f"Đã lập báo cáo {h.period} của kế hoạch {h.plan_number} (số liệu đến "
               f"{vn_date(report.as_of)}): {len(report.agencies)} cơ quan, "
               f"{len(report.tasks)} lượt nhiệm vụ đến hạn; Chỉ số CCHC dự kiến "
               f"{report.par.points:g}/{report.par.max_points:g} điểm. Tệp: {out}")


def _writer(out: Path, issuer: str):  # noqa: ANN202
    if out.suffix.lower() == ".xlsx":
        from engine.reports import xlsx

        return xlsx.write
    from engine.reports import docx

    return functools.partial(docx.write, issuer=issuer)


def _write_atomically(path: Path, write) -> None:  # noqa: ANN001
    """Write to a temporary file beside `path`, then put it in place: a failure leaves no
    half-written file and an earlier file unchanged."""
    fd, tmp = tempfile.mkstemp(prefix=".nhacviec-", suffix=path.suffix, dir=path.resolve().parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@agency_app.command("ical", help="In lịch iCalendar (RFC 5545) của cơ quan: mỗi thời hạn chưa "
                    "hoàn thành (và hạn báo cáo định kỳ) là một sự kiện cả ngày, có nhắc trước "
                    "vào ngày nhắc việc đầu tiên. Dùng để đăng ký lịch trong Outlook, Google "
                    "Calendar hoặc điện thoại.")
def agency_ical_cmd(
    agency: Annotated[str, typer.Argument(metavar="CƠ_QUAN", help="Mã hoặc tên cơ quan.")],
    out: Annotated[Path | None, typer.Option("--out", metavar="TỆP", help="Ghi ra tệp .ics "
                                             "thay vì in ra.")] = None,
) -> None:
    from engine.reports.ical import agency_feed

    rt = runtime()
    agency_id = find_agency(rt.directory, agency)
    with rt.session() as s:
        data = agency_feed(s, agency_id, directory=rt.directory, calendar=rt.calendar,
                           policy=rt.policy, now=now(rt.policy.tz))
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_atomically(out, lambda f: f.write(data))
    typer.echo(f"Đã ghi lịch của {rt.directory.get(agency_id).name} vào {out}.")

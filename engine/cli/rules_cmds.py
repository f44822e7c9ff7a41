"""`nhacviec timing` (contract section 3) and `nhacviec calendar YEAR`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from core.errors import ConfigError, InputError
from engine.cli.console import make_console
from engine.cli.main import app, help_of
from engine.quick_settings import quick_settings, working_calendar
from rules import Context, ReportCycle, evaluate
from rules.calendar import MAX_YEAR, MIN_YEAR

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
KIND_VI = {
    "fixed": "cố định", "periodic": "định kỳ", "ongoing": "thường xuyên",
    "event": "theo sự kiện", "reference": "theo văn bản khác", "unknown": "chưa hiểu",
}


CultureDayOpt = Annotated[bool | None, typer.Option(
    "--culture-day/--no-culture-day", help="Tính 24/11 là ngày nghỉ (mặc định theo cấu hình)."
)]


def _calendar(culture_day: bool | None, settings=None):  # noqa: ANN001 - Settings or QuickSettings
    settings = settings or quick_settings()
    if culture_day is not None:
        settings.calendar_culture_day = culture_day  # this command's copy, for this run
    try:
        return working_calendar(settings)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"không đọc được tệp điều chỉnh lịch: {exc}") from exc


def _this_year(settings) -> int:  # noqa: ANN001 - Settings or QuickSettings
    return dt.datetime.now(settings.tz).year  # the CLI boundary may read the clock


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"năm {year} nằm ngoài khoảng {MIN_YEAR}-{MAX_YEAR}")


@app.command("timing", help=help_of("timing"))
def timing(
    phrases: Annotated[list[str] | None, typer.Argument(metavar="CỤM_TỪ",
                                                            help="Cụm từ thời gian.")] = None,
    year: Annotated[int | None, typer.Option("--year", metavar="NĂM", help="Năm của kế hoạch "
                                             "(mặc định: năm hiện tại).")] = None,
    report_day: Annotated[int, typer.Option(
        "--report-day", min=1, max=28, help="Ngày gửi báo cáo định kỳ trong tháng cuối kỳ.",
    )] = 18,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON, mỗi cụm từ một dòng.")] = False,
    culture_day: CultureDayOpt = None,
    horizon: Annotated[int | None, typer.Option(
        "--horizon", help="Năm cuối của kế hoạch nhiều năm (ví dụ 2030 cho «giai đoạn 2026 - "
        "2030»): nhiệm vụ định kỳ lặp lại mỗi năm đến năm này.",
    )] = None,
) -> None:
    settings = quick_settings()
    year = year if year is not None else _this_year(settings)
    _check_year(year)
    if horizon is not None:
        _check_year(horizon)
        if horizon < year:
            raise InputError(f"--horizon {horizon} trước năm kế hoạch {year}")
    ctx = Context(year=year, calendar=_calendar(culture_day, settings),
                  cycle=ReportCycle(day=report_day), horizon_to=horizon)
    items = phrases if phrases else [line.rstrip("\r\n") for line in sys.stdin]
    results = [evaluate(p, ctx) for p in items]
    if as_json:
        for r in results:
            sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"Thời hạn (năm kế hoạch {year}, báo cáo ngày {report_day})")
    table.add_column("Cụm từ")
    table.add_column("Loại")
    table.add_column("Hạn")
    table.add_column("Giải thích")
    for r in results:
        table.add_row(r.phrase, KIND_VI[str(r.kind)],
                      "\n".join(d.strftime("%d/%m/%Y") for d in r.due) or "—", r.explanation)
    make_console().print(table)


@app.command("calendar", help=help_of("calendar"))
def calendar(
    year: Annotated[int, typer.Argument(metavar="NĂM", help="Năm, ví dụ 2026.")],
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
    culture_day: CultureDayOpt = None,
) -> None:
    _check_year(year)
    cal = _calendar(culture_day)
    off = cal.days_off(year)
    worked = cal.worked_weekend_days(year)
    weekend_holidays = [h for h in cal.holidays(year) if h.date.weekday() >= 5]
    last_days = [cal.last_working_day_of_month(year, m) for m in range(1, 13)]
    if as_json:
        print(json.dumps({
            "year": year,
            "days_off": [{"date": d.date.isoformat(), "name": d.name, "source": d.source}
                         for d in off],
            "weekend_holidays": [{"date": d.date.isoformat(), "name": d.name} for d in
                                 weekend_holidays],
            "working_weekend_days": [{"date": d.date.isoformat(), "name": d.name,
                                      "source": d.source} for d in worked],
            "last_working_day_of_month": {f"{m:02d}": d.isoformat()
                                          for m, d in enumerate(last_days, 1)},
            "working_days": cal.count_working_days(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        }, ensure_ascii=False, indent=2))
        return
    console = make_console()
    t = Table(title=f"Ngày nghỉ của cơ quan hành chính năm {year} (ngoài thứ Bảy, Chủ nhật)")
    t.add_column("Ngày")
    t.add_column("Thứ")
    t.add_column("Tên")
    t.add_column("Căn cứ")
    for d in off:
        t.add_row(d.date.strftime("%d/%m/%Y"), WEEKDAYS[d.date.weekday()], d.name,
                  "thư viện holidays" if d.source == "holidays" else d.source)
    console.print(t)
    if weekend_holidays:
        console.print("Ngày lễ rơi vào cuối tuần: " + "; ".join(
            f"{d.date:%d/%m} {d.name}" for d in weekend_holidays))
    w = Table(title="Ngày cuối tuần đi làm bù")
    w.add_column("Ngày")
    w.add_column("Thứ")
    w.add_column("Ghi chú")
    for d in worked:
        w.add_row(d.date.strftime("%d/%m/%Y"), WEEKDAYS[d.date.weekday()],
                  d.name if d.source == "holidays" else f"{d.name} ({d.source})")
    console.print(w if worked else "Không có ngày cuối tuần đi làm bù.")
    m = Table(title="Ngày làm việc cuối cùng của mỗi tháng", min_width=50)
    m.add_column("Tháng")
    m.add_column("Ngày")
    m.add_column("Thứ")
    for month, d in enumerate(last_days, 1):
        m.add_row(f"{month:02d}/{year}", d.strftime("%d/%m/%Y"), WEEKDAYS[d.weekday()])
    console.print(m)
    total = cal.count_working_days(dt.date(year, 1, 1), dt.date(year, 12, 31))
    console.print(f"Tổng số ngày làm việc trong năm {year}: {total}")


@app.command("version", help=help_of("version"))
def version() -> None:
    from importlib.metadata import version as _v

    print(_v("nhacviec"))

"""Commands on the stored plans: `tasks`, `done` / `undo`, `event`, `report submit`,
`task set-due`; and the storing step of `plan import`. The service commands
(`simulate`, `dispatch`, `run`, `demo`, `db upgrade`) are in `engine.cli.service_cmds`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from core.errors import InputError
from core.formatting import shorten, status_name, vn_date
from engine.cli.console import fits, make_console
from engine.cli.engine_common import (
    TASK_KIND_VI,
    PlanOpt,
    now,
    parse_date,
    runtime,
    said_plan,
    today,
)
from engine.cli.main import app, help_of
from engine.directory.agencies import Directory
from engine.storage.models import ExplanationRequest
from engine.tracking.explain_requests import ask_explanations
from engine.tracking.lookup import find_agency, find_period, find_plan, find_task, fold, task_ref
from engine.tracking.records import (
    answer_explanation,
    complete_task,
    record_event,
    set_due,
    submit_report,
    undo_completion,
)
from engine.tracking.status import STATUSES
from engine.tracking.task_list import NO_LEAD, TaskLine, task_lines

TaskArg = Annotated[str, typer.Argument(metavar="NHIỆM_VỤ", help="Nhiệm vụ: NHÓM/SỐ (ví dụ "
                                        "TTHC/1.1), số nhiệm vụ nếu chỉ một nhiệm vụ mang số đó, "
                                        "hoặc #mã.")]
AgencyOpt = Annotated[str, typer.Option("--agency", "-a", metavar="CƠ_QUAN",
                                        help="Mã hoặc tên cơ quan (xem: nhacviec agency list).")]
GroupOpt = Annotated[str | None, typer.Option("--group", "-g", metavar="NHÓM",
                                              help="Nhóm nhiệm vụ (một phần tên, không cần dấu).")]
DateOpt = Annotated[str | None, typer.Option("--date", metavar="NGÀY", help="Ngày (mặc định: "
                                             "hôm nay), dạng 2025-03-11 hoặc 11/03/2025.")]

task_app = typer.Typer(help=help_of("task"),
                       no_args_is_help=True)
report_app = typer.Typer(help=help_of("report"),
                         no_args_is_help=True)
app.add_typer(task_app, name="task")
app.add_typer(report_app, name="report")


def _which(p, named: str | None) -> str:  # noqa: ANN001 - a Plan
    """The plan a command used, said when none was named (several plans may be stored)."""
    if named:
        return ""
    return (f" [kế hoạch {p.number} năm {p.year}, nhập gần nhất; chọn kế hoạch khác bằng "
            "--plan]")


# Below this many columns the task table's eight columns are slivers: a list instead.
TASKS_TABLE_WIDTH = 110


# --- tasks ----------------------------------------------------------------------------------
@app.command("tasks", help=help_of("tasks"))
def tasks_cmd(
    agency: Annotated[str | None, typer.Option("--agency", "-a", metavar="CƠ_QUAN",
                                               help="Chỉ nhiệm vụ cơ quan này chủ trì.")] = None,
    due_before: Annotated[str | None, typer.Option("--due-before", metavar="NGÀY",
                                                   help="Chỉ thời hạn trước ngày này.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", metavar="LOẠI", help=(
        "Loại thời hạn, như cột Loại ghi: " + ", ".join(f"«{v}»" for v in TASK_KIND_VI.values())
        + " (không cần dấu)."))] = None,
    plan: PlanOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
) -> None:
    kind = _task_kind(kind)
    before = parse_date(due_before, "--due-before")
    rt = runtime()
    as_of = today(rt)
    agency_id = find_agency(rt.directory, agency) if agency else None
    with rt.session() as s:
        p = find_plan(s, plan)
        lines = task_lines(s, p.id, rt.directory, rt.calendar, as_of,
                           soon_working_days=rt.policy.soon_working_days, agency_id=agency_id,
                           kind=kind, due_before=before)
        rows = [_task_row(line, rt.directory) for line in lines]
    if as_json:
        said_plan(p, plan, to_err=True)
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    said_plan(p, plan)
    title = f"Nhiệm vụ của kế hoạch {p.number} ({len(rows)})"
    out = Table(title=title)
    # Ids, numbers and dates are never wrapped; the rest wraps at words.
    for col in ("Mã", "Nhóm", "Số", "Nhiệm vụ", "Loại", "Chủ trì", "Thời hạn", "Trạng thái"):
        out.add_column(col, overflow="fold", no_wrap=col in ("Mã", "Số", "Thời hạn"))
    lines = []
    for r in rows:
        cells = (f"#{r['id']}", r["group"], r["code"], shorten(r["title"], 80),
                 TASK_KIND_VI.get(r["kind"], r["kind"]), r["lead_names"] or "(chưa có)",
                 [vn_date(parse_date(d)) for d in r["due"]], r["status_text"])
        out.add_row(*cells[:6], "\n".join(cells[6]) or "-", cells[7])
        lines.append(cells)
    console = make_console()
    if console.width >= TASKS_TABLE_WIDTH and fits(out, console):
        console.print(out)
        return
    # Too narrow for the table (its columns would be slivers): two lines a task, nothing left
    # out.
    console.print(Text(title, style="bold"))
    for ref, group, code, name, kind, leads, dues, status in lines:
        console.print(Text(f"{ref} {group}/{code}: {name}", style="bold"))
        console.print(f"   {kind} · chủ trì: {leads} · hạn: {', '.join(dues) or '-'} · {status}")


def _task_kind(text: str | None) -> str | None:
    """The stored kind for what a person typed: the Vietnamese name the table shows ("định
    kỳ", "dinh ky") or the stored English one ("periodic")."""
    if text is None:
        return None
    wanted = fold(text).strip()
    for stored, vi in TASK_KIND_VI.items():
        if wanted in (stored, fold(vi)):
            return stored
    raise InputError(f"loại «{text}» không có; chọn một trong: "
                     f"{', '.join(TASK_KIND_VI.values())}")


def _status_text(status: str) -> str:
    if status in STATUSES:
        return status_name(status)
    return "chưa có cơ quan chủ trì" if status == NO_LEAD else "thường xuyên"


def _task_row(line: TaskLine, directory: Directory) -> dict:
    t, counts = line.task, line.statuses
    text = "; ".join(f"{_status_text(k)}: {v}" if sum(counts.values()) > 1 else _status_text(k)
                     for k, v in counts.items())
    names = sorted(directory.get(a).name for a in line.leads if a in directory)
    return {"id": t.id, "group": t.group_name, "code": t.code, "title": t.title,
            "kind": t.kind, "lead": line.leads,
            "lead_names": ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3
                                                  else ""),
            "due": [d.isoformat() for d in line.due], "statuses": counts,
            "status_text": text}


# --- recording --------------------------------------------------------------------------------
@app.command("done", help=help_of("done"))
def done_cmd(
    task: TaskArg,
    agency: AgencyOpt,
    doc: Annotated[str | None, typer.Option("--doc", metavar="SỐ_VB", help="Số văn bản chứng "
                                            "minh, ví dụ \"123/BC-STP\".")] = None,
    date: DateOpt = None,
    due: Annotated[str | None, typer.Option("--due", metavar="NGÀY", help="Thời hạn cụ thể "
                                            "(nhiệm vụ có nhiều thời hạn).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú.")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Hủy ghi nhận hoàn thành gần nhất.")
                    ] = False,
    group: GroupOpt = None,
    plan: PlanOpt = None,
) -> None:
    if undo:
        undo_cmd(task, agency, group, plan)
        return
    rt = runtime()
    agency_id = find_agency(rt.directory, agency)
    on = parse_date(date, "--date") or today(rt)
    if on > today(rt):
        raise InputError(f"ngày hoàn thành {vn_date(on, '-')} ở tương lai")
    with rt.session() as s:
        p = find_plan(s, plan)
        t = find_task(s, task, group=group, plan_id=p.id)
        r = complete_task(s, t, agency_id, rt.planner, on=on, today=today(rt),
                          due=parse_date(due, "--due"), document_no=doc, note=note)
        s.commit()
    when = "đúng hạn" if r.on_time else "quá hạn"
    typer.echo(f"Đã ghi nhận {rt.directory.get(agency_id).name} hoàn thành {task_ref(t)} "
               f"(hạn {vn_date(r.due, '-')}) ngày {vn_date(r.completed_on, '-')}: {when}"
               + (f", văn bản {doc}" if doc else "") + f". Đã dừng {r.cancelled} nhắc việc."
               + _which(p, plan))


@app.command("undo", help=help_of("undo"))
def undo_cmd(task: TaskArg, agency: AgencyOpt, group: GroupOpt = None,
             plan: PlanOpt = None) -> None:
    rt = runtime()
    agency_id = find_agency(rt.directory, agency)
    with rt.session() as s:
        p = find_plan(s, plan)
        t = find_task(s, task, group=group, plan_id=p.id)
        c = undo_completion(s, rt.planner, agency_id=agency_id, task=t, today=today(rt))
        s.commit()
    typer.echo(f"Đã hủy ghi nhận hoàn thành ngày {vn_date(c.completed_on, '-')} của "
               f"{rt.directory.get(agency_id).name} cho {task_ref(t)}; nhắc việc được lập lại."
               + _which(p, plan))


@app.command("event", help=help_of("event"))
def event_cmd(task: TaskArg, date: Annotated[str, typer.Option("--date", metavar="NGÀY",
                                                               help="Ngày xảy ra sự kiện.")],
              note: Annotated[str | None, typer.Option("--note", help="Ghi chú.")] = None,
              group: GroupOpt = None, plan: PlanOpt = None) -> None:
    rt = runtime()
    on = parse_date(date, "--date")
    with rt.session() as s:
        p = find_plan(s, plan)
        t = find_task(s, task, group=group, plan_id=p.id)
        d = record_event(s, t, rt.planner, on=on, today=today(rt), note=note)
        s.commit()
    typer.echo(f"Đã ghi sự kiện ngày {vn_date(on)} cho {task_ref(t)}: thời hạn {vn_date(d.due)}."
               + _which(p, plan))


@task_app.command("set-due", help="Đặt thời hạn cho nhiệm vụ kế hoạch không ghi hạn cụ thể.")
def set_due_cmd(task: TaskArg, date: Annotated[str, typer.Option("--date", metavar="NGÀY",
                                                                 help="Thời hạn.")],
                label: Annotated[str | None, typer.Option("--label", help="Sản phẩm.")] = None,
                group: GroupOpt = None, plan: PlanOpt = None) -> None:
    rt = runtime()
    on = parse_date(date, "--date")
    with rt.session() as s:
        p = find_plan(s, plan)
        t = find_task(s, task, group=group, plan_id=p.id)
        d = set_due(s, t, rt.planner, on=on, today=today(rt), label=label)
        s.commit()
    moved = "" if d.due == on else (
        f" ({vn_date(on)} là ngày nghỉ: chuyển sang ngày làm việc kế tiếp)")
    typer.echo(f"Đã đặt thời hạn {vn_date(d.due)} cho {task_ref(t)}{moved}." + _which(p, plan))


@report_app.command("submit", help="Ghi nhận cơ quan đã gửi báo cáo định kỳ của một kỳ.")
def report_submit_cmd(
    agency: AgencyOpt,
    period: Annotated[str, typer.Option("--period", metavar="KỲ", help="Kỳ báo cáo: \"Quý I\", "
                                        "\"6 tháng\", \"Quý III\", \"Năm\".")],
    doc: Annotated[str | None, typer.Option("--doc", metavar="SỐ_VB", help="Số văn bản báo "
                                            "cáo.")] = None,
    date: DateOpt = None, plan: PlanOpt = None,
) -> None:
    rt = runtime()
    agency_id = find_agency(rt.directory, agency)
    on = parse_date(date, "--date") or today(rt)
    with rt.session() as s:
        p = find_plan(s, plan)
        r, pr = submit_report(s, p.id, agency_id, period, on=on, document_no=doc)
        s.commit()
    when = "đúng hạn" if r.on_time else "quá hạn"
    typer.echo(f"Đã ghi nhận {rt.directory.get(agency_id).name} gửi báo cáo {pr.name} "
               f"(hạn {vn_date(pr.deadline, '-')}) ngày {vn_date(on, '-')}: {when}.")


@app.command("explain", help=help_of("explain"))
def explain_cmd(agency: Annotated[str | None, typer.Option(
                    "--agency", "-a", metavar="CƠ_QUAN",
                    help="Mã hoặc tên cơ quan (xem: nhacviec agency list).")] = None,
                text: Annotated[str | None, typer.Option("--text", help="Nội dung giải trình."
                                                         )] = None,
                task: Annotated[str | None, typer.Argument(
                    metavar="NHIỆM_VỤ", help="Nhiệm vụ: NHÓM/SỐ (ví dụ TTHC/1.1) hoặc #mã; "
                    "bỏ trống khi giải trình về báo cáo (--period).")] = None,
                period: Annotated[str | None, typer.Option(
                    "--period", metavar="KỲ", help="Kỳ báo cáo định kỳ thay cho nhiệm vụ: "
                    "\"Quý I\", \"6 tháng\", \"Quý III\", \"Năm\".")] = None,
                doc: Annotated[str | None, typer.Option("--doc", metavar="SỐ_VB",
                                                        help="Số văn bản giải trình.")] = None,
                date: DateOpt = None, group: GroupOpt = None, plan: PlanOpt = None) -> None:
    if task == "request" and period is None:
        _explain_request(plan, agency)
        return
    if agency is None:
        raise InputError("chưa nêu cơ quan (--agency)")
    if text is None:
        raise InputError("chưa nêu nội dung giải trình (--text)")
    if task is not None and period is not None:
        raise InputError("hãy nêu một nhiệm vụ hoặc một kỳ báo cáo (--period), không nêu cả hai")
    if task is None and period is None:
        raise InputError("chưa nêu nhiệm vụ (ví dụ TTHC/1.1) hoặc kỳ báo cáo (--period "
                         "\"Quý I\") cần ghi nhận giải trình")
    rt = runtime()
    agency_id = find_agency(rt.directory, agency)
    on = parse_date(date, "--date") or today(rt)
    with rt.session() as s:
        p = find_plan(s, plan)
        if period is not None:
            pr = find_period(s, p.id, period)
            a = answer_explanation(s, None, agency_id, period=pr, text=text, on=on,
                                   document_no=doc)
            about = f"báo cáo {pr.name}"
        else:
            t = find_task(s, task, group=group, plan_id=p.id)
            a = answer_explanation(s, t, agency_id, text=text, on=on, document_no=doc)
            about = task_ref(t)
        unasked = s.get(ExplanationRequest, a.request_id).unsolicited
        s.commit()
    typer.echo(f"Đã ghi nhận giải trình của {rt.directory.get(agency_id).name} cho "
               f"{about} ngày {vn_date(on, '-')}"
               + (" (cơ quan tự giải trình, chưa có yêu cầu; sẽ không gửi yêu cầu giải trình "
                  "cho việc này nữa)." if unasked else "."))


def _explain_request(plan: str | None, agency: str | None) -> None:
    """`explain request`: the explanation requests held since a late import, asked now."""
    from engine.dispatch.preview import next_slot  # lazy: fast --help

    rt = runtime()
    agency_id = find_agency(rt.directory, agency) if agency else None
    moment = now(rt.policy.tz)
    with rt.session() as s:
        p = find_plan(s, plan)
        asked = ask_explanations(s, p.id, rt.planner, moment.date(), agency_id=agency_id,
                                 send_on=next_slot(moment, rt.calendar, rt.policy))
        s.commit()
    whose = f" của {rt.directory.get(agency_id).name}" if agency_id else ""
    to = rt.directory.get(agency_id).name if agency_id else f"{len(asked.by_agency)} cơ quan"
    before = (f" ({asked.already} việc đã được đề nghị trước đó, không gửi lại)"
              if asked.already else "")
    if not asked.requests:
        typer.echo(f"Kế hoạch {p.number} (năm {p.year}): không có việc trễ hạn nào{whose} cần "
                   f"đề nghị giải trình thêm{before}.")
        return
    typer.echo(f"Kế hoạch {p.number} (năm {p.year}): đã lập {asked.requests} đề nghị giải trình"
               f" cho {to}; gửi sáng "
               f"{vn_date(asked.send_on)}, mỗi cơ quan một thư liệt kê mọi việc trễ hạn{before}.")

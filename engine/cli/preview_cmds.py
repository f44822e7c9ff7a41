"""What the next dispatches would send, from the real database with the completions counted
(`engine.dispatch.preview`, the desk's Lịch gửi): `nhacviec preview [--days N] [--agency ...]`,
`dispatch --dry-run`, and the lines `plan import` ends with."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from core.formatting import vn_date
from core.vocabulary import MessageKind
from engine.cli.engine_common import KIND_VI, now, runtime
from engine.cli.main import app, help_of
from engine.service.runtime import Runtime
from engine.tracking.explain_requests import ask_explanations
from engine.tracking.lookup import find_agency

if TYPE_CHECKING:
    from engine.dispatch.preview import Preview, PreviewDay

MAX_DAYS = 20
CHANNEL_VI = {"email": "thư", "telegram": "tin Telegram", "zalo": "tin Zalo"}


def make_preview(rt: Runtime) -> Preview:
    # lazy: only the commands that preview pay for the dispatcher's imports (fast --help)
    from engine.dispatch.preview import Preview
    from engine.service.channels import extra_chats

    channels = ["email"]
    if rt.settings.telegram_token is not None:
        channels.append("telegram")
    if rt.settings.zalo_token is not None:
        channels.append("zalo")
    return Preview(rt.engine, rt.directory, rt.calendar, rt.policy, channels,
                   extra_chats=extra_chats(rt.settings, rt.directory))


def _when(day: dt.date, today: dt.date) -> str:
    if day == today:
        return f"sáng nay ({vn_date(day)})"
    if day == today + dt.timedelta(days=1):
        return f"sáng mai ({vn_date(day)})"
    return f"sáng {vn_date(day)}"


def day_lines(pd: PreviewDay, today: dt.date) -> list[str]:
    """A day's preview in a few Vietnamese lines: how many messages by channel and kind, and
    how the explanation requests were gathered."""
    when = _when(pd.day, today)
    if not pd.messages:
        return [f"{when[0].upper()}{when[1:]}: không gửi gì."]
    by_channel = Counter(m.channel for m in pd.messages)
    total = ", ".join(f"{n} {CHANNEL_VI.get(c, c)}" for c, n in by_channel.items())
    kinds = Counter(m.kind for m in pd.messages)
    parts = [f"{n} {KIND_VI.get(k, k)}" for k, n in kinds.items()]
    lines = [f"{when[0].upper()}{when[1:]} sẽ gửi {total} ({'; '.join(parts)})."]
    asks = [m for m in pd.messages if m.kind == MessageKind.EXPLANATION_REQUEST]
    if asks:
        items = sum(len(m.items) for m in asks)
        lines.append(f"{items} đề nghị giải trình gộp thành {len(asks)} thư (mỗi cơ quan một "
                     "thư, mỗi việc một ô trả lời trên trang riêng của cơ quan).")
    late = sum(1 for m in pd.messages if m.kind == MessageKind.AGENCY_DIGEST
               for i in m.items if i.reason == "late")
    if late:
        lines.append(f"Các thư gửi cơ quan nêu {late} việc quá hạn tính đến nay (mỗi cơ quan "
                     "một thư tổng hợp, không gửi lại từng ngày đã qua).")
    if pd.settled:
        lines.append(f"{pd.settled} thông báo không gửi nữa (đã hoàn thành hoặc kế hoạch đã "
                     "đóng).")
    if pd.missed:
        lines.append(f"{pd.missed} thông báo quá hạn gửi sẽ được ghi là bỏ lỡ và báo Sở Nội vụ.")
    if pd.unreachable:
        lines.append(f"{len(pd.unreachable)} cơ quan không có địa chỉ nhận: "
                     + ", ".join(pd.unreachable[:10]) + ("…" if len(pd.unreachable) > 10
                                                         else "") + ".")
    return lines


def next_dispatch_lines(rt: Runtime, plan_id: int, plan_number: str) -> list[str]:
    """What `plan import` ends with: what the next dispatch will send, and the explanation
    requests held since the import (`engine.tracking.explain_requests`)."""
    from engine.dispatch.preview import next_slot

    moment = now(rt.policy.tz)
    today = moment.date()
    pd = make_preview(rt).day(next_slot(moment, rt.calendar, rt.policy))
    lines = day_lines(pd, today)
    with rt.session() as s:
        held = ask_explanations(s, plan_id, rt.planner, today, dry=True)
        s.rollback()
    if held.requests:
        lines.append(f"{held.requests} đề nghị giải trình cho {len(held.by_agency)} cơ quan về "
                     "việc đã trễ hạn trước khi nhập chưa gửi; khi cần, chạy «nhacviec explain "
                     f"request --plan {plan_number}» (mỗi cơ quan một thư).")
    return lines


@app.command("preview", help=help_of("preview"))
def preview_cmd(
    days: Annotated[int, typer.Option("--days", metavar="SỐ_NGÀY", help="Số ngày làm việc "
                                      "xem trước (1-20).")] = 1,
    agency: Annotated[str | None, typer.Option("--agency", "-a", metavar="CƠ_QUAN",
                                               help="Chỉ tin gửi cơ quan này.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Mỗi tin một dòng JSON (như "
                                          "«simulate --json»).")] = False,
) -> None:
    from core.errors import InputError
    from engine.dispatch.preview import next_slot

    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"--days phải từ 1 đến {MAX_DAYS}")
    rt = runtime()
    agency_id = find_agency(rt.directory, agency) if agency else None
    moment = now(rt.policy.tz)
    previews = make_preview(rt).days(next_slot(moment, rt.calendar, rt.policy), days)
    show(previews, moment.date(), agency_id, as_json=as_json, name=(
        rt.directory.get(agency_id).name if agency_id else None))


def show(previews: list[PreviewDay], today: dt.date, agency_id: str | None, *,
         as_json: bool, name: str | None = None) -> None:
    for pd in previews:
        if agency_id is not None:
            pd.messages = [m for m in pd.messages if m.recipient.id == agency_id]
        if as_json:
            for m in pd.messages:
                typer.echo(json.dumps(m.to_json(), ensure_ascii=False))
            continue
        lines = day_lines(pd, today)
        if name:
            lines[0] = f"{name} — {lines[0]}"
        for line in lines:
            typer.echo(line)
        for m in pd.messages:
            typer.echo(f"  {m.channel:8} {KIND_VI.get(m.kind, m.kind)} → {m.recipient.name}: "
                       f"{len(m.items)} mục")

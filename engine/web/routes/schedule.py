"""Lịch gửi: what will go out on each of the next working days, from the real database with the
completions counted (`engine.dispatch.preview`), and what went out on a past day."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from core.vocabulary import MessageKind, names
from engine.dispatch.preview import Preview, next_slot, working_days
from engine.service.channels import extra_chats
from engine.storage.models import WebUser
from engine.tracking import deliveries
from engine.web.deps import db, now, officer, page
from engine.web.forms import parse_day

router = APIRouter()
MAX_DAYS = 20
SHOWN = 300  # messages listed per day; the counts cover all


def preview_of(request: Request) -> Preview:
    rt = request.app.state.rt
    return Preview(rt.engine, rt.directory, rt.calendar, rt.policy, request.app.state.channels,
                   extra_chats=extra_chats(rt.settings, rt.directory))


@router.get("/lich-gui")
def schedule(request: Request, songay: int = 5, tu: str | None = None, coquan: str = "",
             user: WebUser = Depends(officer),
             moment: dt.datetime = Depends(now)):  # noqa: ANN201
    rt = request.app.state.rt
    first = next_slot(moment, rt.calendar, rt.policy)
    start = parse_day(tu, "ngày bắt đầu")
    count = min(max(songay, 1), MAX_DAYS)
    later = start is not None and start > first

    def compute() -> list:
        preview = preview_of(request)
        # The oversight lists are composed when they go, from what is late then: counted here
        # (the overview shows what is late), not composed (seconds nationally).
        if later:  # from a later day: each day its own items only
            return [preview.day(d, first=False, oversight=False)
                    for d in working_days(start, count, rt.calendar)]
        return preview.days(first, count, oversight=False)

    previews = request.app.state.cache.get(
        ("schedule", first, start if later else None, count), compute)
    wanted = coquan.strip()
    return page(request, "schedule.html", user=user, previews=previews, first=first,
                songay=songay, coquan=wanted, shown=SHOWN, kind_vi=names(MessageKind))


@router.get("/lich-gui/da-gui")
def sent_on(request: Request, ngay: str = "", trang: int = 1, user: WebUser = Depends(officer),
            s: Session = Depends(db), moment: dt.datetime = Depends(now)):  # noqa: ANN201
    rt = request.app.state.rt
    day = parse_day(ngay, "ngày") or rt.calendar.last_working_day_on_or_before(moment.date())
    page_no = max(trang, 1)
    rows, total = deliveries.log(s, day=day, offset=(page_no - 1) * 200, limit=200)
    return page(request, "sent_day.html", user=user, day=day, rows=rows, total=total,
                page_no=page_no, kind_vi=names(MessageKind), state_vi=deliveries.STATE_VI,
                names=request.app.state.names)

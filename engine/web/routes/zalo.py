"""Zalo Official Account webhook — the Zalo channel's place on the desk (issue 15).

# ZALO WEBHOOK: the Zalo engineer replaces the body of `zalo_webhook` with a call to
# `handle_webhook_update(headers, body)` (notifiers/zalo), which checks the signature and
# answers. Until then the route exists and answers 404, so nothing is accepted unchecked.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

router = APIRouter()


@router.post("/zalo/webhook")
async def zalo_webhook(request: Request) -> PlainTextResponse:
    # ZALO WEBHOOK: headers = dict(request.headers); body = await request.body()
    # return await handle_webhook_update(headers, body)
    return PlainTextResponse("Kênh Zalo chưa được cài đặt.", status_code=404)

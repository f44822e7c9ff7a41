"""What a message looks like on Zalo: plain text from `templates/zalo/*.txt.j2`, cut in parts.

Plain text (Zalo shows no markup), so the templates are `.txt.j2` and nothing is escaped: a task
title with "<" or "&" is shown as written. The late list of a Sở Nội vụ's list or a Steering
Committee digest shows at most ZALO_LATE_LINES items, the oldest (`notifiers.late_view`), and
says where the complete list is; the committee's table at most ZALO_TABLE_AGENCIES agencies.
Each message ends with the agency's personal web address when there is one (`web_link`).
"""

from __future__ import annotations

from typing import Any

from core.errors import ConfigError
from core.messages import OutgoingMessage
from core.vocabulary import MessageKind
from notifiers import chat_context
from notifiers.chat_context import ChatLimits
from notifiers.render import render
from notifiers.zalo.text import split_text

ZALO_LATE_LINES = 30
ZALO_OTHER_AGENCIES = 60
ZALO_TABLE_AGENCIES = 60
ZALO_LIMITS = ChatLimits(ZALO_LATE_LINES, ZALO_OTHER_AGENCIES, ZALO_TABLE_AGENCIES)
TEMPLATES = {
    MessageKind.AGENCY_DIGEST: "zalo/agency_digest.txt.j2",
    MessageKind.MONITOR_LIST: "zalo/monitor_list.txt.j2",
    MessageKind.STEERING_DIGEST: "zalo/steering_digest.txt.j2",
    MessageKind.EXPLANATION_REQUEST: "zalo/explanation_request.txt.j2",
}


def message_context(msg: OutgoingMessage, web_link: str | None = None) -> dict[str, Any]:
    """The chat channels' shared context (`notifiers.chat_context`) and the agency's personal
    web address, which ends every Zalo message that has one."""
    ctx = chat_context.message_context(msg, ZALO_LIMITS)
    ctx["web_link"] = web_link or ""
    return ctx


def render_message(msg: OutgoingMessage, web_link: str | None = None) -> list[str]:
    """The parts of `msg` as they will be sent (plain text, each at most 2,000 characters)."""
    try:
        template = TEMPLATES[msg.kind]
    except KeyError:
        raise ConfigError(f"không có mẫu tin Zalo cho loại «{msg.kind}»") from None
    return split_text(render(template, **message_context(msg, web_link)))

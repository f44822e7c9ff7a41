"""OutgoingMessage -> a multipart/alternative email (plain text + HTML), pure.

A monitoring list or steering digest whose late list is cut in the body (``notifiers.late_view``)
carries the complete list as an .xlsx attachment: the message is then multipart/mixed, the
alternative part first, the file after it (base64, its name as an RFC 2231 parameter when it is
not plain ASCII).

``wire_bytes`` writes the message exactly as it goes over SMTP or into the outbox; ``build_email``
is the same bytes read back as an ``EmailMessage`` (for callers and tests that inspect it).

Why not assemble an ``EmailMessage`` and flatten it: the stdlib parses every header on assignment
and refolds it on output, about 2 ms a message here, more than the SMTP exchange itself. The
shape of these messages is fixed (a handful of headers, two UTF-8 parts, maybe a file), so the
writer below encodes them directly with the stdlib's codecs: ``email.header.Header`` for RFC 2047
encoded words (whole characters per word), base64 bodies with CRLF lines of 76 characters
(RFC 2045). Tests parse the result with ``email.policy.default`` and check it has no defects.

The Message-ID is derived from the idempotency key, so a retry of the same planned notification
carries the same Message-ID and a receiving side can drop the duplicate.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import cast
from urllib.parse import quote

from core.messages import OutgoingMessage
from core.vocabulary import Reason
from notifiers.email import context as email_context
from notifiers.email import late_sheet
from notifiers.render import nfc, render

CRLF = "\r\n"
SUBJECT_TEMPLATE = "email/subject.txt.j2"


@dataclass(frozen=True)
class Sender:
    name: str
    address: str

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @classmethod
    def parse(cls, text: str) -> Sender:
        """``Nhắc việc CCHC <nhacviec@example.org>``; ValueError when it is not an address."""
        name, address = parseaddr(text)
        local, at, domain = address.partition("@")
        if not (local and at and "." in domain) or not address.isascii() or " " in address:
            raise ValueError(f"địa chỉ người gửi không hợp lệ: «{text}»")
        return cls(one_line(name), address)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class EmailParts:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


_ADDRESS = re.compile(r"[^\s@<>(),;:\"\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+")


def split_addresses(emails: Sequence[str]) -> tuple[list[str], list[str]]:
    """(usable, unusable) addresses, without repeats. Only plain ASCII addresses are sent:
    a non-ASCII one would need SMTPUTF8, which the province's relays cannot be assumed to have.
    """
    good, bad = [], []
    for e in dict.fromkeys(emails):
        (good if e.isascii() and _ADDRESS.fullmatch(e) else bad).append(e)
    return good, bad


def one_line(value: str) -> str:
    """Collapse whitespace, CR and LF included: a name from a plan can never add a header."""
    return " ".join(value.split())


def render_parts(msg: OutgoingMessage) -> EmailParts:
    ctx = email_context.context(msg)
    return EmailParts(
        subject=one_line(render(SUBJECT_TEMPLATE, **ctx)),
        text=render(f"email/{msg.kind}.txt.j2", **ctx),
        html=render(f"email/{msg.kind}.html.j2", **ctx),
        attachments=_attachments(msg, ctx),
    )


def _attachments(msg: OutgoingMessage, ctx: dict) -> tuple[Attachment, ...]:
    """The complete late list, when the body shows only part of it."""
    name = ctx.get("attachment")
    if not name:
        return ()
    title = f"Danh sách nhiệm vụ quá hạn tính đến {msg.at.date().isoformat()}"
    data = late_sheet.workbook_bytes((i for i in msg.items if i.reason == Reason.LATE),
                                     title=title, created=msg.at)
    return (Attachment(name, late_sheet.CONTENT_TYPE, data),)


def may_attach(msg: OutgoingMessage) -> bool:
    """Whether building `msg` may take long (a late list beyond the body's lines, and a file):
    a cheap test on the item count, so the channel can build such a message off its loop."""
    return len(msg.items) > email_context.EMAIL_LATE_LINES


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def message_id(key: str, domain: str) -> str:
    return f"<nv.{key_digest(key)[:32]}@{domain}>"


# RFC 2047: an encoded word is at most 75 characters. 39 bytes of UTF-8 make 52 base64
# characters, a 64-character word: "Subject: " plus one word stays within 78 per line.
_WORD_BYTES = 39


def encoded_words(value: str) -> str:
    """``=?utf-8?b?...?=`` words, folded one per line, each holding whole characters only."""
    words, chunk, size = [], [], 0
    for ch in value:
        n = len(ch.encode("utf-8"))
        if size + n > _WORD_BYTES:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(ch)
        size += n
    words.append("".join(chunk))
    return (CRLF + " ").join(
        "=?utf-8?b?" + base64.b64encode(w.encode("utf-8")).decode("ascii") + "?="
        for w in words)


def _encode(name: str, value: str) -> str:
    """A header value: as is when ASCII (folded at spaces), else RFC 2047 encoded words."""
    if value.isascii():
        return Header(value, "us-ascii", header_name=name).encode(linesep=CRLF)
    return encoded_words(value)


def address(name: str, addr: str) -> str:
    name = one_line(nfc(name))
    if not name:
        return addr
    if name.isascii():
        text = formataddr((name, addr))  # quotes names holding specials like , or "
        phrase = text[: -len(addr) - 3]
    else:
        phrase = encoded_words(name)
    # Keep lines under 78 characters: fold before the address when the name is long
    # (folding white space is allowed between a display name and "<addr>").
    last = phrase.rpartition(CRLF)[2]
    fold = CRLF if len(last) + len(addr) + 8 > 78 else ""
    return f"{phrase}{fold} <{addr}>"


# RFC 2231 attribute-char: any ASCII printable except specials, space, "*", "'" and "%".
_ATTRIBUTE_CHARS = "!#$&+-.^_`|~"
_PARAM_CHUNK = 50


def param(name: str, value: str) -> list[str]:
    """A MIME parameter as header lines (each to be joined by ";" + CRLF + " "): quoted when
    plain ASCII, else RFC 2231 (utf-8, percent-encoded) in continuations of at most 50
    characters, never cutting an escape: every line stays under 78."""
    if value.isascii() and value.isprintable() and len(value) <= _PARAM_CHUNK:
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return [f'{name}="{quoted}"']
    encoded = quote(value.encode("utf-8"), safe=_ATTRIBUTE_CHARS)
    chunks, start = [], 0
    while start < len(encoded):
        end = min(start + _PARAM_CHUNK, len(encoded))
        percent = encoded.rfind("%", end - 2, end)  # keep "%XX" whole
        if percent != -1 and end < len(encoded):
            end = percent
        chunks.append(encoded[start:end])
        start = end
    if len(chunks) == 1:
        return [f"{name}*=utf-8''{chunks[0]}"]
    return [f"{name}*{n}*=" + ("utf-8''" if n == 0 else "") + chunk
            for n, chunk in enumerate(chunks)]


def _base64_lines(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", CRLF).rstrip(CRLF)


def _body(text: str) -> str:
    # One line break convention, then base64 in 76-character CRLF lines (RFC 2045 6.8).
    data = nfc(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", CRLF)
    return _base64_lines(data.encode("utf-8"))


def _attachment_part(a: Attachment) -> list[str]:
    sep = ";" + CRLF + " "
    content_type = f"Content-Type: {a.content_type}"
    if len(content_type) + 1 > 78:  # fold before a long media type (CFWS, RFC 2045)
        content_type = f"Content-Type:{CRLF} {a.content_type}"
    return [
        sep.join([content_type, *param("name", a.filename)]),
        sep.join(["Content-Disposition: attachment", *param("filename", a.filename)]),
        "Content-Transfer-Encoding: base64",
        "",
        _base64_lines(a.data),
    ]


def wire_bytes(msg: OutgoingMessage, parts: EmailParts, sender: Sender) -> bytes:
    """The message as sent: CRLF line ends, ASCII only (7bit-safe for any relay)."""
    digest = key_digest(msg.key)
    boundary = f"nhacviec_{digest[:24]}.alt"  # "_" and "." never occur in base64 lines
    mixed = f"nhacviec_{digest[:24]}.mix"
    usable, _ = split_addresses(msg.recipient.emails)
    to = ("," + CRLF + " ").join(address(msg.recipient.name, e) for e in usable)
    headers = [
        ("Date", format_datetime(msg.at)),
        ("From", address(sender.name, sender.address)),
        ("To", to),
        ("Subject", _encode("Subject", parts.subject)),
        ("Message-ID", message_id(msg.key, sender.domain)),
        ("MIME-Version", "1.0"),
        ("Content-Language", "vi"),
        # RFC 3834: a machine wrote this; vacation responders must not answer it.
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-Nhacviec-Kind", msg.kind),
    ]
    out = [f"{name}: {value}" for name, value in headers]
    if parts.attachments:
        out += [f'Content-Type: multipart/mixed;{CRLF} boundary="{mixed}"', "", f"--{mixed}"]
    out.append(f'Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"')
    for subtype, body in (("plain", parts.text), ("html", parts.html)):
        out += [
            "",
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: base64",
            "",
            _body(body),
        ]
    out.append(f"--{boundary}--")
    for a in parts.attachments:
        out += ["", f"--{mixed}", *_attachment_part(a)]
    if parts.attachments:
        out.append(f"--{mixed}--")
    out.append("")
    return CRLF.join(out).encode("ascii")


def build_email(msg: OutgoingMessage, sender: Sender,
                parts: EmailParts | None = None) -> EmailMessage:
    """The message as an ``EmailMessage`` (the wire bytes, read back)."""
    data = wire_bytes(msg, parts or render_parts(msg), sender)
    return cast(EmailMessage, message_from_bytes(data, policy=policy.default))

"""The project's one Jinja2 Environment, and the Vietnamese filters every template uses.

Templates live in the top-level ``templates`` package (``templates/email/*``,
``templates/telegram/*``) and are always loaded by name, never built from strings.

Escaping is on by default: everything is autoescaped for HTML (email HTML parts and Telegram's
HTML parse mode) except templates whose name says plain text (``*.txt.j2``, ``*.txt``), where an
entity like ``&amp;`` would show up literally. ``StrictUndefined`` turns a misspelt variable into
an error instead of an empty string in a letter to an agency.

Output is NFC: plan text comes from PDFs and Word files where a Vietnamese letter may be spelt as
a base letter plus combining marks; mail clients and Telegram search treat the two spellings
differently, so every rendered text is normalised once here.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.formatting import (
    role_name,
    status_name,
    vn_date,
    vn_datetime,
    vn_int,
    vn_long_date,
    vn_weekday,
)
from core.vocabulary import STATUS_ORDER


def templates_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("templates")))


def is_web_address(url: str | None) -> bool:
    """Only http(s) addresses become links (a ``javascript:`` one from a config file must not)."""
    return bool(url) and str(url).lower().startswith(("https://", "http://"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        # Escape unless the name says plain text; unknown extensions (.j2) escape too.
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2"),
            disabled_extensions=("txt", "txt.j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        # Templates ship with the code: no stat() per render to look for edits.
        auto_reload=False,
        cache_size=-1,
    )
    env.filters.update(
        vn_date=vn_date,
        vn_weekday=vn_weekday,
        vn_long_date=vn_long_date,
        vn_datetime=vn_datetime,
        vn_int=vn_int,
        status_name=status_name,
        role_name=role_name,
    )
    env.tests["web_address"] = is_web_address
    env.globals.update(STATUS_ORDER=STATUS_ORDER)
    return env


def nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def render(template_name: str, **ctx: Any) -> str:
    """Render one template of the ``templates`` package; the result is NFC."""
    return nfc(environment().get_template(template_name).render(**ctx))

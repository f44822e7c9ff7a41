"""The outbox folder: one ``.eml`` file per planned notification, written atomically.

The file name comes from the idempotency key (readable characters only, plus a hash so two keys
never share a file): sending a key again replaces its file instead of adding a copy. The bytes
go to a temporary file in the same folder first and are renamed into place, so a reader (a
person, a mail client, a script collecting the outbox) never sees half a message.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from notifiers.email.build import key_digest

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def outbox_name(key: str) -> str:
    readable = _UNSAFE.sub("_", key).strip("._")[:80] or "message"
    return f"{readable}.{key_digest(key)[:12]}.eml"


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

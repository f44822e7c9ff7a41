"""Evidence files (minh chứng): checked by content, stored under the data directory.

A file is accepted when its bytes are one of PDF, DOCX, XLSX, JPEG or PNG — by their magic
numbers and, for DOCX and XLSX, a readable ZIP holding the part that makes it one
(``word/document.xml``, ``xl/workbook.xml``) — whatever its name says; its name must end with
an extension of that type. It is refused when larger than the limit, or when its name holds a
path (a separator, ``..``, a control character): the name is kept for display only, the file
is stored under a generated name (``<year>/<random hex>.<ext>``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError

TYPES = {  # kind -> (content type, extensions)
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "jpg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
}
ACCEPT = ",".join(e for _, exts in TYPES.values() for e in exts)
_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str
    name: str  # as uploaded (display only)
    data: bytes


def kind_of(data: bytes) -> str | None:
    """The file's type by its content, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        for kind, part in _PARTS.items():
            if part in names:
                return kind
    return None


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InputError("tệp minh chứng không có tên")
    if ("/" in name or "\\" in name or ".." in name or name.startswith(".")
            or any(ord(ch) < 32 or ch == "\x7f" for ch in name) or len(name) > 255):
        raise InputError("tên tệp minh chứng không hợp lệ (không được chứa đường dẫn hoặc ký "
                         "tự điều khiển)")
    return name


def check(name: str, data: bytes, max_bytes: int) -> Checked:
    name = check_name(name)
    if len(data) > max_bytes:
        raise InputError(f"tệp minh chứng quá lớn ({len(data) / 1048576:.1f} MB; tối đa "
                         f"{max_bytes / 1048576:.0f} MB)")
    if not data:
        raise InputError("tệp minh chứng rỗng")
    kind = kind_of(data)
    if kind is None:
        raise InputError("tệp minh chứng phải là PDF, DOCX, XLSX, JPG hoặc PNG (nội dung tệp "
                         "không thuộc loại nào trong số đó)")
    content_type, extensions = TYPES[kind]
    if not name.lower().endswith(extensions):
        raise InputError(f"nội dung tệp là {kind.upper()} nhưng tên tệp «{name}» mang phần mở "
                         f"rộng khác: đổi tên thành …{extensions[0]}")
    return Checked(kind, content_type, name, data)


def store(root: Path, checked: Checked, today: dt.date) -> tuple[str, int, str]:
    """Write the file under `root`; returns (stored name, size, sha256). The stored name is
    generated here, never taken from the upload."""
    folder = root / str(today.year)
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    stored = f"{today.year}/{secrets.token_hex(16)}{TYPES[checked.kind][1][0]}"
    path = root / stored
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as f:
        f.write(checked.data)
    return stored, len(checked.data), hashlib.sha256(checked.data).hexdigest()


def path_of(root: Path, stored_name: str) -> Path:
    """The stored file's path (the name comes from the database; still checked to stay under
    the root)."""
    path = (root / stored_name).resolve()
    if root.resolve() not in path.parents:
        raise InputError("đường dẫn tệp minh chứng không hợp lệ")
    return path

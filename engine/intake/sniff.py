"""What a plan file really is, from its bytes: before any reader sees it.

Every check here ends in one Vietnamese line (`core.errors.InputError`) or in a kind the
dispatcher knows. Content wins over the file name: a PDF renamed .txt is still a PDF.

Legacy Vietnamese encodings are detected, not converted. TCVN3 (ABC, fonts ".VnTime") puts
lower-case accented letters in single bytes 0xA8-0xFE (ạ = 0xB9, à = 0xB5, á = 0xB8, ă = 0xA8,
đ = 0xAE: "Kế hoạch năm" is "KÕ ho¹ch n¨m"); VNI ("VNI-Times") writes a base letter followed by
a mark byte ("Keá hoaïch naêm", đ = 0xF1 "ñ"). Read as Latin-1, or copied out of a Word file as
the font's glyphs into Unicode, both leave letters that never occur in Vietnamese. A converter
would have to get the upper-case TCVN3 fonts (".VnTimeH") and every VNI combination right; telling
the person to convert with Unikey is the honest answer.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from core.errors import InputError
from engine.intake.office_limits import check_members

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB

_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

# Letters TCVN3 / VNI text shows when read as Latin-1 or as font glyphs, never in Vietnamese.
_TCVN3_MARKS = frozenset("¨©ª«¬®µ¶·¸¹»¼½¾ÆÇÈÉÊËÌÎÏÑÒÓÔÕÖ×ØÜÝÞß")
# ă à ả ã á ạ ắ ặ: frequent in TCVN3 text, rare elsewhere ("®" is left out: a trademark sign).
_TCVN3_STRONG = frozenset("¨µ¶·¸¹¾Æ")
_VNI_STRONG = frozenset("ñÑøØûÛïÏöÖåÅäÄæÆ")
_VIETNAMESE = frozenset(
    "ăâđêôơưĂÂĐÊÔƠƯ"
    + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
)


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size, refused before reading when over the limit or empty."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"không có tệp {path}") from None
    except OSError as exc:
        raise InputError(f"không đọc được tệp {path}: {exc.strerror}") from None
    if not path.is_file():
        raise InputError(f"{path} không phải là một tệp")
    if size > max_bytes:
        raise InputError(
            f"{path.name}: tệp quá lớn ({size / MB:.1f} MB, giới hạn {max_bytes / MB:.3g} MB); "
            "một kế hoạch thường chỉ vài trăm KB"
        )
    if size == 0:
        raise InputError(f"{path.name}: tệp rỗng")
    return size


def container(data: bytes, name: str, suffix: str) -> str | None:
    """'docx', 'xlsx' for a usable Office file; None for anything that may be text. Raises for
    PDFs, images, legacy or password-protected Office files and broken archives."""
    head = data[:1024]
    if b"%PDF-" in head:
        raise InputError(f"{name}: tệp PDF: hãy chép văn bản ra .txt hoặc dùng bản .docx")
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            raise InputError(
                f"{name}: tệp ảnh {kind}, không phải văn bản: hãy dùng bản .docx, .xlsx hoặc "
                "chép văn bản ra .txt"
            )
    if data[8:12] == b"WEBP" and data.startswith(b"RIFF"):
        raise InputError(f"{name}: tệp ảnh WEBP, không phải văn bản: hãy dùng bản .docx")
    if data.startswith(_OLE2):
        if _ENCRYPTED in data:
            raise InputError(
                f"{name}: tệp được đặt mật khẩu; hãy gỡ mật khẩu trong Word/Excel "
                "(Tệp > Thông tin > Bảo vệ) rồi lưu lại"
            )
        raise InputError(
            f"{name}: tệp Word/Excel 97-2003 (.doc/.xls); hãy mở và lưu lại dạng .docx hoặc .xlsx"
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _office_kind(data, name, suffix)
    if suffix in (".docx", ".xlsx"):
        raise InputError(
            f"{name}: không phải tệp {suffix} hợp lệ (nội dung không phải Word/Excel)"
        )
    return None


def _office_kind(data: bytes, name: str, suffix: str) -> str:
    import io

    broken = f"{name}: tệp {suffix or '.docx/.xlsx'} bị hỏng hoặc không đầy đủ (tải lại tệp gốc)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            check_members(archive, name)  # before testzip inflates every part
            bad = archive.testzip()
    except InputError:
        raise
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        raise InputError(broken) from None
    except Exception as exc:  # zlib.error and friends from a damaged member
        raise InputError(broken) from exc
    if bad is not None:
        raise InputError(broken)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise InputError(f"{name}: tệp nén ZIP không phải .docx hay .xlsx")


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with its BOM; never a guessed 8-bit code page."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: tệp UTF-16 bị hỏng") from None
    else:
        _refuse_binary(data, name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            legacy = legacy_encoding(data.decode("latin-1"))
            if legacy:
                raise InputError(_legacy_message(name, legacy)) from None
            raise InputError(
                f"{name}: tệp không phải văn bản UTF-8 (byte 0x{data[exc.start]:02X} ở vị trí "
                f"{exc.start}); hãy lưu lại với bảng mã UTF-8"
            ) from None
    legacy = legacy_encoding(text)
    if legacy:
        raise InputError(_legacy_message(name, legacy))
    if not text.strip():
        raise InputError(f"{name}: tệp rỗng (chỉ có khoảng trắng)")
    return text


def _legacy_message(name: str, legacy: str) -> str:
    label = "TCVN3 (ABC)" if legacy == "TCVN3" else "VNI"
    return (
        f"{name}: tệp dùng bảng mã {label}; hãy chuyển sang Unicode (Unikey: Công cụ chuyển mã, "
        "hoặc đổi phông chữ trong Word) rồi lưu lại dạng UTF-8"
    )


def _refuse_binary(data: bytes, name: str) -> None:
    head = data[: 64 * 1024]
    # Tab, line feed, vertical tab (Word's Shift+Enter when copied), form feed, carriage return.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 11, 12, 13))
    if b"\x00" in head or controls > max(8, len(head) // 100):
        raise InputError(f"{name}: tệp nhị phân, không phải văn bản hay tệp Word/Excel")


def legacy_encoding(text: str) -> str | None:
    """'TCVN3' or 'VNI' when the text's letters are a legacy font's, else None."""
    sample = text[: 200_000]
    vietnamese = sum(1 for ch in sample if ch in _VIETNAMESE)
    tcvn = sum(1 for ch in sample if ch in _TCVN3_STRONG)
    tcvn_all = sum(1 for ch in sample if ch in _TCVN3_MARKS)
    vni = sum(1 for ch in sample if ch in _VNI_STRONG)
    if tcvn >= 4 and tcvn_all > vietnamese and tcvn_all >= vni:
        return "TCVN3"
    if vni >= 4 and vni > vietnamese:
        return "VNI"
    return None

"""Control and bidirectional formatting characters (`core.control_chars`) removed from a plan as
it is read, and said: one warning per cell or line they were removed from, so that the review
(`plan parse`, the review file's `warnings`) shows what changed and where. No email, Telegram
message or table made from the plan can then be made to read backwards."""

from __future__ import annotations

from core.control_chars import clean, describe, strip_controls
from engine.intake.rows import RawDocument
from engine.intake.text_reader import COLUMN_VI

MAX_NOTES = 50  # cells named one by one; beyond, one line says how many more
_PREVIEW = 60


def strip_document(doc: RawDocument) -> None:
    """Remove them from everything a reader produced, in place; warn where."""
    notes: list[str] = []
    doc.source, found = strip_controls(doc.source)
    if found:
        notes.append(f"Tên tệp: đã bỏ {describe(found)}.")
    doc.body, found = strip_controls(doc.body)
    if found:
        notes.append(f"Phần văn bản ngoài bảng nhiệm vụ: đã bỏ {describe(found)}.")
    for row in doc.rows:
        for key, value in row.cells.items():
            text, found = strip_controls(value)
            if found:
                row.cells[key] = text
                where = f"Dòng {row.line}, cột" if row.line else "Cột"
                notes.append(f"{where} {COLUMN_VI.get(key, key)}: đã bỏ {describe(found)} khỏi "
                             f"«{_preview(text)}».")
        row.warnings = [clean(w) for w in row.warnings]
    doc.footnotes = {k: clean(v) for k, v in doc.footnotes.items()}
    doc.warnings = [clean(w) for w in doc.warnings] + _capped(notes)


def strip_review_text(text: str) -> tuple[str, list[str]]:
    """A review file's text without them, and one warning per line they were removed from."""
    cleaned, found = strip_controls(text)
    if not found:
        return text, []
    notes = []
    for no, line in enumerate(text.split("\n"), start=1):
        kept, found = strip_controls(line)
        if found:
            notes.append(f"Dòng {no} của tệp duyệt: đã bỏ {describe(found)} khỏi "
                         f"«{_preview(kept.strip())}».")
    return cleaned, _capped(notes)


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def _capped(notes: list[str]) -> list[str]:
    if len(notes) <= MAX_NOTES:
        return notes
    return [*notes[:MAX_NOTES], f"... và {len(notes) - MAX_NOTES} chỗ khác cũng đã bỏ ký tự "
            "đảo chiều chữ hoặc ký tự điều khiển."]

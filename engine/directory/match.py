"""Split an agency cell into mentions and resolve each against the directory.

Plans write agency cells freely: "Sở Tư pháp Văn phòng UBND tỉnh" (two agencies, no separator),
"UBND cấp huyện, cấp xã" (the second elliptic), "Sở, ban, ngành" (one group with commas inside),
"UBND cấp huyện đề xuất qua kết quả ..." (a role after the name). So the cell is not split on
punctuation first: it is scanned left to right for the longest known name (names compared on
accent-free words, commas, dots and dashes inside a name ignored), and only the text no known
name covers is split on separators and matched approximately. Nothing is dropped: what cannot be
resolved is kept verbatim as an "unresolved" mention.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from engine.directory.names import (
    Unit,
    closing,
    name_keys,
    strip_edges,
    units,
    variants,
    words_align,
)
from rules.normalize import fold

if TYPE_CHECKING:
    from engine.directory.agencies import Directory

MentionKind = Literal["agency", "group", "unspecific", "unresolved"]


@dataclass(frozen=True)
class Mention:
    text: str  # as written (an elliptic "cấp xã" is written out: "UBND cấp xã")
    ids: tuple[str, ...]  # single agencies it stands for, groups expanded; () if nobody
    kind: MentionKind
    note: str | None = None  # role or qualifier written after the name, or how it was matched
    ref: str | None = None  # the directory entry it matched
    fuzzy: bool = False  # matched approximately: a person should check


_ROLE_WORDS = ("de xuat", "tham dinh", "chu tri", "phoi hop", "huong dan", "thuc hien",
               "tham muu", "bao cao", "tong hop", "theo doi", "kiem tra", "trinh", "cung cap",
               "ho tro", "to chuc", "xay dung")
_ELSEWHERE = re.compile(r"\b(?:duoc neu tai|neu tai|quy dinh tai|theo danh sach|tai phu luc"
                        r"|theo phu luc)\b")
FUZZY_CUTOFF = 0.88



@dataclass
class _Open:
    """A mention being built while scanning."""

    start: int
    end: int
    ref: str
    ids: list[str]
    text_prefix: str = ""  # an elliptic head ("UBND ") the text does not repeat
    note_start: int | None = None
    note_end: int | None = None
    paren_notes: list[str] = field(default_factory=list)
    prefix_note: str | None = None
    fuzzy: bool = False


class Matcher:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.index: dict[tuple[str, ...], str] = {}
        explicit: dict[tuple[str, ...], str] = {}
        for a in directory:
            for name in (a.name, *a.aliases):
                key = name_keys(name)
                base = key[1:] if key and key[0] in ("cac", "nhung") and len(key) > 1 else key
                owner = explicit.get(base)
                if owner is not None and owner != a.id:
                    directory._fail(a.id, f"tên «{name}» trùng với một tên của «{owner}»")
                explicit[base] = a.id
        for base, owner in explicit.items():
            for form in variants(base):
                # A generated spelling never overrides a name the file wrote explicitly.
                if form in explicit and explicit[form] != owner:
                    continue
                self.index.setdefault(form, owner)
        self.longest = max(len(k) for k in self.index)
        self._joined = {" ".join(k): v for k, v in self.index.items()}
        self._fuzzy_cache: dict[str, str | None] = {}
        self._split_cache: dict[str, tuple[Mention, ...]] = {}

    # --- matching ------------------------------------------------------------------------
    def match_at(self, us: list[Unit], i: int,
                 head: tuple[str, ...] = ()) -> tuple[int, str] | None:
        """Longest known name starting at unit i (after `head` words): (last unit, entry id)."""
        keys, best, j = list(head), None, i
        while j < len(us) and len(keys) < self.longest:
            u = us[j]
            if u.kind == "word":
                keys.append(u.key)
                ref = self.index.get(tuple(keys))
                if ref is not None:
                    best = (j, ref)
            elif u.kind not in ("soft", "dot") or not keys:
                break
            j += 1
        return best

    def fuzzy(self, text: str) -> str | None:
        key = " ".join(name_keys(text))
        if key not in self._fuzzy_cache:
            self._fuzzy_cache[key] = self._fuzzy(key) if len(key) >= 6 else None
        return self._fuzzy_cache[key]

    def _fuzzy(self, key: str) -> str | None:
        matcher = difflib.SequenceMatcher(None, b=key, autojunk=False)
        scored = []
        for k, v in self._joined.items():
            # The cheap upper bounds first, as difflib.get_close_matches does.
            if 2 * min(len(k), len(key)) / (len(k) + len(key)) < FUZZY_CUTOFF:
                continue
            matcher.set_seq1(k)
            if matcher.real_quick_ratio() < FUZZY_CUTOFF or matcher.quick_ratio() < FUZZY_CUTOFF:
                continue
            scored.append((matcher.ratio(), k, v))
        scored.sort(reverse=True)
        if not scored or scored[0][0] < FUZZY_CUTOFF:
            return None
        best_ratio, best_key, best = scored[0]
        if not words_align(key.split(), best_key.split()):
            return None
        for ratio, _, other in scored[1:]:
            if best_ratio - ratio > 0.02:
                break
            if other != best:
                return None  # two entries equally close: do not guess
        return best

    # --- splitting -----------------------------------------------------------------------
    def split_and_resolve(self, cell: str) -> list[Mention]:
        text = cell or ""
        cached = self._split_cache.get(text)
        if cached is None:
            cached = tuple(self._split(text))
            if len(self._split_cache) < 20_000:  # plans repeat the same cells many times
                self._split_cache[text] = cached
        return list(cached)

    def _split(self, text: str) -> list[Mention]:
        us = units(text)
        out: list[Mention] = []
        chunk: list[Unit] = []
        last: _Open | None = None
        for u in [*us, Unit("hard", "", len(text), len(text))]:
            if u.kind != "hard":
                chunk.append(u)
                continue
            if chunk:
                if _ELSEWHERE.search(fold(text[chunk[0].start:chunk[-1].end])):
                    # "Các cơ quan, đơn vị được nêu tại Phụ lục III, Công văn số ...": a list
                    # kept in another document, not names to split.
                    whole = strip_edges(text[chunk[0].start:chunk[-1].end])
                    out.append(Mention(whole, (), "unspecific", "danh sách theo văn bản khác"))
                else:
                    last = self._scan(text, chunk, out, last)
            chunk = []
        return out

    def _scan(self, text: str, us: list[Unit], out: list[Mention],
              last: _Open | None) -> _Open | None:
        current: _Open | None = None
        pending: list[Unit] = []
        sep = False
        j = 0
        while j < len(us):
            u = us[j]
            if u.kind in ("soft", "dot") or (u.kind == "word" and u.key == "va"
                                              and self.match_at(us, j) is None):
                sep = True
                if pending:
                    pending.append(u)
                j += 1
                continue
            if u.kind == "rp":
                j += 1
                continue
            if u.kind == "lp":
                k = closing(us, j)
                inner = us[j + 1:k]
                if current is not None and not sep and not pending:
                    self._attach_paren(text, inner, current)
                    current.end = us[k].end if k < len(us) else us[-1].end
                else:
                    pending.extend(us[j:k + 1])
                j = k + 1
                continue
            found = self.match_at(us, j)
            head_text = ""
            if found is None and last is not None:
                found, head_text = self._elliptic(text, us, j, last)
            if found is not None:
                end_unit, ref = found
                prefix = self._take_prefix(text, pending, out) if pending and not sep else None
                if pending:
                    self._flush(text, pending, out)
                    pending = []
                if current is not None:
                    out.append(self._close(text, current))
                start = prefix[0] if prefix else u.start
                current = _Open(start, us[end_unit].end, ref, list(self.directory.members(ref)),
                                text_prefix=head_text, prefix_note=prefix[1] if prefix else None)
                last, sep, j = current, False, end_unit + 1
                continue
            # An unknown word: a role or qualifier after a name, or part of an unknown name.
            if current is not None and (not sep or current.note_start is not None):
                if current.note_start is None:
                    current.note_start = u.start
                current.note_end = u.end
                sep = False
            else:
                if current is not None:
                    out.append(self._close(text, current))
                    current = None
                pending.append(u)
                sep = False
            j += 1
        if current is not None:
            out.append(self._close(text, current))
        if pending:
            self._flush(text, pending, out)
        return last

    def _elliptic(self, text: str, us: list[Unit], j: int,
                  last: _Open) -> tuple[tuple[int, str] | None, str]:
        """"UBND cấp huyện, cấp xã": try the head words of the previous mention in front."""
        head_units = [u for u in units(text[last.start:last.end], cached=True)
                      if u.kind == "word"]
        for n in range(len(head_units) - 1, 0, -1):
            head = tuple(u.key for u in head_units[:n])
            found = self.match_at(us, j, head)
            # Repeating the previous name adds nothing: that is a qualifier, not an ellipsis.
            if found is not None and found[1] != last.ref:
                written = text[last.start:last.end]
                head_text = written[:head_units[n - 1].end].strip()
                return found, last.text_prefix + head_text + " "
        return None, ""

    def _take_prefix(self, text: str, pending: list[Unit],
                     out: list[Mention]) -> tuple[int, str] | None:
        """Unknown words right before a name ("trực thuộc các sở ban ngành") qualify it: the
        words after the last separator become the mention's start and note."""
        cut = max((i for i, u in enumerate(pending) if u.kind != "word" or u.key == "va"),
                  default=-1)
        words = pending[cut + 1:]
        del pending[cut + 1:]
        if not words:
            return None
        return words[0].start, text[words[0].start:words[-1].end]

    def _attach_paren(self, text: str, inner: list[Unit], current: _Open) -> None:
        if not inner:
            return
        note = strip_edges(text[inner[0].start:inner[-1].end])
        sub: list[Mention] = []
        self._scan(text, inner, sub, current)
        for m in sub:
            current.ids.extend(i for i in m.ids if i not in current.ids)
        current.paren_notes.append(note)

    def _close(self, text: str, o: _Open) -> Mention:
        a = self.directory.get(o.ref)
        written = o.text_prefix + text[o.start:o.end]
        notes = [n for n in (o.prefix_note, *o.paren_notes) if n]
        role = strip_edges(text[o.note_start:o.note_end]) if o.note_start is not None else None
        if role:
            notes.append(role)
        ids: tuple[str, ...] = tuple(o.ids)
        kind: MentionKind = "agency" if a.is_single else "group"
        if a.kind == "unspecific":
            kind, ids = "unspecific", ()
        # A name qualified after it ("... đang tham gia hệ thống ISO") means only part of the
        # group; a relation before it ("trực thuộc các sở") still points at the group.
        if kind == "group" and role and not _is_role(role):
            kind, ids = "unspecific", ()
            notes.append(f"chỉ một phần của «{a.name}»")
        return Mention(strip_edges(written), ids, kind, "; ".join(notes) or None, a.id, o.fuzzy)

    def _flush(self, text: str, pending: list[Unit], out: list[Mention]) -> None:
        """Text no known name covered: try it whole, then part by part, approximately."""
        words = [u for u in pending if u.kind == "word"]
        if not words:
            return
        whole = strip_edges(text[words[0].start:words[-1].end])
        ref = self.fuzzy(whole)
        if ref is not None:
            out.append(self._fuzzy_mention(whole, ref))
            return
        part: list[Unit] = []
        for u in [*pending, Unit("soft", ",", 0, 0)]:
            if u.kind == "word" and u.key != "va":
                part.append(u)
                continue
            if part:
                piece = strip_edges(text[part[0].start:part[-1].end])
                ref = self.fuzzy(piece)
                out.append(self._fuzzy_mention(piece, ref) if ref else
                           Mention(piece, (), "unresolved", "không có trong danh bạ"))
            part = []

    def _fuzzy_mention(self, written: str, ref: str) -> Mention:
        o = _Open(0, 0, ref, list(self.directory.members(ref)), fuzzy=True)
        m = self._close("", o)
        return Mention(written, m.ids, m.kind, m.note, ref, True)


def _is_role(note: str) -> bool:
    key = fold(note)
    return key.startswith(_ROLE_WORDS)

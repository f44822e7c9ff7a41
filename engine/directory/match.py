"""Split an agency cell into mentions and resolve each against the directory, never wrongly.

A mention resolves to a directory entry only when it names it: the entry's full name or one of
its declared aliases, as a whole phrase. Words are compared on their accent-free keys, and on
their accents where the cell writes them ("số" is not "Sở", "hoá" is "hóa"); commas and dashes
inside a name are ignored; a leading "các" and a trailing "tỉnh" may be added or left out. A name
found inside a longer one is not a match: "Công an" in "Bộ Công an", "số Thành phố" in "Trung
tâm Chuyển đổi số Thành phố", "Ban Quản lý các Khu công nghiệp" in "Ban Quản lý các khu công
nghệ cao và khu công nghiệp" name nobody of the directory. What resolves to nobody stays as
written (kind "unresolved"), with suggestions when a directory name is close ("có phải: ...?").

Splitting keeps names whole. Plans write "Bộ Khoa học và Công nghệ, Liên hiệp các Hội Khoa học
và Kỹ thuật", "UBND các xã, phường, đặc khu", "Sở Tư pháp Văn phòng UBND tỉnh" (no separator),
"UBND cấp huyện, cấp xã" (the second elliptic), "Các Cục: Di sản văn hóa, Bản quyền tác giả"
(distributive). So the cell is not cut at every comma or "và": a known name is taken whole;
after a separator, a piece that starts with an agency's head word ("Bộ", "Sở", "Trung tâm",
"Doanh nghiệp" ...; `engine.directory.names.HEADS`) starts a new name, a bare class noun ("ban",
"ngành", "phường", "cơ quan ngang bộ") continues a list of its family, and any other piece
continues the name before it ("Vụ Kế hoạch, Tài chính"). A department's "Sở" is carried to the
next piece only in a list of departments ("Sở Y tế, Giáo dục và Đào tạo"), and only when the
result is a known name. After a known name, words saying what it does ("đề xuất ...", "với
...") are a note; "có liên quan" narrows a group to an unspecific mention.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from engine.directory.names import (
    NARROWING,
    Unit,
    closing,
    generic_family,
    head_of,
    name_words,
    same_word,
    starts_role,
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
    ref: str | None = None  # the directory entry it names
    fuzzy: bool = False  # kept for compatibility: a mention is never resolved approximately
    suggestions: tuple[str, ...] = ()  # close directory entries for an unresolved mention


_ELSEWHERE = re.compile(r"\b(?:duoc neu tai|neu tai|quy dinh tai|theo danh sach|tai phu luc"
                        r"|theo phu luc)\b")
# "Các Cục: Di sản văn hóa, Bản quyền tác giả": the head distributes over the items.
_DISTRIBUTIVE = re.compile(
    r"^\s*(?:các|những)\s+(?P<head>Cục|Vụ|Sở|Bộ|Ban|Phòng|Trung tâm|Viện|Đài|Chi cục|Tổng cục"
    r"|Hội|Trường|Đoàn)\s*:\s*(?P<items>.+)$", re.I | re.S)
# A sentence end inside a cell: ". " before a capital, not after an abbreviation ("TP. Sóc").
_SENTENCE = re.compile(r"(?<![A-ZĐ]{1})(?<=[^\s.]{3})\.\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ])")
_WITH = "voi"
_PLACE_WORDS = frozenset({"tinh", "tp", "huyen", "tx", "xa", "phuong", "tw"})
_STOP = frozenset({"cac", "va", "tinh", "co", "nhung"})
SUGGEST_CUTOFF = 0.8
_MAX_SUGGESTIONS = 3


@dataclass
class _Entry:
    ref: str
    tones: tuple[str | None, ...]


@dataclass
class _Open:
    """A mention being built while scanning."""

    start: int  # character offsets in the cell
    end: int
    ref: str | None  # the directory entry it names (None: nobody)
    ids: list[str]
    prefix: str = ""  # an elliptic head ("Sở ", "UBND ") the cell does not repeat
    family: str | None = None  # the class-noun family of a list ("body", "admin")
    note_start: int | None = None
    note_end: int | None = None
    paren_notes: list[str] = field(default_factory=list)
    narrowed: bool = False  # "có liên quan" after a group: only some of it
    fragment_of: str | None = None  # a known name found inside this longer one
    head: str | None = None  # the head word it starts with
    relation: tuple[str, str] | None = None  # ("trực thuộc", entry): under that entry


class Matcher:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        # Every spelling of every name: accent-free key -> entries with the accents written.
        self.index: dict[tuple[str, ...], str] = {}
        self._spellings: dict[tuple[str, ...], list[_Entry]] = {}
        explicit: dict[tuple[str, ...], str] = {}
        written: list[tuple[str, tuple[str, ...], tuple[str | None, ...]]] = []
        for a in directory:
            for name in (a.name, *a.aliases):
                key, tones = name_words(name)
                base = key[1:] if key and key[0] in ("cac", "nhung") and len(key) > 1 else key
                owner = explicit.get(base)
                if owner is not None and owner != a.id:
                    directory._fail(a.id, f"tên «{name}» trùng với một tên của «{owner}»")
                explicit[base] = a.id
                written.append((a.id, key, tones))
        for ref, key, tones in written:
            for front, back, form in variants(key):
                base = key[front:len(key) - back]
                if form in explicit and explicit[form] != ref:
                    continue  # a generated spelling never overrides a name written explicitly
                tone_base = tones[front:len(tones) - back]
                form_tones = (None,) * (len(form) - len(base)) if form[:1] == ("cac",) and \
                    base[:1] != ("cac",) else ()
                form_tones = (*form_tones, *tone_base)
                form_tones = (*form_tones, *(None,) * (len(form) - len(form_tones)))
                self._spellings.setdefault(form, []).append(_Entry(ref, form_tones))
                self.index.setdefault(form, ref)
        self.longest = max((len(k) for k in self.index), default=1)
        # The places the directory's names write ("tỉnh Sóc Trăng", "thành phố Cần Thơ").
        self.places: set[tuple[str, ...]] = set()
        for _, key, _ in written:
            for n, word in enumerate(key[:-1]):
                if word in _PLACE_WORDS:
                    self.places.add(tuple(key[n + 1:]))
        self._joined = {" ".join(k): v for k, v in self.index.items()}
        # Names by their head word ("so", "ubnd", None): a suggestion keeps the kind of body.
        self._by_head: dict[str | None, list[tuple[str, str]]] = {}
        for k, v in self._joined.items():
            self._by_head.setdefault(head_of(k.split()), []).append((k, v))
        self._fuzzy_cache: dict[str, str | None] = {}
        self._suggest_cache: dict[str, tuple[str, ...]] = {}
        self._split_cache: dict[str, tuple[Mention, ...]] = {}

    # --- matching ------------------------------------------------------------------------
    def match_at(self, us: list[Unit] | tuple[Unit, ...], i: int,
                 head: tuple[str, ...] = ()) -> tuple[int, str] | None:
        """Longest known name starting at unit i (after `head` words): (last unit, entry id).
        Commas, dots and dashes inside a name are skipped; accents must agree where written."""
        found = self.matches_at(us, i, head)
        return found[-1] if found else None

    def matches_at(self, us: list[Unit] | tuple[Unit, ...], i: int,
                   head: tuple[str, ...] = ()) -> list[tuple[int, str]]:
        """Every known name starting at unit i, shortest first."""
        keys: list[str] = list(head)
        tones: list[str | None] = [None] * len(head)
        out: list[tuple[int, str]] = []
        j = i
        while j < len(us) and len(keys) < self.longest:
            u = us[j]
            if u.kind == "word":
                keys.append(u.key)
                tones.append(u.tone)
                for entry in self._spellings.get(tuple(keys), ()):
                    if all(same_word(w, n) for w, n in zip(tones, entry.tones, strict=True)):
                        out.append((j, entry.ref))
                        break
            elif u.kind not in ("soft", "dot") or len(keys) == len(head):
                break
            j += 1
        return out

    def fuzzy(self, text: str) -> str | None:
        """The one entry a name typed by a person (a CLI argument) is closest to, or None."""
        key = " ".join(fold(text).split())
        if key not in self._fuzzy_cache:
            found = self.suggest(text)
            self._fuzzy_cache[key] = found[0] if len(found) == 1 else None
        return self._fuzzy_cache[key]

    def suggest(self, text: str) -> tuple[str, ...]:
        """Directory entries whose names are close to `text` (an unresolved mention), best
        first: never one of another kind of body ("Bộ ..." is not close to "Sở ...")."""
        keys = [u.key for u in units(text, cached=True) if u.kind == "word"]
        key = " ".join(keys)
        if key in self._suggest_cache:
            return self._suggest_cache[key]
        out: tuple[str, ...] = ()
        if len(key) >= 6:
            head = head_of(keys)
            matcher = difflib.SequenceMatcher(None, b=key, autojunk=False)
            scored: list[tuple[float, str]] = []
            for k, ref in self._by_head.get(head, ()):
                if 2 * min(len(k), len(key)) / (len(k) + len(key)) < SUGGEST_CUTOFF:
                    continue  # the cheap upper bounds first, as difflib.get_close_matches
                matcher.set_seq1(k)
                if matcher.real_quick_ratio() < SUGGEST_CUTOFF or \
                        matcher.quick_ratio() < SUGGEST_CUTOFF:
                    continue
                ratio = matcher.ratio()
                if ratio < SUGGEST_CUTOFF or not words_align(keys, k.split()):
                    continue
                scored.append((ratio, ref))
            if not scored:
                # "Cơ quan, địa phương liên quan": every word of it in a longer name.
                mine = {w for w in keys if w not in _STOP}
                for k, ref in self._by_head.get(head, ()) if len(mine) >= 3 else ():
                    theirs = {w for w in k.split() if w not in _STOP}
                    if mine < theirs and len(theirs - mine) <= 2:
                        scored.append((difflib.SequenceMatcher(None, k, key).ratio(), ref))
            scored.sort(reverse=True)
            out = tuple(dict.fromkeys(ref for _, ref in scored))[:_MAX_SUGGESTIONS]
        self._suggest_cache[key] = out
        return out

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
        out: list[Mention] = []
        for sentence in _sentences(text):
            m = _DISTRIBUTIVE.match(sentence)
            if m:
                head = m.group("head")
                sep = ";" if ";" in m.group("items") else ","
                for item in m.group("items").split(sep):
                    item = strip_edges(item)
                    if item:
                        out.extend(self._chunk(f"{head} {item}", head_written=False))
                continue
            out.extend(self._chunk(sentence))
        return out

    def _chunk(self, text: str, *, head_written: bool = True) -> list[Mention]:
        us = units(text)
        out: list[Mention] = []
        chunk: list[Unit] = []
        for u in [*us, Unit("hard", "", len(text), len(text))]:
            if u.kind != "hard":
                chunk.append(u)
                continue
            if chunk:
                words = [x for x in chunk if x.kind == "word"]
                if words and _ELSEWHERE.search(fold(text[words[0].start:words[-1].end])):
                    # "Các cơ quan, đơn vị được nêu tại Phụ lục III, Công văn số ...": a list
                    # kept in another document, not names to split.
                    whole = strip_edges(text[chunk[0].start:chunk[-1].end])
                    out.append(Mention(whole, (), "unspecific", "danh sách theo văn bản khác"))
                elif words:
                    self._scan(text, chunk, out)
            chunk = []
        return out

    def _scan(self, text: str, us: list[Unit], out: list[Mention]) -> None:
        cur: _Open | None = None
        sep = True  # at the start, or right after a separator
        j = 0
        while j < len(us):
            u = us[j]
            if u.kind == "rp":
                j += 1
                continue
            if u.kind == "lp":
                k = closing(us, j)
                if cur is not None and cur.note_start is None:
                    self._paren(text, us[j + 1:k], cur)
                    cur.end = us[k].end if k < len(us) else us[-1].end
                j = k + 1
                continue
            if cur is not None and cur.note_start is not None:
                cur.note_end = u.end  # a note runs to the end of the chunk
                j += 1
                continue
            if u.kind in ("soft", "dot") or (u.kind == "word" and u.key == "va"):
                sep = True
                j += 1
                continue
            piece = _piece(us, j)
            keys = [x.key for x in piece]
            last = us.index(piece[-1], j)
            if cur is not None and not sep:
                # A word right after a name, with no separator in between.
                if cur.ref is not None:
                    found = self._known(us, j)
                    if found is not None:  # "Sở Tư pháp Văn phòng UBND tỉnh"
                        self._close(text, cur, out)
                        cur = self._open(u.start, us[found[0]].end, found[1], keys)
                        j = found[0] + 1
                        continue
                    if starts_role(keys) or keys[0] == _WITH:
                        cur.note_start = cur.note_end = None
                        cur.note_start, cur.note_end = u.start, u.end
                        j += 1
                        continue
                    joined = " ".join(keys)
                    if any(joined == n or joined.startswith(n + " ") for n in NARROWING):
                        cur.narrowed = True
                        cur.end, j = piece[-1].end, last + 1
                        continue
                    if self._place(keys):
                        cur.end, j = piece[-1].end, last + 1
                        continue
                    if not self.directory.get(cur.ref).is_single:
                        # "Các cơ quan, đơn vị, địa phương đang tham gia hệ thống ISO": a
                        # group with a clause after it, some of it: flagged, never all of it.
                        cur.narrowed = True
                        cur.note_start, cur.note_end = u.start, u.end
                        j += 1
                        continue
                    # More words of a longer name the directory does not hold.
                    cur.fragment_of, cur.ref, cur.ids = cur.ref, None, []
                elif keys[0] == _WITH:
                    cur.note_start, cur.note_end = u.start, u.end  # "... với các tiêu chuẩn"
                    j += 1
                    continue
                cur.end = u.end
                j += 1
                continue
            if cur is not None and cur.ref is not None and _role_after_separator(keys):
                cur.note_start, cur.note_end = u.start, u.end  # "Sở Nội vụ, chủ trì ..."
                j += 1
                continue
            found = self._known(us, j)
            if found is not None:
                self._close(text, cur, out)
                cur = self._open(u.start, us[found[0]].end, found[1], keys)
                j, sep = found[0] + 1, False
                continue
            rel = 2 if keys[:2] == ["truc", "thuoc"] else 1 if keys[:1] == ["thuoc"] else 0
            under = self._known(us, j + rel) if rel and j + rel < len(us) else None
            if under is not None:
                # "trực thuộc các sở ban ngành": the units under the departments, not the
                # departments themselves.
                self._close(text, cur, out)
                cur = _Open(u.start, us[under[0]].end, None, [], relation=(
                    text[u.start:us[j + rel - 1].end], under[1]))
                j, sep = under[0] + 1, False
                continue
            elliptic = self._elliptic(text, us, j, cur) if cur is not None else None
            if elliptic is not None:
                self._close(text, cur, out)
                cur, j = elliptic
                sep = False
                continue
            family = generic_family(keys)
            head = head_of(keys)
            if cur is not None and ((family is not None and family == cur.family) or (
                    head is None and family is None)):
                # "Sở, ban, ngành": a bare noun of the list's family; "Vụ Kế hoạch, Tài
                # chính": words that start no name. Both continue the mention before.
                if cur.ref is not None:
                    cur.fragment_of, cur.ref, cur.ids = cur.ref, None, []
                cur.end, j, sep = piece[-1].end, last + 1, False
                continue
            self._close(text, cur, out)
            cur = _Open(u.start, piece[-1].end, None, [], family=family, head=head)
            j, sep = last + 1, False
        self._close(text, cur, out)

    def _may_end(self, us: list[Unit] | tuple[Unit, ...], k: int) -> bool:
        """Can a name end before unit k: at the end, a separator, a bracket, or words that say
        what the agency does, narrow it or place it ("đề xuất ...", "với ...", "có liên quan",
        "tỉnh Sóc Trăng")."""
        if k >= len(us) or us[k].kind != "word" or us[k].key == "va":
            return True
        keys = [u.key for u in _piece(us, k)]
        joined = " ".join(keys)
        return (starts_role(keys) or keys[0] == _WITH
                or any(joined == n or joined.startswith(n + " ") for n in NARROWING)
                or self._place(keys))

    def _place(self, keys: list[str]) -> bool:
        """"tỉnh", "tỉnh Sóc Trăng", "thành phố Cần Thơ" after a name: the directory's own place
        (one its names write), never another province's ("Cục Thuế tỉnh Hậu Giang" is not the
        directory's Cục Thuế)."""
        words = keys[1:] if keys[:2] == ["cua", "tp"] or keys[:2] == ["cua", "tinh"] else keys
        if not words or words[0] not in _PLACE_WORDS:
            return False
        rest = tuple(words[1:])
        return not rest or rest in self.places

    def _known(self, us: list[Unit] | tuple[Unit, ...], j: int) -> tuple[int, str] | None:
        """A known name at unit j that ends where a name may end (not the start of a longer
        name: "Ban Quản lý các Khu công nghiệp" in "... các Khu công nghiệp Hà Nam")."""
        for found in reversed(self.matches_at(us, j)):  # the longest that may end there
            if (self._may_end(us, found[0] + 1) or self.match_at(us, found[0] + 1) is not None
                    or not self.directory.get(found[1]).is_single):
                # A group followed by a clause is some of the group: the scan narrows it.
                return found
        return None

    def _open(self, start: int, end: int, ref: str, keys: list[str]) -> _Open:
        a = self.directory.get(ref)
        return _Open(start, end, ref, list(self.directory.members(ref)),
                     family=generic_family(keys) if not a.is_single else None,
                     head=head_of(keys))

    def _elliptic(self, text: str, us: list[Unit], j: int,
                  cur: _Open) -> tuple[_Open, int] | None:
        """"UBND cấp huyện, cấp xã": the head of the mention before, carried over; "Sở Y tế,
        Giáo dục và Đào tạo": a department's "Sở", in a list of departments, when the result
        is a known name."""
        u = us[j]
        written = cur.prefix + text[cur.start:cur.end]
        if u.key == "cap":
            m = re.match(r"^(?P<head>.+?\s)cấp\s", written + " ", re.I)
            if m:
                head = m.group("head")
                piece = _piece(us, j)
                end_unit = us.index(piece[-1], j)
                head_keys = tuple(x.key for x in units(head) if x.kind == "word")
                found = self.match_at(us, j, head_keys)
                if found is not None and found[0] == end_unit:
                    o = self._open(u.start, us[found[0]].end, found[1],
                                   [*head_keys, *(x.key for x in piece)])
                else:
                    o = _Open(u.start, piece[-1].end, None, [])
                o.prefix = head
                return o, end_unit + 1
            return None
        if cur.ref is None or head_of([x for x in fold(written).split()][:1]) != "so":
            return None
        if self.directory.get(cur.ref).kind != "department" or head_of(
                [x.key for x in _piece(us, j)]) is not None:
            return None
        found = self.match_at(us, j, ("so",))
        if found is None or not self._may_end(us, found[0] + 1):
            return None
        o = self._open(u.start, us[found[0]].end, found[1], ["so"])
        o.prefix = written[:written.lower().index("sở") + 3] if "sở" in written.lower() else "Sở "
        return o, found[0] + 1

    def _paren(self, text: str, inner: list[Unit], cur: _Open) -> None:
        """A bracket after a name: a note; agencies it names join the mention's ("UBND cấp
        huyện (kể cả cấp xã)")."""
        words = [u for u in inner if u.kind == "word"]
        if not words:
            return
        note = strip_edges(text[inner[0].start:inner[-1].end])
        cur.paren_notes.append(note)
        if cur.ref is None:
            return
        for i, u in enumerate(inner):
            if u.kind != "word":
                continue
            if u.key == "cap":
                o = self._elliptic(text, inner, i, cur)
                if o is not None and o[0].ref is not None:
                    cur.ids.extend(x for x in o[0].ids if x not in cur.ids)
            elif i == 0 or inner[i - 1].kind != "word":
                found = self._known(inner, i)
                if found is not None:
                    cur.ids.extend(x for x in self.directory.members(found[1])
                                   if x not in cur.ids)

    def _close(self, text: str, o: _Open | None, out: list[Mention]) -> None:
        if o is not None:
            out.append(self._mention(text, o))

    def _mention(self, text: str, o: _Open) -> Mention:
        written = strip_edges(o.prefix + text[o.start:o.end])
        notes = list(o.paren_notes)
        role = strip_edges(text[o.note_start:o.note_end]) if o.note_start is not None else None
        if role:
            notes.append(role)
        note = "; ".join(notes) or None
        if o.relation is not None:
            words, under = o.relation
            name = self.directory.get(under).name
            return Mention(written, (), "unspecific", "; ".join(
                [*notes, f"{words} «{name}», không phải chính «{name}»"]), None, False,
                (under,))
        if o.ref is None:
            suggestions = self.suggest(written)
            if o.fragment_of and o.fragment_of not in suggestions:
                suggestions = (o.fragment_of, *suggestions)[:_MAX_SUGGESTIONS]
            return Mention(written, (), "unresolved", note or "không có trong danh bạ",
                           None, False, suggestions)
        a = self.directory.get(o.ref)
        ids: tuple[str, ...] = tuple(o.ids)
        kind: MentionKind = "agency" if a.is_single else "group"
        if a.kind == "unspecific":
            kind, ids = "unspecific", ()
        if o.narrowed and not a.is_single:
            # "Sở, ban, ngành có liên quan": only some of the group, nobody in particular.
            return Mention(written, (), "unspecific",
                           "; ".join([*notes, f"chỉ một phần của «{a.name}»"]), None, False,
                           (a.id,))
        if kind == "group" and role and not _is_role(role):
            kind, ids = "unspecific", ()
            note = "; ".join([*notes, f"chỉ một phần của «{a.name}»"])
            return Mention(written, ids, kind, note, None, False, (a.id,))
        return Mention(written, ids, kind, note, a.id)


def _sentences(text: str) -> list[str]:
    """A cell cut at its sentence ends ("... Du lịch Quốc gia Việt Nam. Vụ Kế hoạch, Tài
    chính.")."""
    parts = _SENTENCE.split(text)
    return [p for p in (strip_edges(x) for x in parts) if p]


def _piece(us: list[Unit] | tuple[Unit, ...], j: int) -> list[Unit]:
    """The words from unit j to the next separator (comma, "và", bracket, end) or to a "với"
    that starts what the name is responsible for."""
    out: list[Unit] = []
    for u in us[j:]:
        if u.kind != "word" or (out and u.key in ("va", _WITH)):
            break
        out.append(u)
    return out or [us[j]]


def _role_after_separator(keys: list[str]) -> bool:
    """"Sở Nội vụ, chủ trì ...": a role after a comma; but "tổ chức" after a comma is a noun
    ("Sở, ban, ngành, tổ chức chính trị - xã hội") unless a verb follows ("tổ chức thực hiện")."""
    if keys[:2] == ["to", "chuc"]:
        return keys[2:4] in (["thuc", "hien"], ["trien", "khai"])
    return starts_role(keys)


def _is_role(note: str) -> bool:
    """A note that says what an agency does ("đề xuất ...", "với ..."), not who it is."""
    keys = fold(note).split()
    return starts_role(keys) or keys[:1] == [_WITH]

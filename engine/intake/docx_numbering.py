"""Word's automatic list numbers ("1.", "II.", "1.2."), which are not in a paragraph's runs.

An STT column numbered with Word's numbering feature holds empty paragraphs: the numbers are
drawn by Word from the numbering part (numbering.xml). ``ListNumbers`` renders them so the
reader can give such a cell its number. Every numbered paragraph advances a counter, so the
reader must show it every paragraph it reads, in document order (body and table cells alike).

A paragraph's list is its own ``w:pPr/w:numPr`` (``w:numId`` 0 removes numbering) or else its
paragraph style's (along ``w:basedOn``; a style-linked list without ``w:ilvl`` uses the level
whose ``w:pStyle`` names the style). ``w:num`` names a ``w:abstractNum`` (following a
``w:numStyleLink`` to a numbering style), whose levels give ``w:start``, ``w:numFmt`` (or a
Word 2010 custom format's fallback), ``w:lvlText`` and ``w:isLgl``; ``w:num/w:lvlOverride`` may
replace a level or its start. Numbering a level restarts the deeper levels, unless their
``w:lvlRestart`` says otherwise.

Counters belong to the abstract list, shared by its ``w:num`` instances, as Word does: a list
continued through a second instance goes on counting, and an instance with a
``w:startOverride`` ("Restart numbering", "Set numbering value") sets the counter the first
time it numbers that level. Simplifications: a ``%n`` of an upper level not used yet (or
since its restart) is written with that level's start value, where Word is reported to show 0
("0.1" for a "Heading 2" before any "Heading 1"): not verified here; numbering in headers,
footers, footnotes and text boxes is not counted (the reader does not read them); formats
other than decimal, decimalZero, upper/lowerRoman and upper/lowerLetter (ordinal, cardinalText,
vietnameseCounting, a custom format ...) give no label (in another level's ``%n`` they are
written as decimal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml.etree import _Element

_W_VAL = qn("w:val")
_PPR, _NUMPR, _NUMID, _ILVL, _PSTYLE = (
    qn("w:pPr"), qn("w:numPr"), qn("w:numId"), qn("w:ilvl"), qn("w:pStyle"))
_NUMFMT = qn("w:numFmt")
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_FALLBACK_NUMFMT = f"{_MC}AlternateContent/{_MC}Fallback/{_NUMFMT}"
_PLACEHOLDER = re.compile(r"%([1-9])")
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_NUMBERS = {"decimal", "decimalZero", "upperRoman", "lowerRoman", "upperLetter", "lowerLetter"}


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str | None  # w:lvlText; None when the level has none (nothing is drawn)
    restart: int | None  # w:lvlRestart: 0 never, n after a level up to n (1-based) is used
    legal: bool  # w:isLgl: every number in this level's text is written as decimal
    style: str | None  # w:pStyle: the paragraph style tied to this level


@dataclass(frozen=True)
class _List:
    key: str | None  # the abstract list: its instances share their counters
    levels: dict[int, _Level]  # as this instance sees them (w:lvlOverride applied)
    overrides: dict[int, int]  # w:startOverride by level


class ListNumbers:
    """The running counters of one document's lists."""

    def __init__(self, numbering, styles) -> None:
        self._abstract: dict[str | None, _Element] = {}
        self._nums: dict[str | None, _Element] = {}
        self._styles: dict[str, _Element] = {}
        self._default_style: str | None = None
        if styles is not None:
            for style in styles.iterchildren(qn("w:style")):
                sid = style.get(qn("w:styleId"))
                if sid is not None:
                    self._styles[sid] = style
                if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in (
                        "1", "true", "on"):
                    self._default_style = sid
        if numbering is not None:
            self._abstract = {a.get(qn("w:abstractNumId")): a
                              for a in numbering.iterchildren(qn("w:abstractNum"))}
            self._nums = {n.get(qn("w:numId")): n for n in numbering.iterchildren(qn("w:num"))}
        self._lists: dict[str, _List] = {}
        self._counters: dict[str | None, dict[int, int]] = {}
        self._seen: set[tuple[str, int]] = set()  # (numId, ilvl) already counted
        self._style_numbering: dict[str | None, tuple[str | None, int | None]] = {}

    @classmethod
    def of(cls, document: Document) -> ListNumbers:
        return cls(_part_element(document, RT.NUMBERING), _part_element(document, RT.STYLES))

    def label(self, p) -> str | None:
        """Count paragraph ``p`` if it is a list item and return the number Word draws before
        it ("II.", "1.2."); None when it is no list item or its level draws no number."""
        if not self._nums:
            return None
        found = self._list_of(p)
        if found is None:
            return None
        num_id, ilvl = found
        lst = self._list(num_id)
        levels = lst.levels
        level = levels.get(ilvl)
        if level is None:
            return None
        counters = self._counters.setdefault(lst.key, {})
        if (num_id, ilvl) not in self._seen and ilvl in lst.overrides:
            counters[ilvl] = lst.overrides[ilvl]  # "Restart numbering" at this instance
        else:
            counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        self._seen.add((num_id, ilvl))
        for deeper in [d for d in counters if d > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart > 0 and ilvl < restart):
                del counters[deeper]
        if level.fmt not in _NUMBERS or not level.text:
            return None

        def value(m: re.Match) -> str:
            n = int(m.group(1)) - 1
            other = levels.get(n)
            if other is None:
                return ""
            count = counters.get(n, other.start)
            return _format(count, "decimal" if level.legal and other.fmt in _NUMBERS
                           else other.fmt)

        return _PLACEHOLDER.sub(value, level.text)

    def _list_of(self, p) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph, from its own numPr or else its style's."""
        ppr = p.find(_PPR)
        num_id = ilvl = None
        style = self._default_style
        if ppr is not None:
            numpr = ppr.find(_NUMPR)
            if numpr is not None:
                num_id, ilvl = _val(numpr.find(_NUMID)), _int(_val(numpr.find(_ILVL)))
            ps = ppr.find(_PSTYLE)
            if ps is not None:
                style = ps.get(_W_VAL)
        from_style = num_id is None
        if from_style:
            num_id, style_ilvl = self._numbering_of_style(style)
            ilvl = ilvl if ilvl is not None else style_ilvl
        if num_id is None or num_id == "0" or num_id not in self._nums:
            return None
        if ilvl is None and from_style:
            # A style-linked list: the level whose w:pStyle names the style.
            ilvl = next((i for i, lv in self._list(num_id).levels.items() if lv.style == style),
                        0)
        return num_id, ilvl or 0

    def _numbering_of_style(self, style_id: str | None) -> tuple[str | None, int | None]:
        """(numId, ilvl) of a paragraph style, each from the nearest style in the basedOn
        chain that has it (a "Heading 2" may give only its level and inherit the list)."""
        if style_id not in self._style_numbering:
            num_id = ilvl = None
            seen = set()
            sid = style_id
            while sid is not None and sid not in seen and sid in self._styles:
                seen.add(sid)
                style = self._styles[sid]
                numpr = style.find(f"{_PPR}/{_NUMPR}")
                if numpr is not None:
                    ilvl = ilvl if ilvl is not None else _int(_val(numpr.find(_ILVL)))
                    num_id = _val(numpr.find(_NUMID))
                    if num_id is not None:
                        break
                sid = _val(style.find(qn("w:basedOn")))
            self._style_numbering[style_id] = (num_id, ilvl)
        return self._style_numbering[style_id]

    def _list(self, num_id: str) -> _List:
        if num_id not in self._lists:
            num = self._nums[num_id]
            abstract = self._abstract_of(num)
            levels: dict[int, _Level] = {}
            overrides: dict[int, int] = {}
            if abstract is not None:
                levels = {_int(lvl.get(qn("w:ilvl"))) or 0: _level(lvl)
                          for lvl in abstract.iterchildren(qn("w:lvl"))}
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl"))) or 0
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
                start = _int(_val(override.find(qn("w:startOverride"))))
                if start is not None and ilvl in levels:
                    overrides[ilvl] = start
                    old = levels[ilvl]
                    levels[ilvl] = _Level(start, old.fmt, old.text, old.restart, old.legal,
                                          old.style)
            key = abstract.get(qn("w:abstractNumId")) if abstract is not None else None
            self._lists[num_id] = _List(key, levels, overrides)
        return self._lists[num_id]

    def _abstract_of(self, num, depth: int = 0):
        abstract = self._abstract.get(_val(num.find(qn("w:abstractNumId"))))
        link = _val(abstract.find(qn("w:numStyleLink"))) if abstract is not None else None
        if link is None or depth > 3:
            return abstract
        # The list is defined by a numbering style: follow its numPr to the real definition.
        style = self._styles.get(link)
        numpr = style.find(f"{_PPR}/{_NUMPR}") if style is not None else None
        linked = self._nums.get(_val(numpr.find(_NUMID))) if numpr is not None else None
        return self._abstract_of(linked, depth + 1) if linked is not None else abstract


def _part_element(document: Document, reltype: str):
    try:
        return document.part.part_related_by(reltype).element
    except KeyError:
        return None


def _level(lvl) -> _Level:
    fmt_el = lvl.find(_NUMFMT)
    if fmt_el is None:
        fmt_el = lvl.find(_FALLBACK_NUMFMT)  # a Word 2010 custom format's plain fallback
    text_el = lvl.find(qn("w:lvlText"))
    start = _int(_val(lvl.find(qn("w:start"))))
    return _Level(
        start=start if start is not None else 0,  # ECMA-376 17.9.25: 0 when omitted
        fmt=fmt_el.get(_W_VAL, "decimal") if fmt_el is not None else "decimal",
        text=text_el.get(_W_VAL) if text_el is not None else None,
        restart=_int(_val(lvl.find(qn("w:lvlRestart")))),
        legal=_on(lvl.find(qn("w:isLgl"))),
        style=_val(lvl.find(_PSTYLE)),
    )


def _format(n: int, fmt: str) -> str:
    if fmt == "none" or fmt == "bullet":
        return ""
    if fmt == "decimalZero":
        return f"{n:02d}"
    if n > 0 and fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if n > 0 and fmt in ("upperLetter", "lowerLetter"):
        # A..Z, then AA..ZZ, AAA..: Word repeats the letter.
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    return str(n)


def _roman(n: int) -> str:
    out = []
    for value, symbol in _ROMAN:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def _val(el) -> str | None:
    return el.get(_W_VAL) if el is not None else None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _on(el) -> bool:
    return el is not None and el.get(_W_VAL, "true") not in ("0", "false", "off")

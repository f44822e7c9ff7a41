"""Agency names as comparable units: accent-free words, separators, parentheses.

"Sở, ban, ngành", "Sở ban ngành" and "các sở, ban ngành" give the same words; "Ủy ban nhân dân"
and "UBND" give the same unit. Used by `engine.directory.match` for exact and approximate matching.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from rules.normalize import fold

_UNIT = re.compile(
    r"(?P<hard>[;\n\r•●▪◦]|(?<!\S)\+(?!\S))|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<soft>[,:]|(?<!\S)[-–—](?!\S))|(?P<dot>\.)|(?P<word>[^\s,;:().•●▪◦]+)"
)
# Words that become one unit on both sides of the comparison.
_SYNONYMS = ((("uy", "ban", "nhan", "dan"), "ubnd"), (("thanh", "pho"), "tp"),
             (("thi", "xa"), "tx"), (("trung", "uong"), "tw"))


@dataclass
class Unit:
    kind: str  # hard, lp, rp, soft, dot, word
    key: str
    start: int
    end: int


def units(text: str, *, cached: bool = False) -> list[Unit] | tuple[Unit, ...]:
    """The units of `text`; with `cached`, a shared tuple (do not modify its units)."""
    return _units_cached(text) if cached else _units(text)


@lru_cache(maxsize=4096)
def _units_cached(text: str) -> tuple[Unit, ...]:
    return tuple(_units(text))


def _units(text: str) -> list[Unit]:
    out: list[Unit] = []
    for m in _UNIT.finditer(text):
        kind = m.lastgroup or "word"
        key = fold(m.group(0)) if kind == "word" else m.group(0)
        out.append(Unit(kind, key, m.start(), m.end()))
    # Collapse synonyms ("Ủy ban nhân dân" = "UBND") so both spellings give the same keys.
    i, merged = 0, []
    while i < len(out):
        for seq, rep in _SYNONYMS:
            n = len(seq)
            if tuple(u.key for u in out[i:i + n]) == seq and all(
                u.kind == "word" for u in out[i:i + n]
            ):
                merged.append(Unit("word", rep, out[i].start, out[i + n - 1].end))
                i += n
                break
        else:
            merged.append(out[i])
            i += 1
    return merged


def name_keys(name: str) -> tuple[str, ...]:
    return tuple(u.key for u in units(name, cached=True) if u.kind == "word")


def variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Spellings a name is also written in: with or without a leading "các" and a trailing
    "tỉnh" ("Sở Nội vụ tỉnh", "các Sở, ban, ngành")."""
    base = key[1:] if key and key[0] in ("cac", "nhung") and len(key) > 1 else key
    forms = [base, ("cac", *base)]
    if len(base) >= 3 and base[-1] == "tinh":
        forms += [base[:-1], ("cac", *base[:-1])]
    elif len(base) >= 2:
        forms += [(*base, "tinh"), ("cac", *base, "tinh")]
    return forms



def words_align(a: list[str], b: list[str]) -> bool:
    """Every significant word on each side has a close counterpart on the other: "Công nhệ"
    is a typo of "Công nghệ", but "Ngoại vụ" is not "Nội vụ"."""
    stop = {"va", "cac", "tinh"}

    def covered(xs: list[str], ys: list[str]) -> bool:
        return all(
            any(difflib.SequenceMatcher(None, x, y).ratio() >= 0.8 for y in ys)
            for x in xs if x not in stop
        )

    return covered(a, b) and covered(b, a)




def closing(us: list[Unit], j: int) -> int:
    depth = 0
    for k in range(j, len(us)):
        if us[k].kind == "lp":
            depth += 1
        elif us[k].kind == "rp":
            depth -= 1
            if depth == 0:
                return k
    return len(us) - 1


def strip_edges(s: str) -> str:
    return s.strip(" \t,;:.-–—+•")

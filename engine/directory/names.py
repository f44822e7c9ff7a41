"""Agency names as comparable units: words (accent-free keys and their accents), separators,
parentheses; and the words that shape a cell of agency names.

"Sở, ban, ngành", "Sở ban ngành" and "các sở, ban ngành" give the same words; "Ủy ban nhân dân"
and "UBND" give the same unit. A word keeps its accents apart from its key: a word written with
accents matches a name's word only with the same accents ("số" is not "Sở"; "hoá" is "hóa",
wherever the tone mark sits); a word written without any ("So Tu phap") matches on its key.
Used by `engine.directory.match`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
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
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


@dataclass
class Unit:
    kind: str  # hard, lp, rp, soft, dot, word
    key: str  # accent-free, lower case ("so")
    start: int
    end: int
    # The word's letters and tone as written, tone-mark position ignored ("sơ|\u0309"); None
    # when written without any accent (it then matches any accents) or for a synonym unit.
    tone: str | None = None


def tone_form(word: str) -> str | None:
    """The word's accents, independent of where the tone mark sits ("hoá" = "hóa"); None for a
    word written without accents."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if decomposed.isascii() and "đ" not in word.lower():
        return None
    tones = "".join(sorted(c for c in decomposed if c in _TONE_MARKS))
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return f"{base}|{tones}"


def same_word(written: str | None, name: str | None) -> bool:
    """A word of a mention against a word of a name with the same key: equal accents, unless
    either is written without any."""
    return written is None or name is None or written == name


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
        if kind == "word":
            word = m.group(0)
            out.append(Unit(kind, fold(word), m.start(), m.end(), tone_form(word)))
        else:
            out.append(Unit(kind, m.group(0), m.start(), m.end()))
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


def name_words(name: str) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """A name's word keys and their accents."""
    ws = [u for u in units(name, cached=True) if u.kind == "word"]
    return tuple(u.key for u in ws), tuple(u.tone for u in ws)


def name_keys(name: str) -> tuple[str, ...]:
    return tuple(u.key for u in units(name, cached=True) if u.kind == "word")


def variants(key: tuple[str, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Spellings a name is also written in: with or without a leading "các" and a trailing
    "tỉnh" ("Sở Nội vụ tỉnh", "các Sở, ban, ngành"). Each as (words dropped at the front, words
    dropped at the end, the key); a word added is not dropped ("các", "tỉnh" match any
    accents)."""
    front = 1 if key and key[0] in ("cac", "nhung") and len(key) > 1 else 0
    base = key[front:]
    forms = [(front, 0, base), (front, 0, ("cac", *base))]
    if len(base) >= 3 and base[-1] == "tinh":
        forms += [(front, 1, base[:-1]), (front, 1, ("cac", *base[:-1]))]
    elif len(base) >= 2:
        forms += [(front, 0, (*base, "tinh")), (front, 0, ("cac", *base, "tinh"))]
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


# --- the words that shape a cell ---------------------------------------------------------------
# Words an agency's or a party's name starts with ("Bộ", "Trung tâm", "Doanh nghiệp", "Đồng
# chí"): after a comma or "và", such a word starts a new name ("Bộ Công an, Bộ Tư pháp"); a
# word that is not one continues the name ("Vụ Kế hoạch, Tài chính", "Bộ Văn hóa, Thể thao và
# Du lịch", "Liên hiệp các Hội Khoa học và Kỹ thuật"). Keys, several words joined by spaces.
HEADS = frozenset({
    "bo", "so", "cuc", "vu", "ban", "ubnd", "uy ban", "van phong", "trung tam", "vien", "dai",
    "thong tan xa", "lien hiep", "lien minh", "hiep hoi", "hoi", "cong an", "tong cuc",
    "chi cuc", "kho bac", "bao hiem", "ngan hang", "doanh nghiep", "nha", "truong",
    "dong chi", "d/c", "chu tich", "pho chu tich", "chuyen vien", "can bo", "thu tuong",
    "chinh phu", "quoc hoi", "toa an", "kiem toan", "thanh tra", "to chuc", "co quan",
    "don vi", "mat tran", "doan", "doan the", "hop tac xa", "tap doan", "tong cong ty",
    "cong ty", "phong", "bch", "bo chqs", "bchqs", "tieu ban", "to cong tac", "nguoi",
    "thuong truc", "lanh dao", "giam doc", "thu truong", "ttxvn", "vtv", "vov", "tp", "tx",
})
# Nouns a list of agencies by class is made of ("Sở, ban, ngành", "các bộ, cơ quan ngang bộ,
# cơ quan thuộc Chính phủ", "UBND các xã, phường, đặc khu"), by family: a bare noun of the
# family of the name before it continues that name.
GENERIC = {
    "so": "body", "ban": "body", "nganh": "body", "bo": "body", "co quan": "body",
    "don vi": "body", "dia phuong": "body", "to chuc": "body", "vien": "body",
    "truong": "body", "doan the": "body", "hoi": "body",
    "xa": "admin", "phuong": "admin", "dac khu": "admin", "thi tran": "admin",
    "tinh": "admin", "tp": "admin", "huyen": "admin", "tx": "admin", "quan": "admin",
    "thon": "admin", "ap": "admin", "khu pho": "admin", "to dan pho": "admin",
}
# What may follow a class noun without naming anyone ("... khác có liên quan", "cơ quan ngang
# bộ", "cơ quan thuộc Chính phủ", "thành phố trực thuộc trung ương", "Sở, ban, ngành tỉnh").
_QUALIFIER = re.compile(
    r"^(?:(?:khac|co lien quan|lien quan|ngang bo|tinh|tp|tw|trong tinh|cua tp|cua tinh"
    r"|cap (?:tinh|huyen|xa|bo|tw)|chuyen mon|chuyen nganh|(?:truc )?thuoc .+|tren dia ban.*"
    r"|dong tren dia ban.*|o dia phuong|dia phuong)\s*)*$"
)
# Words after a known name that say what it does, not who it is: a note, not the name.
ROLE_WORDS = ("de xuat", "tham dinh", "chu tri", "phoi hop", "huong dan", "thuc hien",
              "tham muu", "bao cao", "tong hop", "theo doi", "kiem tra", "trinh", "cung cap",
              "ho tro", "to chuc", "xay dung", "tien hanh", "ra soat", "gui", "ban hanh",
              "chiu trach nhiem", "lam dau moi", "dau moi", "giup", "tham gia", "cap nhat")
# Words after a known name that narrow it ("Sở, ban, ngành có liên quan": the relevant ones).
NARROWING = ("co lien quan", "lien quan", "khac")
def head_of(keys: list[str]) -> str | None:
    """The head word(s) a run of word keys starts with (after "các", "những"), or None."""
    words = keys[1:] if keys and keys[0] in ("cac", "nhung") else keys
    for n in (3, 2, 1):
        if len(words) >= n and " ".join(words[:n]) in HEADS:
            return " ".join(words[:n])
    return None


def generic_family(keys: list[str]) -> str | None:
    """The family of a bare class noun ("ban", "địa phương khác có liên quan", "UBND các xã",
    "thành phố trực thuộc trung ương"), or None when the words name someone."""
    words = list(keys)
    if words and words[0] == "ubnd":
        words = words[1:]
    if words and words[0] in ("cac", "nhung"):
        words = words[1:]
    for n in (2, 1):
        noun = " ".join(words[:n])
        if len(words) >= n and noun in GENERIC and _QUALIFIER.match(" ".join(words[n:])):
            return GENERIC[noun]
    return None


def starts_role(keys: list[str]) -> bool:
    text = " ".join(keys)
    return any(text == r or text.startswith(r + " ") for r in ROLE_WORDS)

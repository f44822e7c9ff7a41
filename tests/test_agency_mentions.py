"""The matcher corpus (tests/data/agency_mentions.yaml): real mentions from real plans against the
bundled directory, every entry; and the property that resolving a mention never yields an agency
the mention does not name (issue #19)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.directory.agencies import Directory
from engine.directory.names import name_keys
from engine.intake.build import check_mentions

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "agency_mentions.yaml").read_text(
    encoding="utf-8"))


@pytest.fixture(scope="module")
def d() -> Directory:
    return Directory.bundled()


def _id(entry: dict) -> str:
    return entry.get("mention") or entry.get("cell")


@pytest.mark.parametrize("entry", CORPUS["right"], ids=_id)
def test_right(d, entry):
    ms = d.split_and_resolve(entry["mention"])
    refs = [m.ref for m in ms]
    if refs == entry["ids"]:
        assert all(m.kind != "unresolved" for m in ms)
        return
    assert entry.get("accept_suggestion"), f"{entry['mention']!r} -> {ms}"
    # Left as written, with the right name offered to a person; never another agency.
    [m] = ms
    assert m.ref is None and m.ids == () and set(entry["ids"]) <= set(m.suggestions), m


@pytest.mark.parametrize("entry", CORPUS["must_not_match"], ids=_id)
def test_must_not_match(d, entry):
    ms = d.split_and_resolve(entry["mention"])
    assert ms, entry
    for m in ms:
        if entry["not_ids"] == "all":
            assert m.ref is None and m.ids == (), m
        else:
            assert m.ref not in entry["not_ids"], m
            assert not set(m.ids) & {i for x in entry["not_ids"] for i in d.members(x)}, m


@pytest.mark.parametrize("entry", CORPUS["ambiguous"], ids=_id)
def test_ambiguous_is_flagged_never_resolved(d, entry):
    ms = d.split_and_resolve(entry["mention"])
    assert ms and all(m.ids == () and m.kind in ("unresolved", "unspecific") for m in ms), ms
    warnings: list[str] = []
    check_mentions(ms, "chủ trì", d, warnings, [])
    assert len(warnings) >= len(ms) and all(entry["mention"][:20] in " ".join(warnings)
                                            or m.text in " ".join(warnings) for m in ms)


@pytest.mark.parametrize("entry", CORPUS["split"], ids=_id)
def test_split(d, entry):
    assert [m.text for m in d.split_and_resolve(entry["cell"])] == entry["names"]


# --- the property -------------------------------------------------------------------------------
def _names(directory: Directory) -> list[str]:
    return [n for a in directory for n in (a.name, *a.aliases)]


_BUNDLED = Directory.bundled()
_WORDS = sorted({w for n in _names(_BUNDLED) for w in n.replace(",", " ").split()} | {
    "Bộ", "Trung tâm", "Viện", "số", "Cục", "và", ",", ";", "các", "có liên quan", "với",
    "Thành phố", "tỉnh", "Hà Nội", "Đồng Tháp", "Chuyển đổi", "Quốc gia", "(", ")", "-", "khác",
    "cấp", "xã", "phường", "đặc khu", "đề xuất", "Dữ liệu", "so", "Tu", "phap", "hoá", "Số"})


def _pieces() -> st.SearchStrategy[str]:
    name = st.sampled_from(_names(_BUNDLED))
    word = st.sampled_from(_WORDS)
    part = st.one_of(name, word, st.lists(word, min_size=1, max_size=4).map(" ".join))
    joiner = st.sampled_from([" ", ", ", " và ", "; ", " - ", ""])
    return st.lists(st.tuples(part, joiner), min_size=1, max_size=6).map(
        lambda xs: "".join(p + j for p, j in xs))


def _named_in(mention_text: str, agency_id: str, directory: Directory) -> bool:
    """Does the mention's text contain, as a run of whole words, the name or an alias of the
    entry (a leading "các" and a trailing "tỉnh" aside)?"""
    words = list(name_keys(mention_text))
    a = directory.get(agency_id)
    for name in (a.name, *a.aliases):
        key = list(name_keys(name))
        if key[:1] == ["cac"]:
            key = key[1:]
        forms = [key, key[:-1] if len(key) >= 3 and key[-1] == "tinh" else key]
        for form in forms:
            n = len(form)
            if any(words[i:i + n] == form for i in range(len(words) - n + 1)):
                return True
    return False


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pieces())
def test_resolution_never_yields_an_agency_the_mention_does_not_name(cell):
    d = _BUNDLED
    for m in d.split_and_resolve(cell):
        if m.ref is not None:
            assert _named_in(m.text, m.ref, d), (cell, m)
            # The ids are the entry's members, nothing else.
            assert set(m.ids) <= set(d.members(m.ref)) or m.note, (cell, m)

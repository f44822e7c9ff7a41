"""The seed plan's appendix against golden data written by hand (tests/golden/seed_2025.yaml)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from engine.directory.agencies import Directory
from engine.intake.build import build_plan
from engine.intake.text_reader import read_text
from rules import WorkingCalendar

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_d4f10401d282f57e.txt"
GOLDEN = yaml.safe_load((Path(__file__).parent / "golden" / "seed_2025.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def plan():
    if not SEED.exists():
        pytest.fail(f"seed plan missing: {SEED}")
    doc = read_text(SEED.read_text(encoding="utf-8"), SEED.name)
    return build_plan(doc, directory=Directory.bundled(), calendar=WorkingCalendar.default())


@pytest.fixture(scope="module")
def by_key(plan):
    return {(t.group, t.code): t for t in plan.tasks}


def test_metadata(plan):
    g = GOLDEN["plan"]
    assert plan.plan.number == g["number"]
    assert plan.plan.date == g["date"]
    assert plan.plan.issuer == g["issuer"]
    assert plan.plan.year == g["year"]
    assert plan.plan.title == g["title"]


def test_report_cycle(plan):
    g = GOLDEN["report_cycle"]
    rc = plan.report_cycle
    assert rc.day == g["day"] and rc.stated
    assert rc.data_entry_url == g["data_entry_url"]
    got = [(p.name, p.from_, p.to, p.deadline) for p in rc.periods]
    assert got == [(p["name"], p["from"], p["to"], p["deadline"]) for p in g["periods"]]


def test_groups_in_order_with_leaf_counts(plan):
    order = list(dict.fromkeys(t.group for t in plan.tasks))
    counts = Counter(t.group for t in plan.leaves())
    assert [(name, counts[name]) for name in order] == [tuple(x) for x in GOLDEN["groups"]]
    assert len(plan.leaves()) == 71


def test_nothing_invented(plan):
    expected = {(x["group"], x["code"]) for x in GOLDEN["leaves"]}
    expected |= {(g, c) for g, c, _ in GOLDEN["parents"]}
    assert {(t.group, t.code) for t in plan.tasks} == expected
    assert len(plan.tasks) == len(expected)  # no duplicate (group, code)


def test_parents(by_key):
    for group, code, parent in GOLDEN["parents"]:
        task = by_key[(group, code)]
        assert not task.leaf, (group, code)
        assert task.parent == parent, (group, code)


@pytest.mark.parametrize("gold", GOLDEN["leaves"], ids=lambda g: f"{g['group']}:{g['code']}")
def test_leaf(by_key, gold):
    task = by_key[(gold["group"], gold["code"])]
    assert task.leaf
    if gold.get("title_exact"):
        assert task.title == gold["title"]
    else:
        assert task.title.startswith(gold["title"]), task.title
    assert not any(ch in task.title for ch in "¹²³⁴⁵⁶⁷⁸⁹")
    assert task.lead == gold["lead"]
    assert task.support == gold["support"]
    assert task.timing == gold["timing"]
    assert task.kind == gold["kind"]
    assert task.due == gold["due"]
    expected_parent = gold["code"].rsplit(".", 1)[0] if "." in gold["code"] else None
    assert task.parent == expected_parent
    if "deadlines" in gold:
        assert [(d.due, d.label) for d in task.deadlines] == [tuple(x) for x in gold["deadlines"]]
    if "targets" in gold:
        assert [(t.scope, t.value) for t in task.targets] == [tuple(x) for x in gold["targets"]]
    if "event" in gold:
        assert (task.event_offset, task.event_unit) == tuple(gold["event"])


def test_contract_example_4_2_1(by_key):
    t = by_key[("Cải cách TTHC", "4.2.1")]
    assert t.title.startswith("Cập nhật, công khai TTHC theo các Quyết định công bố")
    assert t.product == "Công văn của Văn phòng UBND tỉnh"
    assert t.lead == ["Văn phòng UBND tỉnh"] and t.lead_agencies == ["vp-ubnd"]
    assert t.support == ["Các sở, ngành tỉnh và cơ quan có liên quan", "UBND cấp huyện",
                         "UBND cấp xã"]
    assert "so-tu-phap" in t.support_agencies and "ubnd-h-tran-de" in t.support_agencies
    assert t.support_agencies[-1] == "ubnd-cap-xa"
    assert t.kind == "ongoing" and t.due == [] and t.deadlines == []


def test_task_without_lead_is_warned_not_filled(by_key):
    for key in [("Cải cách thủ tục", c) for c in ("4", "4.1", "4.2")] + [
        ("Công tác chỉ đạo điều hành", "5")
    ]:
        t = by_key[key]
        assert t.lead == [] and t.lead_agencies == []
        assert any("chủ trì" in w for w in t.warnings), key
    assert any("thời gian" in w.lower() for w in by_key[("Công tác chỉ đạo điều hành", "5")]
               .warnings)


def test_merged_timing_cell_warned_on_task_8(by_key):
    t8 = by_key[("Cải cách TTHC", "8")]
    assert any("ô gộp" in w and "7" in w for w in t8.warnings)
    assert not any("ô gộp" in w for w in by_key[("Cải cách TTHC", "7")].warnings)


def test_misplaced_group_labels_are_warned(plan):
    text = " ".join(plan.warnings)
    assert "Cải cách tài chính công" in text and "Công tác chỉ đạo điều hành" in text


def test_reference_lead_is_kept_and_flagged(by_key):
    t = by_key[("Xây dựng và phát triển chính quyền số", "3.1")]
    assert t.lead_agencies == []
    assert any("không chỉ rõ" in w for w in t.warnings)


def test_inherited_cells(by_key):
    t = by_key[("Cải cách thủ tục", "1.1")]
    assert t.lead_agencies == ["so-tu-phap"]
    assert t.product == "Kế hoạch của UBND tỉnh"
    t = by_key[("Cải cách TTHC", "4.2")]  # a parent inherits from its own parent too
    assert t.lead == ["Văn phòng UBND tỉnh"]
    assert t.product == "Báo cáo kết quả thực hiện của UBND tỉnh"


def test_every_agency_mention_resolves(plan):
    # Every agency the seed names is in the bundled directory: no "unresolved" warnings.
    assert not [w for t in plan.tasks for w in t.warnings if "Không nhận ra cơ quan" in w]

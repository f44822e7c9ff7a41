"""A draft agency directory for any province, from a plan's mentions (`nhacviec agency init`),
and what a directory still lacks (`nhacviec agency check`).

The draft starts from the bundled template of the post-2025 provincial structure
(`config/agencies_template_2025.yaml`): every mention the template names is its entry (the 12
departments of Nghị định 150/2025/NĐ-CP, the groups plans use); every other distinct mention
becomes an entry of its own, named as the plan writes it, its kind guessed from its first words
("Sở" a department, "Công an", "Cục", "Kho bạc" a central agency, "Trung tâm", "Đài" a public
unit, "Hội", "Liên hiệp" a body, "Các doanh nghiệp" a collective, "... có liên quan"
unspecific), its address left blank for the officer. The monitor (Sở Nội vụ) and the steering
committee are always there: a directory needs them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from engine.directory.agencies import Agency, Directory
from engine.directory.names import generic_family
from engine.intake.model import ParsedPlan
from rules.normalize import fold

CITIES = ("ha noi", "ho chi minh", "hai phong", "da nang", "can tho", "hue")
# First words (accent-free) -> kind, longest first.
_KIND_BY_HEAD = (
    ("van phong ubnd", "department"), ("van phong uy ban nhan dan", "department"),
    ("thanh tra", "department"), ("so ", "department"),
    ("ubnd tinh", "provincial_authority"), ("uy ban nhan dan tinh", "provincial_authority"),
    ("ubnd thanh pho", "provincial_authority"), ("ubnd tp", "provincial_authority"),
    ("ubnd xa", "commune"), ("ubnd phuong", "commune"), ("ubnd dac khu", "commune"),
    ("uy ban nhan dan xa", "commune"), ("uy ban nhan dan phuong", "commune"),
    ("ban quan ly", "provincial_body"), ("ban dan toc", "provincial_body"),
    ("cong an", "central"), ("bo chi huy", "central"), ("bo chqs", "central"),
    ("bchqs", "central"), ("cuc ", "central"), ("chi cuc", "central"), ("kho bac", "central"),
    ("bao hiem", "central"), ("ngan hang", "central"), ("thue", "central"),
    ("thong ke", "central"), ("hai quan", "central"),
    ("trung tam", "public_unit"), ("dai ", "public_unit"), ("vien ", "public_unit"),
    ("truong ", "public_unit"), ("benh vien", "public_unit"), ("bao ", "public_unit"),
)
_REPORTS = frozenset({"department", "provincial_body", "central", "commune", "public_unit"})
_ORDER = ("provincial_authority", "steering", "department", "provincial_body", "public_unit",
          "central", "commune", "body", "group", "collective", "unspecific")


@dataclass
class DraftEntry:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    reports: bool = False
    role: str | None = None
    parent: str | None = None
    members: list[str] = field(default_factory=list)
    member_kinds: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)  # tasks that name it
    from_template: bool = False


def guess_kind(text: str) -> str:
    key = " ".join(fold(text).split())
    plural = re.sub(r"^(?:cac|nhung) ", "", key)
    if "lien quan" in key:
        return "unspecific"
    pieces = [fold(x).split() for x in re.split(r"[,;]| và ", text) if x.strip()]
    if len(pieces) > 1 and all(generic_family(p) is not None for p in pieces):
        return "collective"  # "Viện, Trường"
    if generic_family(plural.split()) is not None or key.startswith(("cac ", "nhung ")) \
            or plural.startswith(("doanh nghiep", "nha ")):
        return "collective"
    for head, kind in _KIND_BY_HEAD:
        if plural.startswith(head) or plural == head.strip():
            return kind
    return "body"


def slug(text: str) -> str:
    words = re.sub(r"[^0-9a-z]+", " ", fold(text)).split()
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > 40:
            break
        out = f"{out}-{w}" if out else w
    return out or "co-quan"


def draft(plan: ParsedPlan, template: Directory, *, province: str | None = None) -> str:
    """The draft directory (YAML text) for `plan`, whose mentions were resolved against
    `template`."""
    place = province or _province_of(plan.plan.issuer)
    city = place is not None and fold(place) in CITIES or "thanh pho" in fold(plan.plan.issuer
                                                                                 or "")
    entries: dict[str, DraftEntry] = {}
    by_text: dict[str, str] = {}
    for t in plan.tasks:
        where = f"{t.group} / {t.code}" if t.group else t.code
        for texts, refs in ((t.lead, t.lead_refs), (t.support, t.support_refs)):
            for text, ref in zip(texts, refs or [None] * len(texts), strict=False):
                if ref is not None and ref in template:
                    _take(template.get(ref), template, entries, city, place)
                    entries[ref].where.append(where)
                    continue
                key = _without_place(" ".join(fold(text).split()), place)
                if key in by_text:
                    e = entries[by_text[key]]
                    e.where.append(where)
                    if text != e.name and text not in e.aliases:
                        e.aliases.append(text)  # "Ban Quản lý khu Kinh tế tỉnh Đồng Tháp"
                    continue
                near = template.matcher.suggest(text)
                if len(near) == 1:
                    # "Sở Văn hoá Thể thao du lịch": the template's department, written
                    # otherwise; the officer confirms the spelling kept as an alias.
                    _take(template.get(near[0]), template, entries, city, place)
                    e = entries[near[0]]
                    e.aliases.append(text)
                    e.where.append(f"{where} (viết «{text}»: kiểm tra)")
                    by_text[key] = near[0]
                    continue
                kind = guess_kind(text)
                entry_id = _unique(slug(text), entries, template)
                entries[entry_id] = DraftEntry(entry_id, text, kind, reports=kind in _REPORTS,
                                               where=[where])
                by_text[key] = entry_id
    for a in template:  # a directory needs its monitor and steering committee
        if a.role in ("monitor", "steering"):
            _take(a, template, entries, city, place)
    ordered = sorted(entries.values(), key=lambda e: (_ORDER.index(e.kind), e.name))
    return _yaml(ordered, plan, place)


def _without_place(key: str, place: str | None) -> str:
    if place:
        p = " ".join(fold(place).split())
        for head in ("tinh ", "thanh pho ", "tp "):
            key = key.removesuffix(f" {head}{p}")
    return key


def _province_of(issuer: str | None) -> str | None:
    m = re.search(r"(?:tỉnh|thành phố|TP\.?)\s+(.+)$", issuer or "", re.I)
    return m.group(1).strip() if m else None


def _take(a: Agency, template: Directory, entries: dict[str, DraftEntry], city: bool,
          place: str | None) -> None:
    if a.id in entries:
        return
    name = _local(a.name, city)
    aliases = [_local(x, city) for x in a.aliases]
    if place and (" tỉnh" in name or " thành phố" in name or a.kind == "provincial_authority"):
        local = name if name.endswith(place) else f"{name} {place}"
        if local != name:
            aliases.append(local)
    entries[a.id] = DraftEntry(a.id, name, a.kind, list(dict.fromkeys(aliases)), a.reports,
                               a.role, a.parent, list(a.members), list(a.member_kinds),
                               from_template=True)
    for ref in (*a.members, *([a.parent] if a.parent else [])):
        _take(template.get(ref), template, entries, city, place)


def _local(name: str, city: bool) -> str:
    return re.sub(r"\btỉnh\b", "thành phố", name) if city else name


def _unique(base: str, entries: dict[str, DraftEntry], template: Directory) -> str:
    out, n = base, 2
    while out in entries or out in template:
        out, n = f"{base}-{n}", n + 1
    return out


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _yaml(entries: list[DraftEntry], plan: ParsedPlan, place: str | None) -> str:
    info = plan.plan
    label = " ".join(x for x in (f"Kế hoạch số {info.number}" if info.number else "Kế hoạch",
                                 f"ngày {info.date:%d/%m/%Y}" if info.date else "",
                                 f"của {info.issuer}" if info.issuer else "") if x)
    lines = [
        "# BẢN NHÁP danh bạ cơ quan - nhacviec agency init",
        f"# Lập từ các cơ quan nêu trong {label}" + (f" ({place})." if place else "."),
        "# Mỗi cơ quan một mục; loại cơ quan (kind) là phỏng đoán theo tên: cần kiểm tra.",
        "# Cần làm trước khi dùng:",
        "# - ghi địa chỉ thư điện tử chính thức vào «emails» (và chat Telegram/Zalo nếu có);",
        "# - kiểm tra cơ quan theo dõi (role: monitor) và Ban Chỉ đạo (role: steering);",
        "# - với nhóm, tập hợp (group, collective): liệt kê thành viên (members) nếu nhắc việc",
        "#   được cho từng cơ quan; mục «unspecific» không nhắc ai;",
        "# - thêm bí danh (aliases) cho các cách viết khác (mẫu: config/agencies_template_2025"
        ".yaml).",
        "# Kiểm tra: nhacviec agency check TỆP. Dùng: NHACVIEC_AGENCIES=TỆP.",
        "",
        "agencies:",
    ]
    for e in entries:
        lines.append(f"  - id: {e.id}")
        lines.append(f"    name: {_q(e.name)}")
        lines.append(f"    kind: {e.kind}")
        if e.role:
            lines.append(f"    role: {e.role}")
        if e.aliases:
            lines.append("    aliases: [" + ", ".join(_q(x) for x in e.aliases) + "]")
        if e.parent:
            lines.append(f"    parent: {e.parent}")
        if e.members:
            lines.append("    members: [" + ", ".join(e.members) + "]")
        if e.member_kinds:
            lines.append("    member_kinds: [" + ", ".join(e.member_kinds) + "]")
        if e.kind not in ("group", "collective", "unspecific"):
            lines.append(f"    reports: {'true' if e.reports else 'false'}")
            lines.append("    emails: []                  # điền địa chỉ chính thức")
        if e.where:
            shown = ", ".join(dict.fromkeys(e.where))
            if len(shown) > 80:
                shown = shown[:77] + "…"
            lines.append(f"    # nêu ở nhiệm vụ: {shown}")
    return "\n".join(lines) + "\n"


# --- what a directory still lacks --------------------------------------------------------------
@dataclass(frozen=True)
class Gap:
    agency_id: str
    what: str  # Vietnamese, for the officer
    blocking: bool = True  # reminders cannot reach someone until it is filled


def gaps(directory: Directory) -> list[Gap]:
    """What is still missing before reminders reach everyone: an address, a member list, a
    placeholder address."""
    out: list[Gap] = []
    for a in directory:
        if a.is_single and a.successor is None and a.parent is None:
            reachable = a.emails or a.telegram_chat_ids or a.zalo_chat_ids
            if not reachable and a.kind != "provincial_authority":
                out.append(Gap(a.id, f"«{a.name}»: chưa có địa chỉ (email, Telegram hoặc Zalo)"))
            elif any(e.endswith(("example.org", "example.com", "example.net")) for e in a.emails):
                out.append(Gap(a.id, f"«{a.name}»: địa chỉ còn là địa chỉ mẫu "
                                     f"({', '.join(a.emails)})"))
        elif a.kind == "group" and not directory.members(a.id):
            out.append(Gap(a.id, f"«{a.name}»: nhóm chưa có thành viên nào (liệt kê các cơ quan "
                                 "của nhóm, ví dụ từng xã, phường, đặc khu)"))
        elif a.kind == "collective":
            out.append(Gap(a.id, f"«{a.name}»: tập hợp không liệt kê thành viên, nhiệm vụ giao "
                                 "cho tập hợp này không nhắc được ai", blocking=False))
    return out

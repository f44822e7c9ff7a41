"""The hand-off between a file reader and the plan builder.

A reader (.txt extract, .docx, .xlsx, .csv) turns its file into a ``RawDocument``: the body text
of the plan (for its number, date, issuer, year, title and report cycle) and the appendix table
as ``RawRow``s in document order, with the reader's own artefacts already repaired (page breaks,
merged cells). The builder (`engine.intake.build`) turns that into a ``ParsedPlan``: numbering,
hierarchy, groups, inheritance, agencies, timing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column keys a reader fills. "number" is the STT column where the table has one; where the
# number is written at the start of the task text (the seed's PDF extract) it stays in "title".
COLUMNS = ("group", "number", "title", "product", "lead", "support", "timing")


@dataclass
class RawRow:
    cells: dict[str, str]  # keys from COLUMNS; missing key = empty cell
    line: int | None = None  # 1-based line (text) or row (sheet/table) in the source
    # A row that only holds a group label spanning the table ("I | CẢI CÁCH THỂ CHẾ").
    is_group_row: bool = False
    # Cells this row shares with the row above through a vertical merge (docx/xlsx): the
    # builder treats them as written in this row too, not as inherited.
    merged_from_above: frozenset[str] = frozenset()
    # What the reader repaired in this row that a person should check; becomes task warnings.
    warnings: list[str] = field(default_factory=list)
    # A "…" row: the source leaves rows out here (a web page's hidden rows). The text as written;
    # the tasks after it belong to a group the source does not show.
    gap: str | None = None

    def get(self, key: str) -> str:
        return self.cells.get(key, "") or ""


@dataclass
class RawDocument:
    body: str  # the plan's text outside the appendix table
    rows: list[RawRow]
    source: str  # file name, for messages
    warnings: list[str] = field(default_factory=list)  # what the reader repaired or doubted
    footnotes: dict[str, str] = field(default_factory=dict)  # marker ("2") -> footnote text

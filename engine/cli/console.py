"""The one way the commands make their rich Console.

Its markup is off: what the commands print is mostly text people wrote (plan titles, agency
names, chat titles), and "[/KH-UBND]" in a title is data, not a closing tag (with markup on it
stopped `plan parse` with a MarkupError, "[b]" turned text bold and "[kèm theo ...]" vanished).
Our own emphasis is given as `rich.text.Text` with a style, never as markup in a string.
Emoji codes are off for the same reason: ":thumbs_up:" in a name is printed as written, not as
a picture (and the table renders a fifth quicker without the lookups).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import Segment, Segments

# Piped or redirected output (a log, a cron mail) has no terminal width; rich then assumes 80
# columns and wraps the status table into unreadable slivers. Wide enough for it instead,
# unless COLUMNS says otherwise.
PIPE_WIDTH = 160


def make_console() -> Console:
    if "COLUMNS" not in os.environ and not sys.stdout.isatty():
        return Console(width=PIPE_WIDTH, markup=False, emoji=False)
    return Console(markup=False, emoji=False)


def fits(renderable: RenderableType, console: Console) -> bool:
    """Whether it renders within the console's width. A rich table squeezes its columns down
    to their longest word, then crops the lines it still cannot fit: a column silently lost."""
    return fitting(renderable, console) is not None


def fitting(renderable: RenderableType, console: Console) -> RenderableType | None:
    """Its rendering when that fits the console's width, else None (a large table is rendered
    once, not once to see and again to print)."""
    lines = list(Segment.split_lines(console.render(renderable, console.options)))
    if max((Segment.get_line_length(line) for line in lines), default=0) > console.width:
        return None
    return Segments([s for line in lines for s in (*line, Segment.line())])


def natural_width(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """The width a table of plain text takes with no cell wrapped (at most: a box with a
    border and one space each side of every column), counted from the text, not rendered."""
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(cell_len(line) for line in cell.split("\n")))
    return sum(widths) + 3 * len(widths) + 1

"""The one way the commands make their rich Console.

Its markup is off: what the commands print is mostly text people wrote (plan titles, agency
names, chat titles), and "[/KH-UBND]" in a title is data, not a closing tag (with markup on it
stopped `plan parse` with a MarkupError, "[b]" turned text bold and "[kèm theo ...]" vanished).
Our own emphasis is given as `rich.text.Text` with a style, never as markup in a string.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.segment import Segment, Segments

# Piped or redirected output (a log, a cron mail) has no terminal width; rich then assumes 80
# columns and wraps the status table into unreadable slivers. Wide enough for it instead,
# unless COLUMNS says otherwise.
PIPE_WIDTH = 160


def make_console() -> Console:
    if "COLUMNS" not in os.environ and not sys.stdout.isatty():
        return Console(width=PIPE_WIDTH, markup=False)
    return Console(markup=False)


def fits(renderable: RenderableType, console: Console) -> bool:
    """Whether it renders within the console's width. A rich table squeezes its columns down
    to their longest word, then crops the lines it still cannot fit: a column silently lost."""
    return fitting(renderable, console) is not None


def fitting(renderable: RenderableType, console: Console) -> RenderableType | None:
    """What to print when it fits the console's width, else None: the renderable itself when
    even unwrapped it fits (measured, not rendered), else its rendering (a large table is
    rendered once, not once to measure and again to print)."""
    wide = console.options.update(width=1_000_000, max_width=1_000_000)
    if Measurement.get(console, wide, renderable).maximum <= console.width:
        return renderable
    lines = list(Segment.split_lines(console.render(renderable, console.options)))
    if max((Segment.get_line_length(line) for line in lines), default=0) > console.width:
        return None
    return Segments([s for line in lines for s in (*line, Segment.line())])

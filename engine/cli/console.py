"""The one way the commands make their rich Console."""

from __future__ import annotations

import os
import sys

from rich.console import Console

# Piped or redirected output (a log, a cron mail) has no terminal width; rich then assumes 80
# columns and wraps the status table into unreadable slivers. Wide enough for it instead,
# unless COLUMNS says otherwise.
PIPE_WIDTH = 160


def make_console() -> Console:
    if "COLUMNS" not in os.environ and not sys.stdout.isatty():
        return Console(width=PIPE_WIDTH)
    return Console()

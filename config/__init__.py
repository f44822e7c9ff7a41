"""The configuration nhacviec ships with: the agency directory, the reminder policy, the
calendar overrides and the demo plan, each replaceable by a setting (engine.settings)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled(name: str) -> Path:
    """A file shipped in this package (agency directory, demo plan, policy)."""
    return Path(str(files("config") / name))

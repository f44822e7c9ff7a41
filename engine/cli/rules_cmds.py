"""(placeholder: commands of this area are added here)"""

from __future__ import annotations

from engine.cli.main import app  # noqa: F401

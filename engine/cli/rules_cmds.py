"""(placeholder: commands of this area are added here)"""

from __future__ import annotations

from engine.cli.main import app  # noqa: F401


@app.command("version", help="In phiên bản nhacviec.")
def version() -> None:
    from importlib.metadata import version as _v

    print(_v("nhacviec"))

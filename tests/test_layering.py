"""The layering of the packages, read from the code itself (an AST walk over every import, at the
top of a module or inside a function), so that it stays as the README's module map draws it.

Each layer may import only the layers listed for it (and itself). `TYPE_CHECKING` imports count
too: a type hint that needs a higher layer is a sign the code sits in the wrong place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("core", "rules", "config", "templates", "notifiers", "engine")

# layer -> the layers it may import. Engine stages in pipeline order: a stage sees only the
# stages before it. `engine.settings` is the service's configuration (it reads the policy file).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "rules": {"core"},
    "config": set(),
    "templates": set(),
    "notifiers": {"core"},
    "engine.storage": {"core", "config"},
    "engine.directory": {"core", "config", "rules"},
    "engine.intake": {"core", "config", "rules", "engine.directory"},
    "engine.planning": {"core", "config", "rules", "engine.storage", "engine.directory"},
    "engine.settings": {"core", "config", "rules", "engine.planning"},
    "engine.tracking": {"core", "config", "rules", "notifiers", "engine.storage",
                        "engine.directory", "engine.intake", "engine.planning",
                        "engine.settings"},
    "engine.reports": {"core", "config", "rules", "notifiers", "engine.storage",
                       "engine.directory", "engine.planning", "engine.settings",
                       "engine.tracking"},
    "engine.dispatch": {"core", "config", "rules", "notifiers", "engine.storage",
                        "engine.directory",
                        "engine.planning", "engine.settings", "engine.tracking",
                        "engine.reports"},
    "engine.service": {"core", "config", "rules", "notifiers", "engine.storage",
                       "engine.directory", "engine.intake", "engine.planning", "engine.settings",
                       "engine.tracking", "engine.reports", "engine.dispatch"},
}
# The front doors may use every engine stage and every channel; the web desk is one, the command
# line the other, which also starts the desk (`nhacviec web`, `run`); nothing imports the CLI.
FRONT_DOORS = ("engine.web", "engine.cli")
ENGINE_STAGES = {k for k in ALLOWED if k.startswith("engine.")}


# Modules of one layer that are not in its package: `engine.quick_settings` is the settings'
# layer, a module apart so that importing it does not import pydantic-settings.
LAYER_OF_MODULE = {"engine.quick_settings": "engine.settings"}


def layer_of(module: str) -> str:
    for name, layer in LAYER_OF_MODULE.items():
        if module == name or module.startswith(name + "."):
            return layer
    parts = module.split(".")
    if parts[0] == "engine" and len(parts) > 1:
        return f"engine.{parts[1]}"
    return parts[0]


def modules() -> list[tuple[str, Path]]:
    out = []
    for top in OURS:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts)
            out.append((name.removesuffix(".__init__"), path))
    return out


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] in OURS]
    return found


def test_every_layer_is_known() -> None:
    """A new package gets a line in ALLOWED (and in the README's map) before it gets code."""
    layers = {layer_of(name) for name, _ in modules()}
    assert layers <= set(ALLOWED) | set(FRONT_DOORS) | {"engine"}, sorted(
        layers - set(ALLOWED) - set(FRONT_DOORS))


@pytest.mark.parametrize(("name", "path"), modules(), ids=lambda v: str(v))
def test_imports_run_one_way(name: str, path: Path) -> None:
    layer = layer_of(name)
    wrong = []
    for line, target in imports(path):
        other = layer_of(target)
        if other == layer or other == "engine":
            continue
        if layer in FRONT_DOORS:  # a later front door may start an earlier one
            ok = other not in FRONT_DOORS or (
                FRONT_DOORS.index(other) < FRONT_DOORS.index(layer))
        elif layer == "engine":  # the package's own __init__
            ok = False
        else:
            ok = other in ALLOWED[layer]
        if not ok:
            wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_front_doors() -> None:
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {target}"
             for name, path in modules() if layer_of(name) not in FRONT_DOORS
             for line, target in imports(path) if layer_of(target) in FRONT_DOORS]
    wrong += [f"{path.relative_to(ROOT)}:{line} imports {target}"
              for name, path in modules() if layer_of(name) == "engine.web"
              for line, target in imports(path) if layer_of(target) == "engine.cli"]
    assert not wrong, "\n".join(wrong)


def test_the_map_catches_a_wrong_import(tmp_path: Path) -> None:
    """The walk sees an import inside a function, as a late import would hide it."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from engine.storage.db import session\n", encoding="utf-8")
    (line, target), = imports(sample)
    assert (line, layer_of(target)) == (2, "engine.storage")
    assert "engine.storage" not in ALLOWED["notifiers"]

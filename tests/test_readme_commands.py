"""The README's command lines parse against the real CLI (issue 17: "README matches the CLI").

Every `nhacviec ...` line of the README's shell blocks, and every `nhacviec ...` code span of
its prose, is parsed by the Click command Typer builds from the app: the sub-command exists,
every option exists and takes a value when given one, required arguments are there. Nothing
runs. Optional parts written `[--rotate]` are parsed with the option; shell redirections and
comments are left out; a span naming alternatives (`agency list|init|check`) is skipped.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from pathlib import Path

import pytest
import typer
from typer._click.exceptions import UsageError

from engine.cli.main import _register, app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def command_lines() -> list[str]:
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("nhacviec "):
                lines.append(line)
    prose = re.sub(r"```.*?```", "", README, flags=re.S).replace("\n", " ")
    lines += [span for span in re.findall(r"`(nhacviec [^`]+)`", prose)]
    return lines


def words_of(line: str) -> list[str] | None:
    line = re.split(r"\s+#\s", line)[0]  # a trailing comment
    line = re.split(r"\s[<>|]\s|\s>", line)[0]  # redirections and pipes
    if re.search(r"\w\|\w|\(", line) or "..." in line:  # alternatives, elisions
        return None
    line = line.replace("[", "").replace("]", "")
    # The README's placeholders for a number.
    line = re.sub(r"\bYYYY\b", "2030", line)
    return shlex.split(line)[1:]


def parse(args: list[str]) -> None:
    _register()
    group = typer.main.get_command(app)
    command, path = group, ["nhacviec"]
    while args and hasattr(command, "commands") and args[0] in command.commands:
        path.append(args[0])
        command = command.commands[args.pop(0)]
    if not args:  # a command named in prose ("`nhacviec done`"): it exists, that is all
        return
    assert not hasattr(command, "commands") or args[0].startswith("-"), \
        f"{' '.join(path)}: no sub-command {args[0]}"
    with contextlib.suppress(typer.Exit):  # --help: printed, then exit 0
        command.make_context(" ".join(path), list(args))


LINES = command_lines()
# Lines showing alternatives or an elision are not one command: left out of the parsing test
# (never skipped), and few, so that the test keeps covering the README.
ONE_COMMAND = [line for line in LINES if words_of(line) is not None]


def test_the_readme_has_command_lines():
    assert len(ONE_COMMAND) >= 30
    assert len(LINES) - len(ONE_COMMAND) <= 6


@pytest.mark.parametrize("line", ONE_COMMAND)
def test_readme_command_line_parses(line: str):
    args = words_of(line)
    try:
        parse(args)
    except UsageError as exc:
        pytest.fail(f"{line!r}: {exc.format_message()}")

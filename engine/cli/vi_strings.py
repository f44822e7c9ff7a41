"""Vietnamese for the CLI framework's own words: help panels, usage line and usage errors.

Typer 0.29 (installed: 0.29.2) ships its own copy of Click, `typer._click` (a private module:
this file depends on that version's classes), whose messages are plain f-strings, not
gettext calls, so a translation catalog cannot reach them ("No such option", "Missing argument",
"Usage: ", "Show this message and exit." ...). Typer's own `_()` calls read the language from
LANGUAGE/LANG, which a clean environment does not set. What the installed version does offer:

- the help and error panels' fixed strings are module constants of `typer.rich_utils`;
- `Typer(cls=...)` takes a group class, and Click builds each command's context from
  `Command.context_class`, whose `formatter_class` writes the usage line;
- every usage error is an exception that reaches the root group's `make_context` or `invoke`
  before Typer prints it, carrying what it is about (the parameter, the option name).

So `VietnameseGroup` gives every command a context that writes "Cách dùng:" and a Vietnamese
`--help` line, Vietnamese placeholders in the usage line (Typer's `options_metavar` and
`subcommand_metavar` settings), and replaces each usage error by one with a Vietnamese message
built from the exception's fields. Messages that only exist as text (`ctx.fail(...)`) are
matched against the installed version's wording; tests/test_cli_vietnamese.py catches a change
of that wording.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from typer._click import Context, HelpFormatter
from typer._click.exceptions import (
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.utils import echo
from typer.core import TyperGroup, TyperOption, _TyperParameter

USAGE_PREFIX = "Cách dùng: "
HELP_OPTION_HELP = "Hiện hướng dẫn này rồi thoát."
TRY_HELP = "Chạy '{command_path} {help_option}' để xem hướng dẫn."
ERROR_TITLE = "Lỗi"
# The usage line's placeholders, replacing Typer's defaults "[OPTIONS]" and "COMMAND [ARGS]...".
OPTIONS_METAVAR = ("[OPTIONS]", "[TÙY_CHỌN]")
SUBCOMMAND_METAVAR = ("COMMAND [ARGS]...", "LỆNH [THAM_SỐ]...")

# Typer reads these module constants each time it renders help or an error panel.
_RICH_HELP_STRINGS = {
    "ARGUMENTS_PANEL_TITLE": "Tham số",
    "OPTIONS_PANEL_TITLE": "Tùy chọn",
    "COMMANDS_PANEL_TITLE": "Lệnh",
    "ERRORS_PANEL_TITLE": ERROR_TITLE,
    "DEFAULT_STRING": "[mặc định: {}]",
    "REQUIRED_LONG_STRING": "[bắt buộc]",
    "ENVVAR_STRING": "[biến môi trường: {}]",
    "DEPRECATED_STRING": "(không còn dùng) ",
    "ABORTED_TEXT": "Đã hủy.",
    "RICH_HELP": TRY_HELP.replace("'{command_path} {help_option}'",
                                  "[blue]'{command_path} {help_option}'[/]"),
}

# Plain help (TYPER_USE_RICH=0): Typer's section headings and the markers after a help text,
# "[env var: X; default: 20; required]".
_PLAIN_HEADINGS = {"Arguments": "Tham số", "Options": "Tùy chọn", "Commands": "Lệnh"}
_PLAIN_MARKERS = re.compile(r"\[([^\[\]]*)\]$")
_PLAIN_MARKER_WORDS = [("env var: ", "biến môi trường: "), ("default: ", "mặc định: "),
                       ("required", "bắt buộc")]

_PARAM_KIND = {"argument": "tham số", "option": "tùy chọn", "parameter": "tham số"}

# The words of the type Typer shows after a parameter without a metavar of its own ("--to <int>",
# "<int range>", "<list[str]>"); choices ("<email|telegram>") are values and stay. A flag takes
# no value: nothing is shown (Typer 0.29 showed "<bool>").
_TYPE_WORDS = {"int": "số", "float": "số", "str": "chuỗi", "path": "đường_dẫn", "file": "tệp",
               "directory": "thư_mục", "datetime": "ngày_giờ", "bool": "có|không",
               "UUID": "mã", "range": "trong_khoảng"}
_LIST_TYPE = re.compile(r"list\[(?P<item>[^\]]*)\]")


def vietnamese_type(label: str) -> str:
    """Typer's type label in Vietnamese: "<int range>" -> "<số trong_khoảng>", "<list[str]>"
    -> "<chuỗi...>"; a label it does not know is left as it is."""
    if not (label.startswith("<") and label.endswith(">")):
        return label
    inner = _LIST_TYPE.sub(lambda m: f"{m['item']}...", label[1:-1])
    words = [_TYPE_WORDS.get(w.rstrip("."), w.rstrip(".")) + "." * (len(w) - len(w.rstrip(".")))
             for w in inner.split(" ")]
    return f"<{' '.join(words)}>"

# Pydantic error types (Typer converts command-line values with pydantic) by what was expected.
_EXPECTED = {
    "int_parsing": "số nguyên", "int_type": "số nguyên", "int_from_float": "số nguyên",
    "float_parsing": "số", "float_type": "số",
}

# Messages that reach us only as text: the wording of the installed Typer/Click.
_TEXT_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)", re.S),
     "Thừa tham số: {args}"),
    (re.compile(r"No such command (?P<name>.+?)\.(?: Did you mean (?P<alt>.+)\?)?", re.S),
     "Không có lệnh {name}."),
    (re.compile(r"Missing command\."), "Thiếu lệnh."),
    (re.compile(r"Option (?P<opt>.+?) does not take a value\."),
     "Tùy chọn {opt} không nhận giá trị."),
    (re.compile(r"Option (?P<opt>.+?) requires an argument\."), "Tùy chọn {opt} cần một giá trị."),
    (re.compile(r"Option (?P<opt>.+?) requires (?P<n>\d+) arguments\."),
     "Tùy chọn {opt} cần {n} giá trị."),
    (re.compile(r"Argument (?P<arg>.+?) takes (?P<n>\d+) values\."),
     "Tham số {arg} cần {n} giá trị."),
]


class VietnameseUsageError(UsageError):
    """A usage error whose message is already Vietnamese (printed as is, exit status 2)."""

    def show(self, file: IO[Any] | None = None) -> None:
        # Only used for plain help (TYPER_USE_RICH=0); otherwise Typer draws the panel from the
        # constants above.
        err = file is None  # standard error unless told otherwise
        if self.ctx is not None:
            echo(self.ctx.get_usage(), file=file, err=err, color=self.ctx.color)
            if self.ctx.command.get_help_option(self.ctx) is not None:
                echo(TRY_HELP.format(command_path=self.ctx.command_path,
                                     help_option=self.ctx.help_option_names[0]),
                     file=file, err=err)
        echo(f"{ERROR_TITLE}: {self.format_message()}", file=file, err=err)


class VietnameseFormatter(HelpFormatter):
    """Writes the usage line (both help styles) and, for plain help, the headings and markers."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_PLAIN_HEADINGS.get(heading, heading))

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().write_dl([(term, _PLAIN_MARKERS.sub(_plain_markers, text))
                          for term, text in rows], *args, **kwargs)


class VietnameseContext(Context):
    formatter_class = VietnameseFormatter

    def get_help(self) -> str:
        install_rich()
        return super().get_help()

    def __init__(self, command: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(command, *args, **kwargs)
        # Click makes the --help option once per command (names from this context) and keeps it.
        help_option = command.get_help_option(self)
        if help_option is not None:
            help_option.help = HELP_OPTION_HELP


class VietnameseGroup(TyperGroup):
    """The root group: Vietnamese contexts for every command below it, Vietnamese usage errors."""

    context_class = VietnameseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _adopt([self])

    def make_context(self, info_name: str | None, args: list[str],
                     parent: Context | None = None, **extra: Any) -> Context:
        with _vietnamese_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        # Sub-commands parse their arguments in here, so their usage errors pass by too.
        with _vietnamese_errors():
            return super().invoke(ctx)


def install() -> None:
    """Vietnamese type labels for Typer's parameters (idempotent). The help renderer's own
    words go in when something is rendered (`install_rich`): it costs a third of `--help`'s
    time to load, and a command that only does its work never renders help."""
    if not getattr(_TyperParameter.display_type, "vietnamese", False):
        english = _TyperParameter.display_type

        def display_type(self: _TyperParameter, ctx: Context) -> str:
            if getattr(self, "is_flag", False) or getattr(self, "count", False):
                return ""
            return vietnamese_type(english(self, ctx))

        display_type.vietnamese = True  # type: ignore[attr-defined]
        _TyperParameter.display_type = display_type  # type: ignore[method-assign]


def install_rich() -> None:
    """Put the Vietnamese strings into Typer's help and error renderer (idempotent); called
    just before help or a usage error is rendered."""
    # late import: typer.rich_utils loads rich's markdown and traceback (70 ms), only worth it
    # when help or an error is shown (issue 17, "speed a person feels")
    import typer.rich_utils as rich_help

    for name, text in _RICH_HELP_STRINGS.items():
        setattr(rich_help, name, text)
    # The usage prefix is coloured by a pattern matching its English wording.
    patterns = rich_help.highlighter.highlights
    mine = f"(?P<usage>{USAGE_PREFIX})"
    if mine not in patterns:
        rich_help.highlighter.highlights = [*patterns, mine]


def _adopt(commands: Iterable[Any]) -> None:
    """Vietnamese contexts and usage placeholders for these commands and all below them."""
    for command in commands:
        command.context_class = VietnameseContext
        if command.options_metavar == OPTIONS_METAVAR[0]:
            command.options_metavar = OPTIONS_METAVAR[1]
        if getattr(command, "subcommand_metavar", None) == SUBCOMMAND_METAVAR[0]:
            command.subcommand_metavar = SUBCOMMAND_METAVAR[1]
        _adopt(getattr(command, "commands", {}).values())


@contextmanager
def _vietnamese_errors() -> Iterator[None]:
    try:
        yield
    except (NoArgsIsHelpError, VietnameseUsageError):
        install_rich()  # Typer renders the help or the error panel next
        raise  # help already printed / already translated on the way up
    except UsageError as exc:
        install_rich()
        raise VietnameseUsageError(vietnamese_message(exc), exc.ctx) from exc
    except (KeyboardInterrupt, EOFError):
        install_rich()  # Typer says "Đã hủy." through its renderer
        raise


def vietnamese_message(exc: UsageError) -> str:
    """The Vietnamese for one of Click's usage errors."""
    if isinstance(exc, MissingParameter):
        kind = _PARAM_KIND.get(exc.param_type or getattr(exc.param, "param_type_name", ""),
                               "tham số")
        hint = _param_hint(exc)
        return f"Thiếu {kind}{' ' + hint if hint else ''}."
    if isinstance(exc, BadParameter):
        hint = _param_hint(exc)
        where = f" cho {hint}" if hint else ""
        return f"Giá trị không hợp lệ{where}: {_bad_value(exc)}"
    if isinstance(exc, NoSuchOption):
        text = f"Không có tùy chọn {_printable(exc.option_name)}."
        if exc.possibilities:
            text += f" Có phải ý bạn là {', '.join(sorted(exc.possibilities))}?"
        return text
    message = exc.message
    for pattern, template in _TEXT_MESSAGES:
        m = pattern.fullmatch(message)
        if m:
            text = template.format(**m.groupdict())
            if m.groupdict().get("alt"):
                text += f" Có phải ý bạn là {m['alt']}?"
            return text
    # Wording we do not know: the project's own messages (already Vietnamese), or a newer
    # Typer's (tests/test_cli_vietnamese.py would show it).
    return message


def pydantic_message(error: dict[str, Any]) -> str:
    """One pydantic validation error (of the settings) in Vietnamese: what the value should be.
    pydantic's own text is English ("Input should be 'none', 'starttls' or 'implicit'"); its
    error types and context say the same in a stable form. Our validators' messages are
    Vietnamese already (after pydantic's "Value error, ")."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"phải là một trong: {', '.join(expected)}" if expected else "giá trị không hợp lệ"
    bounds = {"greater_than": "lớn hơn {gt}", "greater_than_equal": "từ {ge} trở lên",
              "less_than": "nhỏ hơn {lt}", "less_than_equal": "không quá {le}"}
    if kind in bounds:
        return "phải " + bounds[kind].format(**{k: ctx.get(k) for k in ("gt", "ge", "lt", "le")})
    plain = {"int_parsing": "phải là số nguyên", "int_type": "phải là số nguyên",
             "int_from_float": "phải là số nguyên", "float_parsing": "phải là số",
             "float_type": "phải là số", "bool_parsing": "phải là true hoặc false",
             "bool_type": "phải là true hoặc false", "string_type": "phải là chuỗi ký tự",
             "path_type": "phải là đường dẫn", "missing": "bắt buộc phải có",
             "extra_forbidden": "không có thiết lập này", "json_invalid": "không phải JSON hợp lệ"}
    return plain.get(kind, f"giá trị không hợp lệ ({kind})")


def _param_hint(exc: BadParameter) -> str:
    """Which parameter, as Click names it: 'year', '--agency' / '-a'."""
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(x) for x in hint)
    param = exc.param
    if param is None:
        return ""
    if isinstance(param, TyperOption) and param.opts:
        names = " / ".join(f"'{x}'" for x in param.opts)
        if param.show_envvar and param.envvar:
            names += f" (biến môi trường: '{param.envvar}')"
        return names
    return param.get_error_hint()


def _bad_value(exc: BadParameter) -> str:
    cause = exc.__cause__
    # Looked up, not imported: `--help` never loads pydantic (Typer loads it to convert values).
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(cause, pydantic.ValidationError) and cause.errors():
        error = cause.errors()[0]
        value = f"«{_printable(str(error.get('input', '')))}»"
        expected = _EXPECTED.get(error["type"])
        return f"{value} không phải là {expected}" if expected else f"{value} không hợp lệ"
    # Raised by our own code with its own (Vietnamese) message.
    return exc.message


def _plain_markers(m: re.Match[str]) -> str:
    parts = []
    for part in m[1].split("; "):
        for english, vietnamese in _PLAIN_MARKER_WORDS:
            if part.startswith(english):
                part = vietnamese + part.removeprefix(english)
                break
        parts.append(part)
    return f"[{'; '.join(parts)}]"


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)

"""YAML read within limits: the review file and the agency directory are edited by hand, and a
crafted one must end in one clear line, not in a crash or a machine out of memory.

PyYAML composes a document recursively: ten thousand nested "[" end in a RecursionError deep in
its composer. An alias ("*a") is one node however often it is used: nine levels of ten aliases
each are a billion entries to whatever walks the data afterwards (pydantic validating a review
file), and an alias inside its own anchor is a list that contains itself. `Limited` refuses, as a
`TooComplex` (a `yaml.YAMLError` whose text is Vietnamese and names the line):

- a collection nested deeper than `MAX_DEPTH` (our review files go 5 deep);
- more than `MAX_NODES` nodes, counted while composing (it bounds the time) and again with every
  alias followed (it bounds what the caller walks);
- an alias used inside its own anchor.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64
MAX_NODES = 250_000  # the 2,000-task review file of bench_parse has 124,000


class TooComplex(yaml.YAMLError):
    """A document over a limit; str() is one Vietnamese phrase."""


def _line(node_or_mark: Any) -> str:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return f" (dòng {mark.line + 1})" if mark is not None and hasattr(mark, "line") else ""


class Limited:
    """Mixed in before a PyYAML loader class: `class L(Limited, yaml.SafeLoader)`."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise TooComplex(f"tệp YAML có hơn {MAX_NODES:,} mục".replace(",", ".")
                             + _line(self.peek_event()))  # type: ignore[attr-defined]
        if self._depth >= MAX_DEPTH:
            raise TooComplex(f"tệp YAML lồng nhau quá {MAX_DEPTH} tầng"
                             + _line(self.peek_event()))  # type: ignore[attr-defined]
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1

    def get_single_node(self) -> Any:
        node = super().get_single_node()  # type: ignore[misc]
        if node is not None:
            _measure(node, 1, {}, set())
        return node


def _measure(node: yaml.Node, level: int, known: dict[int, tuple[int, int]],
             open_: set[int]) -> tuple[int, int]:
    """(nodes, depth) of `node` with every alias followed, `node` sitting at depth `level`;
    each node measured once. An alias may nest one anchor's collections inside another's:
    the depth is checked again here, on the way down."""
    if level > MAX_DEPTH:
        raise TooComplex(f"tệp YAML lồng nhau quá {MAX_DEPTH} tầng khi mở các bí danh (*)"
                         + _line(node))
    key = id(node)
    if key in open_:
        raise TooComplex("tệp YAML có bí danh (*) dùng bên trong chính neo (&) của nó"
                         + _line(node))
    if key not in known:
        open_.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        size, depth = 1, 1
        for child in children:
            n, d = _measure(child, level + 1, known, open_)
            size, depth = size + n, max(depth, d + 1)
            if size > MAX_NODES:
                raise TooComplex(f"tệp YAML có hơn {MAX_NODES:,} mục khi mở các bí danh (*)"
                                 .replace(",", ".") + _line(node))
        open_.discard(key)
        known[key] = (size, depth)
    size, depth = known[key]
    if level + depth - 1 > MAX_DEPTH:
        raise TooComplex(f"tệp YAML lồng nhau quá {MAX_DEPTH} tầng khi mở các bí danh (*)"
                         + _line(node))
    return size, depth


def precheck(text: str) -> None:
    """Depth and size counted first from libyaml's events, in C (PyYAML's own parser takes
    36 microseconds a node: 9 s before a 6 MB list of empty tasks reached the limit; this pass
    0.3 s). A syntax error is left to the loader, which says it in its own words."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:  # PyYAML built without libyaml: `Limited` alone
        return
    depth = nodes = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooComplex(f"tệp YAML lồng nhau quá {MAX_DEPTH} tầng" + _line(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise TooComplex(f"tệp YAML có hơn {MAX_NODES:,} mục".replace(",", ".")
                                     + _line(event))
    except yaml.YAMLError as exc:
        if isinstance(exc, TooComplex):
            raise
        # libyaml's scanner reads ahead through flow collections ("[[[[...") and stops at its
        # own nesting limit (1,000) before our count sees the 65th level: the same refusal.
        if "nesting depth" in str(getattr(exc, "problem", "") or ""):
            raise TooComplex(f"tệp YAML lồng nhau quá {MAX_DEPTH} tầng"
                             + _line(getattr(exc, "problem_mark", None))) from None


class SafeLoader(Limited, yaml.SafeLoader):
    """`yaml.SafeLoader` within the limits."""


if hasattr(yaml, "CSafeLoader"):
    class FastSafeLoader(Limited, yaml.CSafeLoader):  # type: ignore[misc]
        """libyaml's safe loader within the limits: it composes in C (a node is never passed
        to `compose_node`), after `precheck` has counted depth and nodes from the same C
        parser's events; aliases are measured on the composed document (`get_single_node`).
        Ten times quicker than PyYAML's own parser: the agency directory, read by every
        command, in 10 ms instead of 100 (issue 17)."""
else:  # PyYAML built without libyaml
    FastSafeLoader = SafeLoader  # type: ignore[misc]


def safe_load(text: str) -> Any:
    precheck(text)
    return yaml.load(text, Loader=FastSafeLoader)  # noqa: S506 - a safe loader subclass

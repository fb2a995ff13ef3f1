"""Reading YAML safely, keeping every node's position.

PyYAML's constructors follow YAML 1.1: ``0700`` is octal, ``7:30`` is base 60, ``yes`` is true,
and a repeated key silently wins. None of that is wanted for money, so this module only
*composes* the text into nodes (libyaml's C parser when present) and turns the nodes into plain
Python itself:

- ``null``/``~``/empty (plain) → ``None``; ``true``/``false`` (plain) → ``bool``;
- every other scalar → its text, as ``str``: the models parse amounts, dates and ids from it;
- a repeated key is an error at the repeated key's line;
- tags other than the standard ones, and merge keys (``<<``), are refused;
- aliases are followed, but a document that expands aliases beyond a small budget (an
  "alias bomb") or nests too deep is refused before it can use much memory or time.

The composed node tree is kept in :class:`Document`, so any path into the data (such as a
pydantic error location) can be turned back into a line and column, lazily, only when needed.
"""

from __future__ import annotations

import gc
import hashlib
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing: pure-Python parser, same rules
    _Base = yaml.SafeLoader

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_DEFAULT_TAG = {ScalarNode: _STR, SequenceNode: _SEQ, MappingNode: _MAP}


class _Loader(_Base):
    """The safe loader without YAML 1.1's implicit typing: every untagged node gets the plain
    str/seq/map tag (the builder below decides what plain scalars mean), which also spares a
    Python call per scalar to the regex-based resolver."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _DEFAULT_TAG[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


MAX_BYTES = 64 * 1024 * 1024
"""Largest file read (64 MiB): a 20,000-expense report is about 5 MiB."""
MAX_DEPTH = 64
"""Deepest nesting accepted; clustbudget's formats need fewer than 8 levels."""
MAX_ALIAS_EXPANSIONS = 10_000
"""How many times aliased collections may be expanded in one document."""

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "value")
)
_MERGE_TAG = "tag:yaml.org,2002:merge"

PathPart = str | int
Loc = Sequence[PathPart]


class ReadError(Exception):
    """A file that could not be read as a YAML document (exit code 2), with its position."""

    def __init__(self, code: str, message: str, line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.col = col


@dataclass(frozen=True, slots=True)
class Problem:
    """A document that was read but breaks a YAML rule of ours (a duplicate key): exit 1."""

    code: str
    message: str
    line: int
    col: int


@dataclass
class Document:
    """One YAML file: its plain data, and the node tree to find positions in."""

    path: Path
    display: str
    root: Node
    data: Any
    sha256: str
    problems: list[Problem]

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the node at ``loc``; of its key with ``key=True``.

        A path that leaves the document (a missing key) ends at the deepest node it reaches.
        """
        node: Node = self.root
        key_node: Node | None = None
        for part in loc:
            if isinstance(node, MappingNode):
                text = str(part)
                for k, v in node.value:
                    if isinstance(k, ScalarNode) and k.value == text:
                        key_node, node = k, v
                        break
                else:
                    break
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    key_node, node = None, node.value[part]
                else:
                    break
            else:
                break
        target = key_node if key and key_node is not None else node
        mark = target.start_mark
        return mark.line + 1, mark.column + 1


def read_document(path: Path, display: str | None = None) -> Document:
    """Read and compose one YAML file; raise :class:`ReadError` or :class:`ShapeError`."""
    display = display or str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError
            raise ReadError("CB001", "not a regular file (a pipe or device?): name a file")
        size = st.st_size
        if size > MAX_BYTES:
            raise ReadError(
                "CB001",
                f"file is too large ({size:,} bytes; at most {MAX_BYTES:,}): split it by period",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReadError("CB001", "no such file: check the path") from None
    except IsADirectoryError:
        raise ReadError("CB001", "is a folder, not a file") from None
    except OSError as exc:
        raise ReadError("CB001", f"cannot read the file: {exc.strerror or exc}") from None
    return parse_document(raw, path, display)


def parse_document(raw: bytes, path: Path, display: str) -> Document:
    """Compose YAML bytes into a :class:`Document` (see the module's rules)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadError("CB001", "file is not UTF-8 text: save it as UTF-8", line, 1) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise ReadError("CB003", "file is empty: nothing to check")
    # The collector only slows down building a large, acyclic tree; nothing here makes cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "invalid YAML"
            if "expected a single document" in str(exc.context):
                problem = "more than one YAML document (---): keep one per file"
            elif mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
                problem = "a tab character: indent with spaces (YAML does not allow tabs there)"
            line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            raise ReadError("CB002", f"not valid YAML: {problem}", line, col) from None
        except yaml.YAMLError as exc:
            raise ReadError("CB002", f"not valid YAML: {exc}") from None
        if root is None:
            raise ReadError("CB003", "file is empty: nothing to check")
        builder = _Builder()
        data = builder.build(root)
    finally:
        if was_enabled:
            gc.enable()
    return Document(path, display, root, data, hashlib.sha256(raw).hexdigest(), builder.problems)


def compose(text: str) -> Node | None:
    """Compose YAML text into nodes with the loader used for every file (no typing); None for
    a text with no document."""
    return yaml.compose(text, Loader=_Loader)


class _Builder:
    """Turns composed nodes into plain Python (see the module docstring)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.expansions = 0
        self.problems: list[Problem] = []

    def build(self, node: Node, depth: int = 0) -> Any:
        if isinstance(node, ScalarNode):
            if node.tag not in _STANDARD_TAGS:
                self._refuse_tag(node)
            if not node.style:
                value = node.value
                if value in _NULLS:
                    return None
                if value == "true":
                    return True
                if value == "false":
                    return False
            return node.value
        if depth >= MAX_DEPTH:
            raise ReadError("CB004", f"nesting deeper than {MAX_DEPTH} levels", *_pos(node))
        if node.tag not in _STANDARD_TAGS:
            self._refuse_tag(node)
        ident = id(node)
        if ident in self.seen:
            self.expansions += 1
            if self.expansions > MAX_ALIAS_EXPANSIONS:
                raise ReadError(
                    "CB004",
                    f"aliases expand more than {MAX_ALIAS_EXPANSIONS:,} times: write the data out",
                    *_pos(node),
                )
        else:
            self.seen.add(ident)
        if isinstance(node, SequenceNode):
            return [self.build(item, depth + 1) for item in node.value]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    Problem("CB014", "a key must be plain text, not a list or mapping", *_pos(key_node))
                )
                continue
            if key_node.tag == _MERGE_TAG or (key_node.value == "<<" and not key_node.style):
                raise ReadError(
                    "CB004",
                    "merge keys (<<) are not supported: write the keys out",
                    *_pos(key_node),
                )
            key = key_node.value
            if key in result:
                first = next(k for k, _ in node.value if k.value == key)
                self.problems.append(
                    Problem(
                        "CB010",
                        f"duplicate key {key!r} (first at line {first.start_mark.line + 1}): keep only one",
                        *_pos(key_node),
                    )
                )
                continue
            result[key] = self.build(value_node, depth + 1)
        return result

    @staticmethod
    def _refuse_tag(node: Node) -> None:
        raise ReadError("CB004", f"YAML tag {node.tag!r} is not allowed: remove it", *_pos(node))


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1

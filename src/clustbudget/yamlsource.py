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
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .i18n import N_, Message, msg

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
MAX_ALIAS_CHARS = 1024 * 1024
"""How many characters of text aliases may repeat in one document (1 Mi): an alias of a 2 MB
scalar, or 20,000 aliases of a 100-character one, is refused before any rule reads the copies."""

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
    """One YAML file: its plain data, and where each of its values and keys was written.

    Positions are kept as compact integers beside the data (``line << 32 | column``, 0-based,
    in an ``array`` per mapping or list, keyed by the container's ``id``), never as a node
    tree: a report of 200,000 expenses keeps about 0.3 KiB of positions per expense.
    """

    path: Path
    display: str
    data: Any
    sha256: str
    problems: list[Problem]
    root_pos: int = 0
    positions: dict[int, array[int]] = field(default_factory=dict, repr=False)
    _indexes: dict[int, dict[str, int]] = field(default_factory=dict, repr=False)

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``loc``; of its key with ``key=True``.

        A path that leaves the document (a missing key) ends at the deepest value it reaches.
        """
        node: Any = self.data
        pos = self.root_pos
        key_pos: int | None = None
        for part in loc:
            table = self.positions.get(id(node))
            if table is None:
                break
            if isinstance(node, dict):
                i = self._key_index(node, str(part))
                if i < 0:
                    break
                key_pos, pos = table[2 + 2 * i], table[3 + 2 * i]
                node = node[str(part)]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                key_pos, pos = None, table[2 + part]
                node = node[part]
            else:
                break
        target = key_pos if key and key_pos is not None else pos
        return _unpack(target)

    def spans(self, key: str) -> tuple[list[tuple[int, int]], tuple[int, int]] | None:
        """Where each entry of the top-level list ``key`` starts, and where the list ends
        (1-based line and column), or ``None`` when ``key`` is not a list at the top."""
        if not isinstance(self.data, dict) or self._key_index(self.data, key) < 0:
            return None
        seq = self.data[key]
        table = self.positions.get(id(seq)) if isinstance(seq, list) else None
        if table is None:
            return None
        return [_unpack(p) for p in table[2:]], _unpack(table[1])

    def _key_index(self, mapping: dict[str, Any], key: str) -> int:
        """The index of ``key`` in ``mapping``'s order (-1 when absent); linear in total."""
        if key not in mapping:
            return -1
        if len(mapping) <= 16:
            for i, k in enumerate(mapping):
                if k == key:
                    return i
        index = self._indexes.get(id(mapping))
        if index is None:
            index = self._indexes[id(mapping)] = {k: i for i, k in enumerate(mapping)}
        return index[key]


def _unpack(pos: int) -> tuple[int, int]:
    return (pos >> 32) + 1, (pos & 0xFFFFFFFF) + 1


def read_document(path: Path, display: str | None = None) -> Document:
    """Read and parse one YAML file; raise :class:`ReadError`."""
    display = display or str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError
            raise ReadError("CB001", msg("not a regular file (a pipe or device?): name a file"))
        size = st.st_size
        if size > MAX_BYTES:
            raise ReadError(
                "CB001",
                msg(
                    "file is too large ({size:number} bytes; at most {most:number}): split it by period",
                    size=size,
                    most=MAX_BYTES,
                ),
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReadError("CB001", msg("no such file: check the path")) from None
    except IsADirectoryError:
        raise ReadError("CB001", msg("is a folder, not a file")) from None
    except OSError as exc:
        raise ReadError("CB001", msg("cannot read the file: {why}", why=str(exc.strerror or exc))) from None
    return parse_document(raw, path, display)


def parse_document(raw: bytes, path: Path, display: str) -> Document:
    """Parse YAML bytes into a :class:`Document` (see the module's rules)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadError("CB001", msg("file is not UTF-8 text: save it as UTF-8"), line, 1) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise ReadError("CB003", msg("file is empty: nothing to check"))
    # The collector only slows down building a large, acyclic structure; nothing here makes cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        builder = _Builder()
        try:
            data = builder.build(text)
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, text) from None
        except yaml.YAMLError as exc:
            raise ReadError("CB002", msg("not valid YAML: {problem}", problem=str(exc))) from None
    finally:
        if was_enabled:
            gc.enable()
    digest = hashlib.sha256(raw).hexdigest()
    return Document(path, display, data, digest, builder.problems, builder.root_pos, builder.positions)


def _syntax_error(exc: yaml.MarkedYAMLError, text: str) -> ReadError:
    mark = exc.problem_mark or exc.context_mark
    problem: str = exc.problem or exc.context or "invalid YAML"
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if "expected a single document" in str(exc.context):
        problem = msg("more than one YAML document (---): keep one per file")
    elif "maximum nesting depth" in str(problem):  # libyaml's own limit, past ours
        return ReadError("CB004", _too_deep(), line, col)
    elif mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem = msg("a tab character: indent with spaces (YAML does not allow tabs there)")
    elif problem in _PARSER_WORDS:  # the parser's own words, translated when we know them
        problem = Message(problem)
    return ReadError("CB002", msg("not valid YAML: {problem}", problem=problem), line, col)


_PARSER_WORDS = frozenset(
    {
        N_("invalid YAML"),
        N_("mapping values are not allowed here"),
        N_("mapping values are not allowed in this context"),
        N_("did not find expected ',' or ']'"),
        N_("could not find expected ':'"),
        N_("did not find expected key"),
        N_("did not find expected '-' indicator"),
        N_("did not find expected node content"),
        N_("found character that cannot start any token"),
        N_("found unexpected end of stream"),
        N_("found unknown escape character"),
        N_("found a tab character that violates indentation"),
        N_("found a tab character where an indentation space is expected"),
        N_("block sequence entries are not allowed in this context"),
        N_("found duplicate anchor; first occurrence"),
    }
)
"""libyaml's messages seen in real mistakes, in the catalogue; any other stays in English."""


def _too_deep() -> Message:
    return msg("nesting deeper than {most} levels", most=MAX_DEPTH)


def compose(text: str) -> Node | None:
    """Compose YAML text into nodes with the loader used for every file (no typing); None for
    a text with no document."""
    return yaml.compose(text, Loader=_Loader)


@dataclass(slots=True)
class _Anchor:
    """What an anchored value weighs when an alias repeats it."""

    value: Any
    pos: int
    collections: int  # mappings and lists in it, aliases expanded
    chars: int  # characters of scalar text in it, aliases expanded
    height: int  # levels of nesting in it (0 for a scalar)
    done: bool = True
    text: str = ""  # a scalar's text, for an alias used as a key


class _Frame:
    """A mapping or list being built, with the positions of its entries."""

    __slots__ = (
        "anchor",
        "chars",
        "collections",
        "height",
        "items",
        "key",
        "key_pos",
        "keys",
        "pos",
        "skip",
        "value",
    )

    def __init__(self, value: dict[str, Any] | list[Any], pos: int, anchor: str | None) -> None:
        self.value = value
        self.pos = pos
        self.anchor = anchor
        is_map = isinstance(value, dict)
        self.keys: dict[str, tuple[int, int]] | None = {} if is_map else None
        self.items: array[int] | None = None if is_map else array("Q", [pos, 0])
        self.key: Any = _NO_KEY  # a mapping's key waiting for its value
        self.key_pos = 0
        self.skip = False  # the waiting key is a duplicate or not text: drop its value
        self.collections = 1
        self.chars = 0
        self.height = 1


_NO_KEY = object()


class _Builder:
    """Builds plain Python straight from libyaml's events (see the module docstring): no node
    tree, one pass, every limit counted as it goes."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.positions: dict[int, array[int]] = {}
        self.root_pos = 0
        self.expansions = 0
        self.expanded_chars = 0

    def build(self, text: str) -> Any:
        loader = _Loader(text)
        try:
            return self._run(loader)
        finally:
            loader.dispose()

    def _run(self, loader: Any) -> Any:
        get = loader.get_event
        get()  # StreamStartEvent
        event = get()
        if isinstance(event, StreamEndEvent):
            raise ReadError("CB003", msg("file is empty: nothing to check"))
        document_mark = event.start_mark
        anchors: dict[str, _Anchor] = {}
        stack: list[_Frame] = []
        positions = self.positions
        while True:
            event = get()
            cls = type(event)
            if cls is ScalarEvent:
                mark = event.start_mark
                pos = mark.line << 32 | mark.column
                tag = event.tag
                top = stack[-1] if stack else None
                is_key = top is not None and top.keys is not None and top.key is _NO_KEY
                if (
                    tag is not None
                    and tag != "!"
                    and tag not in _STANDARD_TAGS
                    and not (is_key and tag == _MERGE_TAG)
                ):
                    raise _tag_error(tag, pos)
                value: Any = event.value
                plain = not event.style
                if plain:
                    if value in _NULLS:
                        value = None
                    elif value == "true":
                        value = True
                    elif value == "false":
                        value = False
                chars = len(event.value)
                if event.anchor is not None:
                    _new_anchor(anchors, event, _Anchor(value, pos, 0, chars, 0, text=event.value))
                if top is None:
                    return self._root(value, pos, get, document_mark)
                if is_key:
                    self._key(top, event.value, tag, plain, pos)
                else:
                    self._add(top, value, pos, 0, chars, 0)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = event.start_mark
                pos = mark.line << 32 | mark.column
                if len(stack) >= MAX_DEPTH:
                    raise ReadError("CB004", _too_deep(), *_unpack(pos))
                tag = event.tag
                if tag is not None and tag != "!" and tag not in _STANDARD_TAGS:
                    raise _tag_error(tag, pos)
                frame = _Frame({} if cls is MappingStartEvent else [], pos, event.anchor)
                if event.anchor is not None:
                    _new_anchor(anchors, event, _Anchor(frame.value, pos, 0, 0, 0, done=False))
                stack.append(frame)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                mark = event.end_mark
                end = mark.line << 32 | mark.column
                container = frame.value
                if frame.keys is not None:
                    table = array("Q", [frame.pos, end])
                    for k_pos, v_pos in frame.keys.values():
                        table.append(k_pos)
                        table.append(v_pos)
                else:
                    assert frame.items is not None
                    table = frame.items
                    table[1] = end
                positions[id(container)] = table
                if frame.anchor is not None:
                    anchors[frame.anchor] = _Anchor(
                        container, frame.pos, frame.collections, frame.chars, frame.height
                    )
                if not stack:
                    return self._root(container, frame.pos, get, document_mark)
                top = stack[-1]
                if top.keys is not None and top.key is _NO_KEY:
                    self._bad_key(top, frame.pos)
                else:
                    self._add(top, container, frame.pos, frame.collections, frame.chars, frame.height)
            elif cls is AliasEvent:
                mark = event.start_mark
                pos = mark.line << 32 | mark.column
                anchor = anchors.get(event.anchor)
                if anchor is None:
                    raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", mark)
                if not anchor.done:
                    raise ReadError(
                        "CB004",
                        msg("an alias inside its own anchor (a cycle): write the data out"),
                        *_unpack(pos),
                    )
                self._expand(anchor, pos, len(stack))
                if not stack:
                    return self._root(anchor.value, anchor.pos, get, document_mark)
                top = stack[-1]
                if top.keys is not None and top.key is _NO_KEY:
                    if isinstance(anchor.value, dict | list):
                        self._bad_key(top, pos)
                    else:
                        self._key(top, anchor.text, None, False, pos)
                else:
                    self._add(top, anchor.value, anchor.pos, anchor.collections, anchor.chars, anchor.height)
            else:  # pragma: no cover - libyaml gives no other event inside a document
                raise ReadError(
                    "CB002", msg("not valid YAML: {problem}", problem=f"unexpected {cls.__name__}")
                )

    def _root(self, value: Any, pos: int, get: Any, document_mark: Any) -> Any:
        event = get()  # DocumentEndEvent
        event = get()
        if not isinstance(event, StreamEndEvent):
            raise ComposerError(
                "expected a single document in the stream",
                document_mark,
                "but found another document",
                event.start_mark,
            )
        self.root_pos = pos
        return value

    def _key(self, top: _Frame, text: str, tag: str | None, plain: bool, pos: int) -> None:
        if tag == _MERGE_TAG or (text == "<<" and plain):
            raise ReadError(
                "CB004", msg("merge keys (<<) are not supported: write the keys out"), *_unpack(pos)
            )
        keys = top.keys
        assert keys is not None
        key = sys.intern(text)
        top.key_pos = pos
        top.chars += len(text)
        if key in keys:
            first = keys[key][0] >> 32
            self.problems.append(
                Problem(
                    "CB010",
                    msg(
                        "duplicate key {key!r} (first at line {line}): keep only one", key=key, line=first + 1
                    ),
                    *_unpack(pos),
                )
            )
            top.skip = True
        top.key = key

    def _bad_key(self, top: _Frame, pos: int) -> None:
        self.problems.append(
            Problem("CB014", msg("a key must be plain text, not a list or mapping"), *_unpack(pos))
        )
        top.key = None
        top.skip = True

    def _add(self, top: _Frame, value: Any, pos: int, collections: int, chars: int, height: int) -> None:
        top.collections += collections
        top.chars += chars
        if height >= top.height:
            top.height = height + 1
        container = top.value
        if top.keys is None:
            container.append(value)  # type: ignore[union-attr]
            assert top.items is not None
            top.items.append(pos)
            return
        key = top.key
        top.key = _NO_KEY
        if top.skip:
            top.skip = False
            return
        container[key] = value
        top.keys[key] = (top.key_pos, pos)

    def _expand(self, anchor: _Anchor, pos: int, depth: int) -> None:
        """Count what an alias repeats against the limits: collections, text, nesting."""
        self.expansions += anchor.collections
        if self.expansions > MAX_ALIAS_EXPANSIONS:
            raise ReadError(
                "CB004",
                msg(
                    "aliases expand more than {most:number} times: write the data out",
                    most=MAX_ALIAS_EXPANSIONS,
                ),
                *_unpack(pos),
            )
        self.expanded_chars += anchor.chars
        if self.expanded_chars > MAX_ALIAS_CHARS:
            raise ReadError(
                "CB004",
                msg(
                    "aliases repeat more than {most:number} characters of text: write the data out",
                    most=MAX_ALIAS_CHARS,
                ),
                *_unpack(pos),
            )
        if depth + anchor.height > MAX_DEPTH:
            raise ReadError("CB004", _too_deep(), *_unpack(pos))


def _new_anchor(anchors: dict[str, _Anchor], event: Any, anchor: _Anchor) -> None:
    old = anchors.get(event.anchor)
    if old is not None:
        first = yaml.Mark("<unicode string>", 0, old.pos >> 32, old.pos & 0xFFFFFFFF, None, None)  # type: ignore[arg-type]
        raise ComposerError(
            "found duplicate anchor; first occurrence", first, "second occurrence", event.start_mark
        )
    anchors[event.anchor] = anchor


def _tag_error(tag: str, pos: int) -> ReadError:
    return ReadError("CB004", msg("YAML tag {tag!r} is not allowed: remove it", tag=tag), *_unpack(pos))

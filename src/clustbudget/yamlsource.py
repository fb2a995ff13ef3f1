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

import functools
import gc
import hashlib
import re
import stat
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import field
from itertools import accumulate, compress, count, islice, pairwise, repeat
from operator import eq, ne, sub
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
from .records import dataclass

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
MAX_NODES = 8_000_000
"""Most keys, values and aliases in one file (a 200,000-expense report has about 5.6 million):
past this many the file is refused before its data can outgrow memory."""
MAX_LINES = 4_000_000
"""Most lines in one file (a 200,000-expense report has about 2.2 million). Counted before the
file is parsed, so a file of millions of tiny nodes (``- a`` a line) is refused at once rather
than after reading the millions of nodes that :data:`MAX_NODES` would stop it at."""
MAX_COLLECTIONS = 1_000_000
"""Most mappings and lists in one file (a 200,000-expense report has about 200,000)."""
MAX_ALIAS_CHARS = 1024 * 1024
"""How many characters of text aliases may repeat in one document (1 Mi): an alias of a 2 MB
scalar, or 20,000 aliases of a 100-character one, is refused before any rule reads the copies."""

_CONTENT = re.compile(r"(?m)^\s*[^\s#]")
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
        from .i18n.oserrors import os_reason

        raise ReadError("CB001", msg("cannot read the file: {why}", why=os_reason(exc))) from None
    return parse_document(raw, path, display)


def parse_document(raw: bytes, path: Path, display: str) -> Document:
    """Parse YAML bytes into a :class:`Document` (see the module's rules)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadError("CB001", msg("file is not UTF-8 text: save it as UTF-8"), line, 1) from None
    newlines = raw.count(b"\n")
    if newlines + (not raw.endswith(b"\n")) > MAX_LINES:  # the last line may lack its newline
        raise ReadError(
            "CB004",
            msg("more than {most:number} lines: split the file (by period)", most=MAX_LINES),
            MAX_LINES + 1,
            1,
        )
    if _CONTENT.search(text) is None:  # blank lines and comments only
        raise ReadError("CB003", msg("file is empty: nothing to check"))
    # The collector only slows down building a large, acyclic structure; nothing here makes cycles.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        builder = _Builder()
        builder.newlines = newlines
        try:
            data = builder.build(text)
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, text) from None
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow, at its place
            at = max(exc.position, 0)
            if _Base is not yaml.SafeLoader:  # libyaml counts the UTF-8 bytes it was given
                at = len(text.encode("utf-8")[:at].decode("utf-8", "ignore"))
            line = text.count("\n", 0, at) + 1
            col = at - text.rfind("\n", 0, at)
            what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
            raise ReadError(
                "CB002",
                msg("not valid YAML: a control character ({what}) is not allowed: remove it", what=what),
                line,
                col,
            ) from None
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
    else:  # the parser's own words, translated
        problem = _parser_words(problem)
    return ReadError("CB002", msg("not valid YAML: {problem}", problem=problem), line, col)


_PARSER_WORDS = frozenset(
    {
        N_("invalid YAML"),
        N_("mapping values are not allowed here"),
        N_("mapping values are not allowed in this context"),
        N_("mapping keys are not allowed here"),
        N_("mapping keys are not allowed in this context"),
        N_("block sequence entries are not allowed in this context"),
        N_("could not find expected ':'"),
        N_("could not find expected directive name"),
        N_("did not find URI escaped octet"),
        N_("did not find expected '!'"),
        N_("did not find expected ',' or ']'"),
        N_("did not find expected ',' or '}}'"),
        N_("did not find expected '-' indicator"),
        N_("did not find expected <document start>"),
        N_("did not find expected <stream-start>"),
        N_("did not find expected alphabetic or numeric character"),
        N_("did not find expected comment or line break"),
        N_("did not find expected digit or '.' character"),
        N_("did not find expected hexdecimal number"),
        N_("did not find expected key"),
        N_("did not find expected node content"),
        N_("did not find expected tag URI"),
        N_("did not find expected version number"),
        N_("did not find expected whitespace"),
        N_("did not find expected whitespace or line break"),
        N_("did not find the expected '>'"),
        N_("found a tab character that violates indentation"),
        N_("found a tab character where an indentation space is expected"),
        N_("found an indentation indicator equal to 0"),
        N_("found character that cannot start any token"),
        N_("found duplicate %TAG directive"),
        N_("found duplicate %YAML directive"),
        N_("found duplicate YAML directive"),
        N_("found extremely long version number"),
        N_("found incompatible YAML document"),
        N_("found incompatible YAML document (version 1.* is required)"),
        N_("found invalid Unicode character escape code"),
        N_("found undefined tag handle"),
        N_("found unexpected ':'"),
        N_("found unexpected document indicator"),
        N_("found unexpected document separator"),
        N_("found unexpected end of stream"),
        N_("found unexpected non-alphabetical character"),
        N_("found unknown directive name"),
        N_("found unknown escape character"),
        N_("found non-specific tag '!'"),
        N_("found duplicate anchor; first occurrence"),
        N_("found duplicate anchor; second occurrence"),
        N_("expected indentation indicator in the range 1-9, but found 0"),
        N_("anchor value must not be empty"),
        N_("alias value must not be empty"),
        N_("anchor value must contain alphanumerical characters only"),
        N_("alias value must contain alphanumerical characters only"),
        N_("while parsing a block collection"),
        N_("while parsing a block mapping"),
        N_("while parsing a block node"),
        N_("while parsing a flow mapping"),
        N_("while parsing a flow node"),
        N_("while parsing a flow sequence"),
        N_("while parsing a node"),
        N_("while parsing a quoted scalar"),
        N_("while parsing a tag"),
        N_("while parsing a tag directive"),
        N_("while scanning a %TAG directive"),
        N_("while scanning a %YAML directive"),
        N_("while scanning a block scalar"),
        N_("while scanning a directive"),
        N_("while scanning a plain scalar"),
        N_("while scanning a quoted scalar"),
        N_("while scanning a double-quoted scalar"),
        N_("while scanning a single-quoted scalar"),
        N_("while scanning a simple key"),
        N_("while scanning a tag"),
        N_("while scanning a tag directive"),
        N_("while scanning an alias"),
        N_("while scanning an anchor"),
        N_("while scanning for the next token"),
    }
)
"""Every problem libyaml's scanner and parser can report (and the pure-Python parser's fixed
ones), in the catalogue: shown in the user's language, at the line and column they give."""

_PARSER_PATTERNS = (
    (r"expected ' ', but found (.+)", N_("expected a space, but found {found}")),
    (r"expected '!', but found (.+)", N_("expected '!', but found {found}")),
    (r"expected '>', but found (.+)", N_("expected '>', but found {found}")),
    (r"expected URI, but found (.+)", N_("expected a URI, but found {found}")),
    (
        r"expected URI escape sequence of 2 hexadecimal numbers, but found (.+)",
        N_("expected a URI escape of 2 hexadecimal digits, but found {found}"),
    ),
    (
        r"expected a comment or a line break, but found (.+)",
        N_("expected a comment or a line break, but found {found}"),
    ),
    (
        r"expected a digit or ' ', but found (.+)",
        N_("expected a digit or a space, but found {found}"),
    ),
    (
        r"expected a digit or '\.', but found (.+)",
        N_("expected a digit or '.', but found {found}"),
    ),
    (r"expected a digit, but found (.+)", N_("expected a digit, but found {found}")),
    (
        r"expected alphabetic or numeric character, but found (.+)",
        N_("expected a letter or a digit, but found {found}"),
    ),
    (
        r"expected chomping or indentation indicators, but found (.+)",
        N_("expected a chomping or indentation indicator, but found {found}"),
    ),
    (
        r"expected escape sequence of \d+ hexadecimal numbers, but found (.+)",
        N_("expected a hexadecimal escape sequence, but found {found}"),
    ),
    (
        r"found character (.+) that cannot start any token",
        N_("found character {found} that cannot start any token"),
    ),
    (r"found unknown escape character (.+)", N_("found unknown escape character {found}")),
    (r"expected ',' or '\]', but got (.+)", N_("expected ',' or ']', but found {found}")),
    (r"expected ',' or '\}', but got (.+)", N_("expected ',' or '}}', but found {found}")),
    (
        r"expected '<document start>', but found (.+)",
        N_("expected the start of a document, but found {found}"),
    ),
    (
        r"expected <block end>, but found (.+)",
        N_("expected the end of the block, but found {found}"),
    ),
    (
        r"expected the node content, but found (.+)",
        N_("expected a value, but found {found}"),
    ),
    (r"found undefined tag handle (.+)", N_("found undefined tag handle {found}")),
    (r"found undefined alias (.+)", N_("found undefined alias {found}")),
    (
        r"found duplicate anchor (.+); first occurrence",
        N_("found duplicate anchor {found}; first occurrence"),
    ),
    (
        r"found duplicate anchor (.+); second occurrence",
        N_("found duplicate anchor {found}; second occurrence"),
    ),
)
"""The pure-Python parser's messages that carry what it found (``%r``): the same words, with
the value in its field. Patterns, compiled on first use (``re``'s cache): only an error needs them."""


def _parser_words(problem: str) -> Message | str:
    """libyaml's (or PyYAML's) problem through the catalogue; a wording not known stays as is."""
    template = problem.replace("{", "{{").replace("}", "}}")  # a template: braces doubled
    if template in _PARSER_WORDS:
        return Message(template)
    for pattern, template in _PARSER_PATTERNS:
        if m := re.fullmatch(pattern, problem, re.S):
            return Message(template, {"found": m.group(1)})
    return problem


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
        "col",
        "collections",
        "height",
        "is_map",
        "items",
        "key",
        "key_pos",
        "keys",
        "pending",
        "pos",
        "skip",
        "value",
    )

    def __init__(self, value: dict[str, Any] | list[Any], pos: int, anchor: str | None) -> None:
        self.value = value
        self.pos = pos
        self.anchor = anchor
        is_map = isinstance(value, dict)
        self.is_map = is_map
        self.keys: dict[str, int] | None = None  # a mapping's key -> entry, once a key repeats
        # positions: [start, end, key, value, key, value…] of a mapping, [start, end, item…] of a list
        self.items = array("Q", [pos, 0])
        self.key: Any = _NO_KEY  # a mapping's key waiting for its value
        self.key_pos = 0
        self.skip = False  # the waiting key is a duplicate or not text: drop its value
        self.collections = 1
        self.chars = 0
        self.height = 1
        self.col = 0  # block indentation (the fast path)
        self.pending = -1  # the fast path: where an empty value would be, if no block follows


_NO_KEY = object()


class _Builder:
    """Builds plain Python straight from libyaml's events (see the module docstring): no node
    tree, one pass, every limit counted as it goes."""

    def __init__(self, depth: int = 0) -> None:
        self.depth = depth  # levels above this text (a flow value inside a block document)
        self.newlines = -1  # the text's line breaks, when counted already
        self.problems: list[Problem] = []
        self.positions: dict[int, array[int]] = {}
        self.root_pos = 0
        self.expansions = 0
        self.expanded_chars = 0
        self.nodes = 0
        self.collections = 0

    def build(self, text: str) -> Any:
        if _FAST:
            try:
                return _FastPath(self).run(text)
            except _Fallback:
                self.__init__(self.depth)  # type: ignore[misc]
        return self.build_from_events(text)

    def build_from_events(self, text: str) -> Any:
        """The data of ``text`` from libyaml's events: any YAML."""
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
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise _too_many(event)
                mark = event.start_mark
                pos = mark.line << 32 | mark.column
                tag = event.tag
                top = stack[-1] if stack else None
                is_key = top is not None and top.is_map and top.key is _NO_KEY
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
                self.nodes += 1
                self.collections += 1
                if self.nodes > MAX_NODES or self.collections > MAX_COLLECTIONS:
                    raise _too_many(event)
                mark = event.start_mark
                pos = mark.line << 32 | mark.column
                if len(stack) + self.depth >= MAX_DEPTH:
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
                if top.is_map and top.key is _NO_KEY:
                    self._bad_key(top, frame.pos)
                else:
                    self._add(top, container, frame.pos, frame.collections, frame.chars, frame.height)
            elif cls is AliasEvent:
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    raise _too_many(event)
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
                if top.is_map and top.key is _NO_KEY:
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
        key = sys.intern(text)
        top.key_pos = pos
        top.chars += len(text)
        if key in top.value:
            first = _first_line(top, key)
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
        if not top.is_map:
            container.append(value)  # type: ignore[union-attr]
            assert top.items is not None
            top.items.append(pos)
            return
        key = top.key
        top.key = _NO_KEY
        if top.skip:
            top.skip = False
            return
        _put(top, key, value, pos)

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


def _put(frame: _Frame, key: str, value: Any, pos: int) -> None:
    """A mapping's new entry: its value, its key's position (``frame.key_pos``) and its own."""
    mapping: dict[str, Any] = frame.value  # type: ignore[assignment]
    if frame.keys is not None:
        frame.keys[key] = len(mapping)
    mapping[key] = value
    frame.items.append(frame.key_pos)
    frame.items.append(pos)


def _first_line(frame: _Frame, key: str) -> int:
    """The line (0-based) where a mapping's ``key`` was first written (for a repeated key)."""
    if frame.keys is None:
        frame.keys = {k: i for i, k in enumerate(frame.value)}
    return frame.items[2 + 2 * frame.keys[key]] >> 32


def _new_anchor(anchors: dict[str, _Anchor], event: Any, anchor: _Anchor) -> None:
    old = anchors.get(event.anchor)
    if old is not None:
        first = yaml.Mark("<unicode string>", 0, old.pos >> 32, old.pos & 0xFFFFFFFF, None, None)  # type: ignore[arg-type]
        raise ComposerError(
            "found duplicate anchor; first occurrence", first, "second occurrence", event.start_mark
        )
    anchors[event.anchor] = anchor


def _too_many(event: Any) -> ReadError:
    mark = event.start_mark
    return ReadError(
        "CB004",
        msg(
            "more than {nodes:number} keys and values or {collections:number} mappings and lists: "
            "split the file (by period)",
            nodes=MAX_NODES,
            collections=MAX_COLLECTIONS,
        ),
        mark.line + 1,
        mark.column + 1,
    )


def _tag_error(tag: str, pos: int) -> ReadError:
    return ReadError("CB004", msg("YAML tag {tag!r} is not allowed: remove it", tag=tag), *_unpack(pos))


# ---------------------------------------------------------------- the fast path
#
# Most files are block YAML written one key per line: `key: value`, `- key: value`, plain or
# simply quoted scalars, comments, and flow collections that fit on one line. For those, a
# line-by-line reader gives the same data, positions and problems as libyaml's events, three
# to four times faster. Anything else — a tab, a control character, CRLF, anchors, aliases,
# tags, block scalars, multi-line scalars or flows, `---`, a line it does not expect — makes
# it give up (:class:`_Fallback`) and the whole text is read from libyaml's events instead,
# so every error is libyaml's, at libyaml's position. tests/test_yaml_fastpath.py compares
# the two on every YAML file of the repository and on generated hostile text.

_FAST = True

# Characters YAML does not allow, and those the fast path leaves to libyaml (tab, CR, NEL,
# the Unicode line separators, a BOM inside the text).
# The complement of YAML's printable set plus LF, written as a positive class (the negated one,
# with its large ranges, takes 15 ms to compile, this one 0.3 ms: the same characters, every
# code point was compared). The fast path looks for them in the UTF-8 bytes (:func:`_unfast`,
# ten times faster than a search with the class); the class, not compiled here, is what
# tests/test_yaml_fastpath.py compares that with.
_NOT_FAST = "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
# The same characters, as UTF-8: the C0 ones (but LF) and DEL are bytes of their own (a table
# that changes only those); the rest are sequences no other character's bytes hold (:func:`_unfast`).
_FAST_BYTES = bytes(b if b == 0x0A or 0x20 <= b < 0x7F or b >= 0x80 else 0x20 for b in range(256))
_UNFAST_SEQUENCES = (b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf")
_C1 = re.compile(b"\xc2[\x80-\x9f]")
_FIRST = r"""(?:[^ \n\-?:,\[\]{}#&*!|>'"%@`]|-(?=[^ \n]))"""
# A plain scalar's rest: runs of ordinary characters, a colon not before a space, spaces not
# before a comment (written as unrolled loops: one character class per run, not per char).
_PLAIN_KEY = _FIRST + r"[^ :#\n]*(?:(?::(?=[^ \n])| +(?=[^ #:\n]))[^ :#\n]*)*"
_PLAIN_VALUE = _FIRST + r"[^ :\n]*(?:(?::(?=[^ \n])| +(?=[^ #\n]))[^ :\n]*)*"
_KEY = _PLAIN_KEY + r"""|"[^"\\\x00-\x1f]*"|'[^'\x00-\x1f]*'"""
_VALUE = r"""(?:"[^"\\\x00-\x1f]*"|'[^'\x00-\x1f]*'|[\[{].*|""" + _PLAIN_VALUE + ")"
_TAIL = r"(?: +#.*|(?<= )#.*|^#.*| *)"
# One line of block YAML: indentation, an entry's dash, a key and its colon, a value, a
# comment; or anything else (the last group), which sends the text to libyaml.
_LINE = re.compile(
    r"^(?:( *)(-(?: +|$))?(?:(" + _KEY + r")(:(?: +|$)))?(" + _VALUE + r")?" + _TAIL + r"|(.+))$",
    re.MULTILINE,
)
# A flow collection of one level of simple scalars (:meth:`_FastPath._simple_flow`): words
# of letters, digits and ``_ . + / -`` (single spaces between words), or quoted text with no
# escapes; no trailing comma, no comment after it.
_FLOW_WORD = r"""(?:"[^"\\\x00-\x1f]*"|'[^'\x00-\x1f]*'|\w[\w.+/\-]*(?: [\w.+/\-]+)*)"""
_FLOW_SCALAR = re.compile(_FLOW_WORD)
_SIMPLE_SEQ = re.compile(r"\[ *(?:" + _FLOW_WORD + r"(?: *, *" + _FLOW_WORD + r")*)? *\]")
_SIMPLE_MAP = re.compile(
    r"\{ *(?:"
    + _FLOW_WORD
    + r": +"
    + _FLOW_WORD
    + r"(?: *, *"
    + _FLOW_WORD
    + r": +"
    + _FLOW_WORD
    + r")*)? *\}"
)
_QUOTE_OR_FLOW = frozenset("\"'[{")
_WORDS = _NULLS | {"true", "false"}
_MAX_FLOWS = 10_000
_MAX_KEY = 1024  # libyaml's longest simple key


def _lines(
    text: str, chunk: int = 1 << 18, start: int = 0, stop: int = -1
) -> Iterator[tuple[str, str, str, str, str, str]]:
    """:data:`_LINE`'s groups for every line of ``text[start:stop]`` (``start`` at a line's
    start, ``stop`` at a newline or the text's end), read a chunk of lines at a time
    (``findall`` is fast, but a list of all the lines' groups would double the memory)."""
    size = len(text) if stop < 0 else stop
    while True:
        end = text.find("\n", start + chunk, size) if start + chunk < size else -1
        if end < 0:
            yield from _LINE.findall(text, start, size)
            return
        yield from _LINE.findall(text, start, end)
        start = end + 1


# A block list of flat mappings, the bulk of a cost report: `- key: value` lines, each followed
# by `  key: value` lines at the same indentation, no blank line or comment between them, every
# key plain, every value plain or simply quoted text on its line, without a comment. Read as a
# whole (:meth:`_FastPath._read_block`): the same data, positions and problems as line by line,
# with no Python step per line. Each part is a strict subset of :data:`_LINE`'s, and contains no
# ": " but the one after its key (so splitting at ": " finds every key and value).
_BULK = True
_MIN_BLOCK = 24  # lines: a shorter block is read as fast line by line
_SHORT = 1 << 16  # characters read line by line from one list of all their lines' groups
_MIN_BULK_TEXT = 32 * 1024  # characters: a smaller text has no block worth looking for
_CHUNK = 1 << 20  # characters of a block read at once (what reading them holds stays small)
_BULK_KEY = r"\w[^ :#\n]*+(?:(?: ++|:)[^ :#\n]++)*+"
_BULK_VALUE = (
    r"""(?:"[^"\\\n:]*+(?::(?! )[^"\\\n:]*+)*+"|'[^'\n:]*+(?::(?! )[^'\n:]*+)*+'|"""
    + _FIRST
    + r"""[^ :\n]*+(?:(?::(?=[^ \n])| ++(?=[^ #\n]))[^ :\n]*+)*+)"""
)
_BULK_LINE = _BULK_KEY + ": " + _BULK_VALUE + "\n"
_BLOCK = r"^( *)- " + _BULK_LINE + r"(?:\1(?:- |  )" + _BULK_LINE + r")*+"
# The same block's shape, checked per character only where a regex must (a key with no colon,
# then ": " and the rest of the line, not ending in a space or a colon; a class of wide ranges
# would match a little faster but takes 7 ms to compile); its values are then checked as a
# whole (:func:`_clean`): nothing in them that :data:`_BULK_VALUE` refuses. Four times cheaper
# than :data:`_BLOCK`, which reads a block that fails the checks.
_LOOSE = r"^( *)- \w[^:\n]*+: [^ \n][^\n]*+(?<![ :])\n(?:\1(?:- |  )\w[^:\n]*+: [^ \n][^\n]*+(?<![ :])\n)*+"
_BAD_VALUE = r""": (?:[?:,\[\]{}#&*!|>%@`]|-[ \n]|"[^"\\\n]*+(?!"\n)|'[^'\n]*+(?!'\n))"""


@functools.cache
def _block_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """:data:`_BLOCK`, :data:`_LOOSE`, :data:`_BAD_VALUE` and a key of :data:`_BULK_KEY`,
    compiled on first use (1 ms): only a large text is looked at for blocks."""
    return (
        re.compile(_BLOCK, re.MULTILINE),
        re.compile(_LOOSE, re.MULTILINE),
        re.compile(_BAD_VALUE),
        re.compile(_BULK_KEY),
    )


_HEAD = "\0"  # not in a text the fast path reads (_NOT_FAST)
_HEADER = _HEAD + ": " + _HEAD + ": "
_PLAIN_WORDS: dict[str, Any] = {w: None for w in _NULLS if w} | {"true": True, "false": False}
_LITTLE = sys.byteorder == "little"


def _clean(text: str, start: int, end: int, lines: int) -> bool:
    """Whether the :data:`_LOOSE` block ``text[start:end]`` of ``lines`` lines is one
    :data:`_BLOCK` reads whole: one ": " a line (its key has no colon), and no value that
    holds a comment, starts as
    only quoted text, a flow, an anchor, an alias, a tag or a block scalar may, or is quoted
    text with more after it or an escape."""
    return (
        text.count(": ", start, end) == lines
        and (text.find("#", start, end) < 0 or text.find(" #", start, end) < 0)
        and _block_patterns()[2].search(text, start, end) is None
    )


def _unfast(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`_NOT_FAST` (the same answer, from the
    UTF-8 bytes: ten times cheaper than searching the text with that class)."""
    try:
        raw = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if raw.translate(_FAST_BYTES) != raw:  # (the same object when no byte changes)
        return True
    if raw.isascii():
        return False
    return any(seq in raw for seq in _UNFAST_SEQUENCES) or (b"\xc2" in raw and _C1.search(raw) is not None)


class _Fallback(Exception):
    """The text is not in the fast path's subset: read it from libyaml's events."""


class _FastPath:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.stack: list[_Frame] = []
        self.root: Any = _NO_KEY
        self.flows = 0
        self.lineno = 0  # lines read so far
        self.nodes = 0  # keys and values of the lines read so far (two a line, at most)

    def run(self, text: str) -> Any:
        if _unfast(text):
            raise _Fallback
        try:
            return self._run(text)
        except (ReadError, yaml.YAMLError):
            raise _Fallback from None

    def _run(self, text: str) -> Any:
        size = len(text)
        pos = 0
        strict = 0  # up to here, blocks are found by _BLOCK (the loose ones failed a check)
        bulk = _BULK and size >= _MIN_BULK_TEXT  # (looking for blocks costs more in a small text)
        while pos < size:
            m, strict = self._next_block(text, pos, strict) if bulk else (None, 0)
            if m is None:
                self._read_lines(text, pos, size)
                break
            if m.start() > pos:
                self._read_lines(text, pos, m.start() - 1)
            pos = self._read_block(text, m)
        if self.nodes + self.b.nodes > MAX_NODES or self.b.collections > MAX_COLLECTIONS:
            raise _Fallback  # past a limit: the events count exactly, and say where
        stack = self.stack
        # libyaml ends the blocks deeper than the text's last column there, then the rest on
        # the line after it (unless the text ends at a line's start).
        last_line = self.b.newlines if self.b.newlines >= 0 else text.count("\n")
        last_col = len(text) - text.rfind("\n") - 1
        while stack and stack[-1].col > last_col:
            self._close(last_line << 32 | last_col)
        end = (last_line + 1) << 32 if last_col else last_line << 32
        while stack:
            self._close(end)
        if self.root is _NO_KEY:
            raise _Fallback
        return self.root

    @staticmethod
    def _next_block(text: str, pos: int, strict: int) -> tuple[re.Match[str] | None, int]:
        """The next block from ``pos`` worth reading whole (:data:`_MIN_BLOCK` lines or more),
        or None; and up to where blocks are looked for strictly (``strict``, moved past a loose
        block that failed a check)."""
        block, loose, _, _ = _block_patterns()
        while True:
            m = block.search(text, pos, strict) if pos < strict else loose.search(text, pos)
            if m is None:
                if pos < strict:
                    pos = strict
                    continue
                return None, strict
            start, end = m.span()
            lines = text.count("\n", start, end)
            if lines < _MIN_BLOCK:
                pos = end  # a few lines: read with the others
            elif pos >= strict and not _clean(text, start, end, lines):
                strict = end  # the same lines again, strictly
            else:
                return m, strict

    def _read_lines(self, text: str, start: int, stop: int) -> None:
        """The lines of ``text[start:stop]``, one at a time."""
        stack = self.stack
        problems = self.b.problems
        intern = sys.intern
        no_key = _NO_KEY
        top: _Frame | None = stack[-1] if stack else None
        lineno = self.lineno - 1
        nodes = self.nodes
        short = stop - start <= _SHORT  # (a list of the lines' groups, no generator to resume)
        lines = _LINE.findall(text, start, stop) if short else _lines(text, start=start, stop=stop)
        for indent, dash, key, sep, value, bad in lines:
            lineno += 1
            if bad:
                raise _Fallback
            if not dash and not key and not value:
                continue  # blank, or a comment
            nodes += 2
            if nodes > MAX_NODES:
                raise _Fallback  # the events count exactly, and say where
            col = len(indent)
            if col == 0 and not dash and (key or value)[:3] in ("---", "..."):
                raise _Fallback
            line = lineno << 32
            # Close what this line's indentation ends (an indentless list ends at a key).
            while top is not None and (top.col > col or (top.col == col and not top.is_map and not dash)):
                self._close(line | col)
                top = stack[-1] if stack else None
            if self.root is not no_key:
                raise _Fallback  # text after the document's end: libyaml says what is wrong
            if dash:
                if top is not None and not top.is_map and top.col == col:
                    if top.pending >= 0:
                        top.value.append(None)  # type: ignore[union-attr]
                        top.items.append(top.pending)
                        top.pending = -1
                elif top is None or (top.pending >= 0 and (col > top.col or top.is_map)):
                    if top is not None:
                        top.pending = -1
                    top = self._open([], line | col, col)
                else:
                    raise _Fallback
                col += len(dash)
                if not key:
                    if value:
                        top.value.append(self._scalar(value, line | col))  # type: ignore[union-attr]
                        top.items.append(line | col)
                    else:
                        top.pending = line | (col - len(dash) + 1)
                    continue
                top = self._open({}, line | col, col)
            elif not key:
                raise _Fallback  # a scalar on its own line: a multi-line scalar, or a document
            elif top is not None and top.is_map and top.col == col:
                if top.pending >= 0:
                    if not top.skip:
                        _put(top, top.key, None, top.pending)
                    top.skip = False
                    top.key = no_key
                    top.pending = -1
            elif top is None or (top.pending >= 0 and col > top.col):
                if top is not None:
                    top.pending = -1
                top = self._open({}, line | col, col)
            else:
                raise _Fallback
            # the key, then its value on this line or what the next lines hold
            klen = len(key)
            if klen > _MAX_KEY:
                raise _Fallback
            first = key[0]
            if first == '"' or first == "'":
                key = key[1:-1]
            elif key == "<<":
                raise _Fallback  # a merge key: refused, in libyaml's words
            key = intern(key)
            skip = key in top.value
            if skip:
                problems.append(
                    Problem(
                        "CB010",
                        msg(
                            "duplicate key {key!r} (first at line {line}): keep only one",
                            key=key,
                            line=_first_line(top, key) + 1,
                        ),
                        lineno + 1,
                        col + 1,
                    )
                )
            if value:
                if not skip:
                    vpos = line | (col + klen + len(sep))
                    # _put, written out: this is every `key: value` line of the file
                    mapping = top.value
                    if top.keys is not None:
                        top.keys[key] = len(mapping)
                    mapping[key] = (  # type: ignore[call-overload]
                        self._scalar(value, vpos) if value[0] in _QUOTE_OR_FLOW or value in _WORDS else value
                    )
                    items = top.items
                    items.append(line | col)
                    items.append(vpos)
            else:
                top.key = key
                top.key_pos = line | col
                top.skip = skip
                top.pending = line | (col + klen + 1)
        self.lineno = lineno + 1
        self.nodes = nodes

    def _read_block(self, text: str, m: re.Match[str]) -> int:
        """A block list of flat mappings (:data:`_BLOCK`) as a whole, :data:`_CHUNK` characters
        of it at a time (at an entry's start): what reading its lines one by one gives, the last
        mapping left open (the lines after it may add to it), with no Python step per line.
        Returns where the block ends."""
        indent = m[1]
        col = len(indent)
        start, end = m.span()
        dash = "\n" + indent + "- "
        first = True
        while start < end:
            stop = text.find(dash, start + _CHUNK, end) + 1 if end - start > 2 * _CHUNK else 0
            if stop <= 0:
                stop = end
            rows = self._rows(text, start, stop, indent)
            if rows is None:  # a key _LINE reads otherwise: from here line by line
                self._read_lines(text, start, end - 1)
                return end
            if first:
                self._open_block(col)
                first = False
            self._entries(*rows, col, stop == end)
            start = stop
        return end

    @staticmethod
    def _rows(
        text: str, start: int, stop: int, indent: str
    ) -> tuple[list[str], list[Any], dict[str, int]] | None:
        """The keys and values of the entries of ``text[start:stop]``, and each key's value's
        column; None when a key is not one _LINE reads alike.

        Rows of (key, value): the lines, and a header row (NUL, NUL) before each mapping's
        lines that becomes its (start, end). Every line has one ": ", and so has each line
        break once replaced."""
        kcol = len(indent) + 2
        dash, cont = "\n" + indent + "- ", "\n" + indent + "  "
        body = _HEADER + text[start + kcol : stop - 1]
        flat = body.replace(dash, ": " + _HEADER).replace(cont, ": ").split(": ")
        del body
        keys = list(map(sys.intern, flat[0::2]))
        vcols = {k: kcol + len(k) + 2 for k in set(keys)}
        plain_key = _block_patterns()[3].fullmatch
        if any(len(k) > _MAX_KEY or not plain_key(k) for k in vcols if k is not _HEAD):
            return None
        vcols[_HEAD] = kcol - 2  # a mapping ends at the next entry's dash
        get = _PLAIN_WORDS.get
        values = [
            v if (c := v[0]) not in "\"'nNtf~" else v[1:-1] if c in "\"'" else get(v, v) for v in flat[1::2]
        ]
        return keys, values, vcols

    def _open_block(self, col: int) -> None:
        """The block's first line, as _read_lines reads a `- key: value` line: the blocks
        its indentation ends closed, its list opened or carried on."""
        lineno = self.lineno
        stack = self.stack
        top = stack[-1] if stack else None
        while top is not None and top.col > col:
            self._close(lineno << 32 | col)
            top = stack[-1] if stack else None
        if self.root is not _NO_KEY:
            raise _Fallback
        if top is not None and not top.is_map and top.col == col:
            if top.pending >= 0:
                top.value.append(None)  # type: ignore[union-attr]
                top.items.append(top.pending)
                top.pending = -1
        elif top is None or (top.pending >= 0 and (col > top.col or top.is_map)):
            if top is not None:
                top.pending = -1
            self._open([], lineno << 32 | col, col)
        else:
            raise _Fallback

    def _entries(
        self, keys: list[str], values: list[Any], vcols: dict[str, int], col: int, open_last: bool
    ) -> None:
        """The mappings of :meth:`_rows` added to the open list, the last one left open when
        ``open_last``."""
        kcol = col + 2
        lineno = self.lineno
        stack = self.stack
        b = self.b
        top = stack[-1]
        rows = len(keys)
        heads = list(compress(count(), map(eq, keys, repeat(_HEAD))))
        nlines = rows - len(heads)
        self.nodes += 2 * nlines
        b.collections += len(heads)
        if self.nodes > MAX_NODES or b.collections > MAX_COLLECTIONS or len(stack) + b.depth >= MAX_DEPTH:
            raise _Fallback
        # positions, line << 32 | column: a row's line is the next line's (a header's too)
        lines = array("I", accumulate(map(ne, islice(keys, rows - 1), repeat(_HEAD)), initial=lineno))
        if _LITTLE:  # written as 32-bit halves, the column first
            halves = array("I", bytes(16 * rows))
            view = memoryview(halves)
            view[0::4] = array("I", [kcol]) * rows
            view[1::4] = lines
            view[2::4] = array("I", map(vcols.__getitem__, keys))
            view[3::4] = lines
            table = array("Q")
            table.frombytes(view.cast("B"))
            del view, halves
        else:  # pragma: no cover - a big-endian machine
            table = array("Q")
            for line, key in zip(lines, keys, strict=True):
                table.append(line << 32 | kcol)
                table.append(line << 32 | vcols[key])
        for head, after in pairwise(heads):
            table[2 * head + 1] = table[2 * after] - 2  # (the next dash's line, col)
        table[2 * heads[-1] + 1] = (lineno + nlines) << 32 | col  # (when the block goes on)
        bounds = [2 * head for head in heads]
        bounds.append(2 * rows)
        tables = list(map(table.__getitem__, map(slice, bounds, bounds[1:])))
        sizes = list(map(sub, heads[1:], heads))
        sizes.append(rows - heads[-1])
        mappings: list[dict[str, Any]] = list(
            map(dict, map(islice, repeat(zip(keys, values, strict=True)), repeat(1), sizes))
        )
        if sum(map(len, mappings)) != nlines:  # a key repeats: those mappings line by line
            for e, (mapping, size) in enumerate(zip(mappings, sizes, strict=True)):
                if len(mapping) != size - 1:
                    head = heads[e]
                    mappings[e], items = self._duplicates(
                        keys[head + 1 : head + size], values[head + 1 : head + size], lines[head], kcol
                    )
                    items[1] = tables[e][1]
                    tables[e] = items
        closed = len(mappings) - 1 if open_last else len(mappings)
        b.positions.update(zip(map(id, islice(mappings, closed)), tables, strict=False))
        top.value.extend(islice(mappings, closed))  # type: ignore[union-attr]
        top.items.extend(map(table.__getitem__, islice(bounds, closed)))
        if open_last:
            frame = _Frame(mappings[-1], tables[-1][0], None)
            frame.items = tables[-1]
            frame.col = kcol
            stack.append(frame)
        self.lineno = lineno + nlines

    def _duplicates(
        self, keys: list[str], values: list[Any], lineno: int, col: int
    ) -> tuple[dict[str, Any], array[int]]:
        """A block's mapping that repeats a key, read line by line (the repeat is a problem)."""
        mapping: dict[str, Any] = {}
        items = array("Q", [lineno << 32 | col, 0])
        for i, (key, value) in enumerate(zip(keys, values, strict=True)):
            line = (lineno + i) << 32
            if key in mapping:
                first = items[2 + 2 * list(mapping).index(key)] >> 32
                self.b.problems.append(
                    Problem(
                        "CB010",
                        msg(
                            "duplicate key {key!r} (first at line {line}): keep only one",
                            key=key,
                            line=first + 1,
                        ),
                        lineno + i + 1,
                        col + 1,
                    )
                )
                continue
            mapping[key] = value
            items.append(line | col)
            items.append(line | (col + len(key) + 2))
        return mapping, items

    def _open(self, container: dict[str, Any] | list[Any], pos: int, col: int) -> _Frame:
        if len(self.stack) + self.b.depth >= MAX_DEPTH:
            raise _Fallback
        self.b.collections += 1
        if self.b.collections > MAX_COLLECTIONS:
            raise _Fallback
        frame = _Frame(container, pos, None)
        frame.col = col
        self.stack.append(frame)
        return frame

    def _close(self, end: int) -> None:
        frame = self.stack.pop()
        b = self.b
        if frame.pending >= 0:
            if frame.is_map and frame.key is _NO_KEY:
                raise _Fallback
            b._add(frame, None, frame.pending, 0, 0, 0)
        if frame.is_map and frame.key is not _NO_KEY:
            raise _Fallback
        table = frame.items
        table[1] = end
        b.positions[id(frame.value)] = table
        if self.stack:  # _Builder._add, without what only an anchor's weight needs
            parent = self.stack[-1]
            if not parent.is_map:
                parent.value.append(frame.value)  # type: ignore[union-attr]
                parent.items.append(frame.pos)
            elif parent.skip:
                parent.key = _NO_KEY
                parent.skip = False
            else:
                key = parent.key
                parent.key = _NO_KEY
                _put(parent, key, frame.value, frame.pos)
        else:
            self.root = frame.value
            b.root_pos = frame.pos

    def _scalar(self, text: str, pos: int) -> Any:
        """A value as the events give it: quoted text, a one-line flow, or a plain scalar."""
        first = text[0]
        if first == '"' or first == "'":
            return text[1:-1]
        if first == "[" or first == "{":
            return self._flow(text, pos)
        if text in _NULLS:
            return None
        if text == "true":
            return True
        if text == "false":
            return False
        return text

    def _flow(self, text: str, pos: int) -> Any:
        """A one-line flow collection, read by libyaml and moved to where it stands (or, when
        it is one level of simple scalars, by :meth:`_simple_flow`)."""
        if "&" in text or "*" in text or "!" in text:
            raise _Fallback  # anchors, aliases and tags are the whole document's business
        simple = self._simple_flow(text, pos)
        if simple is not None:
            return simple
        self.flows += 1
        if self.flows > _MAX_FLOWS:
            raise _Fallback  # one libyaml parser per flow: past this many, one for the whole text
        inner = _Builder(len(self.stack) + self.b.depth)
        value = inner.build_from_events(text)
        if not isinstance(value, dict | list):
            raise _Fallback
        positions = self.b.positions
        for ident, table in inner.positions.items():
            positions[ident] = array("Q", [p + pos for p in table])
        self.b.nodes += inner.nodes
        self.b.collections += inner.collections
        if self.b.collections > MAX_COLLECTIONS:
            raise _Fallback
        if inner.problems:
            raise _Fallback  # a duplicate key's message names lines: libyaml's reading words it
        return value

    def _simple_flow(self, text: str, pos: int) -> Any:
        """``[a, "b", 3]`` or ``{2019: 1.50, k: v}``: one level of plain words or simply quoted
        text, as libyaml reads it (values, positions, counts), without a parser for it; None
        for any other flow."""
        is_map = text[0] == "{"
        if not (_SIMPLE_MAP if is_map else _SIMPLE_SEQ).fullmatch(text):
            return None
        if len(self.stack) + self.b.depth >= MAX_DEPTH:
            raise _Fallback
        table = array("Q", [pos, pos + len(text)])
        scalars = 0
        get = _PLAIN_WORDS.get
        value: Any
        if is_map:
            mapping: dict[str, Any] = {}
            key: str | None = None
            for m in _FLOW_SCALAR.finditer(text):
                word = m[0]
                scalars += 1
                if key is None:
                    if word[0] == '"' or word[0] == "'":
                        word = word[1:-1]
                    elif word == "<<":  # pragma: no cover - not a word of the pattern
                        raise _Fallback
                    key = sys.intern(word)
                    if key in mapping:
                        raise _Fallback  # a duplicate key: libyaml's reading words it
                    table.append(pos + m.start())
                else:  # _flow_scalar, written out
                    mapping[key] = (
                        word
                        if (c := word[0]) not in "\"'nNtf~"
                        else word[1:-1]
                        if c in "\"'"
                        else get(word, word)
                    )
                    table.append(pos + m.start())
                    key = None
            value = mapping
        else:
            items: list[Any] = []
            for m in _FLOW_SCALAR.finditer(text):
                scalars += 1
                word = m[0]
                items.append(
                    word
                    if (c := word[0]) not in "\"'nNtf~"
                    else word[1:-1]
                    if c in "\"'"
                    else get(word, word)
                )
                table.append(pos + m.start())
            value = items
        b = self.b
        b.nodes += 1 + scalars
        b.collections += 1
        if b.collections > MAX_COLLECTIONS:
            raise _Fallback
        b.positions[id(value)] = table
        return value

    @staticmethod
    def _flow_scalar(word: str) -> Any:
        first = word[0]
        if first == '"' or first == "'":
            return word[1:-1]
        if word in _NULLS:
            return None
        if word == "true":
            return True
        if word == "false":
            return False
        return word

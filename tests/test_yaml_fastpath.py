"""The YAML fast path gives exactly what libyaml's events give, or steps aside.

``yamlsource`` reads the common subset of block YAML line by line and falls back to libyaml's
events for anything else. Whenever the fast path accepts a text, its data, the position of
every key and value, the containers' start and end, and the problems (duplicate keys) must be
the events' own; when libyaml refuses a text, the fast path must have stepped aside.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from clustbudget.yamlsource import ReadError, _Builder, _Fallback, _FastPath

from .conftest import ROOT
from .golden_project import write_golden_project

sys.path.insert(0, str(ROOT / "bench"))
import bench


@pytest.fixture(autouse=True)
def every_block_read_whole(monkeypatch: Any) -> None:
    """Blocks of any length read whole (only long ones are, outside these tests), so that
    the short texts generated here go through the block reader too."""
    from clustbudget import yamlsource

    monkeypatch.setattr(yamlsource, "_MIN_BLOCK", 1)
    monkeypatch.setattr(yamlsource, "_MIN_BULK_TEXT", 0)
    monkeypatch.setattr(yamlsource, "_CHUNK", 40)  # blocks read a few entries at a time


def fast(text: str) -> tuple[Any, _Builder] | None:
    b = _Builder()
    try:
        return _FastPath(b).run(text), b
    except _Fallback:
        return None


def slow(text: str) -> tuple[Any, _Builder] | str:
    b = _Builder()
    try:
        return b.build_from_events(text), b
    except (ReadError, yaml.YAMLError) as exc:
        return f"error: {exc}"


def tables(value: Any, b: _Builder, out: list[Any]) -> list[Any]:
    """Every container's positions, in document order, walking the data."""
    if isinstance(value, dict | list):
        out.append(list(b.positions[id(value)]))
        for v in value.values() if isinstance(value, dict) else value:
            tables(v, b, out)
    else:
        out.append(repr(value))  # the types too: None, True and "true" differ
    return out


def same(text: str) -> bool:
    """Whether the fast path accepted ``text``; asserts it agrees with the events."""
    f = fast(text)
    if f is None:
        return False
    s = slow(text)
    assert not isinstance(s, str), f"fast path accepted what libyaml refuses ({s}):\n{text}"
    (fd, fb), (sd, sb) = f, s
    assert fd == sd, text
    assert tables(fd, fb, []) == tables(sd, sb, []), text
    assert fb.problems == sb.problems, text
    assert fb.root_pos == sb.root_pos, text
    return True


def corpus(tmp: Path) -> dict[str, str]:
    files = {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8", errors="replace")
        for folder in ("budgets", "tests/data", "src/clustbudget")
        for p in sorted((ROOT / folder).rglob("*"))
        if p.suffix in (".yaml", ".yml") and "golden" not in p.parts
    }
    for p in write_golden_project(tmp / "golden"):
        files[p.name] = p.read_text(encoding="utf-8")
    rng = random.Random(3)
    for i in range(40):
        files[f"bench-budget-{i}"] = bench.budget_text(rng, i)
    files["bench-big-budget"] = bench.big_budget_text(300)
    budget, report = bench.write_report_project(tmp / "bench", 300)
    files["bench-project"] = budget.read_text(encoding="utf-8")
    files["bench-report"] = report.read_text(encoding="utf-8")
    return files


@pytest.mark.parametrize(
    ("shortest", "smallest", "chunk"),
    [(1, 0, 40), (1, 0, 1 << 20), (24, 0, 1 << 20), (24, 32 * 1024, 1 << 20)],
)
def test_the_fast_path_agrees_on_every_yaml_file_of_the_repository(
    tmp_path: Path, monkeypatch: Any, shortest: int, smallest: int, chunk: int
) -> None:
    from clustbudget import yamlsource

    monkeypatch.setattr(yamlsource, "_MIN_BLOCK", shortest)
    monkeypatch.setattr(yamlsource, "_MIN_BULK_TEXT", smallest)
    monkeypatch.setattr(yamlsource, "_CHUNK", chunk)
    from clustbudget.yamlsource import parse_document

    files = corpus(tmp_path)
    accepted = [name for name, text in files.items() if same(text)]
    for name in accepted:  # as read_document reads them (the line breaks counted once, there)
        text = files[name]
        doc, (data, b) = parse_document(text.encode(), Path(name), name), fast(text)  # type: ignore[misc]
        assert (doc.data, tables(doc.data, doc, []), doc.problems) == (data, tables(data, b, []), b.problems)
    # the files people write and the generated ones are in the subset (else no speed-up)
    for name in ("budgets/clust-er-health-2020-2022.yaml", "bench-report", "bench-big-budget", "sal-1.yaml"):
        assert name in accepted
    assert len(accepted) >= 0.8 * len(files), sorted(set(files) - set(accepted))


def test_what_the_fast_path_leaves_to_libyaml() -> None:
    for text in [
        "a: |\n  text\n",  # block scalar
        "a: b\n  c\n",  # multi-line plain scalar
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: !!str 1\n",  # tags
        "a:\r\n  b: 1\r\n",  # CRLF
        "a:\tb\n",  # tab
        "a: [1,\n  2]\n",  # a flow over two lines
        "---\na: 1\n",  # a document marker
        "a: 1\n---\nb: 2\n",
        "a: 'it''s'\n",  # an escaped quote
        'a: "\\u00e9"\n',  # an escape
        "? a\n: b\n",  # a complex key
        "a: b: c\n",  # an error: libyaml says which
        "a: {x: 1, x: 2}\n",  # a duplicate inside a flow
        "k" * 1100 + ": 1\n",  # longer than a simple key may be
    ]:
        assert fast(text) is None, text


def test_positions_of_empty_values_and_ends() -> None:
    for text in [
        "a:\nb: 1\n",
        "a:   # comment\n\n  # more\nb: 1\n",
        "a:",
        "a:\n- x\n-\n- y\nb:\n  - z\nc: 1\n",
        "s:\n  - k: 1\n    j:\n  - m: 2\n# end\n",
        "x:\n  y:\n    z: 1\nw: 2",
        "- a\n- b: 1\n  c: 2\n",
        "  a: 1\n  b: [1, {c: d}]   # flow\n\n\n",
        "a: 'q'  # c\nb: \"d e\"\n'c': x#y\n\"d\": -5\n",
        "a: 1\nb: 2\na: 3\n",
        "a:\n  -\n    b: 1\n  -\n  - c\n",
    ]:
        assert same(text), text


KEYS = ["a", "b", "a b", "a:b", '"q"', "'s'", "<<", "null", "-x", "#x", "a#b", "?x", "2021-03", "é", "k "]
SEPS = [": ", ":", " : ", ":  ", ":\t"]
VALUES = [
    "",
    "1",
    "-5",
    "- 5",
    "x y",
    "x: y",
    "x #c",
    "x#c",
    '"q"',
    '"a\\"b"',
    "'it''s'",
    "'a'b",
    "[a, b]",
    "{a: 1}",
    "{a: 1",
    "[a, [b, {c: d}]]",
    "{a: 1, a: 2}",
    "&a x",
    "*a",
    "!!str x",
    "|",
    ">",
    "null",
    "~",
    "true",
    "'true'",
    " # c",
    "---",
    "\xa0x",
    "x\xa0",
    "a ,b",
    "%x",
    "@x",
    "`x",
    "\x7f",
]
LINE = st.tuples(
    st.sampled_from([0, 0, 1, 2, 2, 3, 4, 6]),
    st.sampled_from(["", "", "- ", "-", "-  ", "- - "]),
    st.one_of(
        st.tuples(st.sampled_from(KEYS), st.sampled_from(SEPS), st.sampled_from(VALUES)).map("".join),
        st.sampled_from(VALUES),
        st.sampled_from(["# comment", "", "..."]),
    ),
).map(lambda t: " " * t[0] + t[1] + t[2])


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=12), st.booleans())
def test_generated_text_never_differs(lines: list[str], newline: bool) -> None:
    same("\n".join(lines) + ("\n" if newline else ""))


def test_lines_are_read_in_chunks_as_in_one_piece() -> None:
    from clustbudget.yamlsource import _LINE, _lines

    for text in ["a: 1\nb:\n  - x\n", "a: 1\n\n# c\nb: 2", "", "\n\n", "- a\n" * 50]:
        for chunk in (1, 3, 7, 1 << 18):
            assert list(_lines(text, chunk)) == _LINE.findall(text), (text, chunk)


def test_simple_flows_read_without_libyaml_agree_with_the_events(monkeypatch: Any) -> None:
    # one level of words or quoted text: read by _FastPath._simple_flow, no parser per flow
    calls: list[str] = []
    events = _FastPath._simple_flow

    def counted(self: _FastPath, text: str, pos: int) -> Any:
        value = events(self, text, pos)
        calls.append("simple" if value is not None else "libyaml")
        return value

    monkeypatch.setattr(_FastPath, "_simple_flow", counted)
    flows = [
        "[]",
        "{ }",
        '["1", "2"]',
        "[ a , b c,'d: e' ]",
        "{2018: 35149.39, 2019: 53081.69}",
        "{id: SAL-1, start: 2020-10-01, end: null}",
        "{\"k\": null, 'x y': true, z: false}",
        "[ñandú, Forlì-Cesena, a/b, 1+2]",
    ]
    for flow in flows:
        for text in (f"x: {flow}\n", f"- {flow}\n", f"k:\n  - {flow}\n  - [z]\n"):
            assert same(text), text
    assert set(calls) == {"simple"}
    calls.clear()
    # not simple: read by libyaml as before (nested, escapes, a trailing comma, a comment)
    for flow in ("[~]", "[[a]]", '["a\\tb"]', "[a, ]", "{a: b} # c", "[-1]", "{a: [b]}"):
        assert same(f"x: {flow}\n"), flow
    assert set(calls) == {"libyaml"}


def test_a_duplicate_key_in_a_simple_flow_is_worded_by_libyaml() -> None:
    assert fast("x: {a: 1, a: 2}\n") is None


# ---- the block reader: lists of flat mappings read whole (_FastPath._read_block)

BULK_KEYS = [
    "date",
    "amount",
    "a b",
    "k2",
    "é",
    "x-y",
    "a:b",
    "a#b",
    "a ",
    "<<",
    "'q'",
    "2021-03",
    "_x",
    "-x",
]
BULK_VALUES = [
    "1",
    "x y",
    "null",
    "~",
    "true",
    "false",
    "'true'",
    '"null"',
    '""',
    "''",
    '"FT 2022/4"',
    "'a: b'",
    '"a: b"',
    '"10:30"',
    "a: b",
    "x #c",
    "x#c",
    "x ",
    "x:",
    "x :y",
    "-5",
    "- 5",
    "-",
    "-:",
    "[a, b]",
    "{a: 1}",
    "&a x",
    "*a",
    "!!str x",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "?x",
    ":x",
    ",x",
    "'it''s'",
    '"a\\"b"',
    "'a'b",
    '"a"b',
    "a'",
    'b"',
    "7:30",
    "http://x",
    "a  b",
    " x",
    "",
    "é ñ",
    "S.r.l. 240",
]
BULK_LINE = st.tuples(st.sampled_from(BULK_KEYS), st.sampled_from(BULK_VALUES))


def bulk_text(indent: int, entries: list[list[tuple[str, str]]], head: str, tail: str) -> str:
    pad = " " * indent
    lines = []
    for entry in entries:
        for i, (key, value) in enumerate(entry):
            lines.append(f"{pad}{'- ' if i == 0 else '  '}{key}:{' ' + value if value else ''}")
    return head + "\n".join(lines) + "\n" + tail.replace("<pad>", pad)


BULK_HEADS = ["items:\n", "", "x: 1\nitems:\n", "a:\n  items:\n", "items:\n  - z\n", "items: 1\n", "- k: v\n"]
BULK_TAILS = [
    "",
    "other: 1\n",
    "<pad>  more: x\n",
    "<pad>  nested:\n<pad>    - z\n",
    "# c\n<pad>  late: 1\n",
    "\n<pad>- k: v\n",
    "<pad>- k: [1, 2]\n",
    "<pad>-\n",
    "<pad>  more:\n",
    "<pad>    deeper: 1\n",
    "<pad>  date: again\n",
    "<pad>  k: x  # c\n<pad>- k: y\n",
    "<pad>  bad: b: c\n",
    "...\n",
    "<pad>  tail",
]


def machine(text: str) -> tuple[Any, list[Any], Any, int] | None:
    """The line-by-line reading, blocks not read whole."""
    from clustbudget import yamlsource

    yamlsource._BULK = False
    try:
        f = fast(text)
    finally:
        yamlsource._BULK = True
    if f is None:
        return None
    data, b = f
    return data, tables(data, b, []), b.problems, b.root_pos


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from([0, 2, 4]),
    st.lists(st.lists(BULK_LINE, min_size=1, max_size=5), min_size=1, max_size=5),
    st.sampled_from(BULK_HEADS),
    st.sampled_from(BULK_TAILS),
)
def test_blocks_read_whole_agree_with_the_lines_and_the_events(
    indent: int, entries: list[list[tuple[str, str]]], head: str, tail: str
) -> None:
    text = bulk_text(indent, entries, head, tail)
    same(text)  # the events' own data, positions and problems, or libyaml's reading
    f = fast(text)
    whole = None if f is None else (f[0], tables(f[0], f[1], []), f[1].problems, f[1].root_pos)
    assert whole == machine(text), text


def test_blocks_are_read_whole_with_their_problems(monkeypatch: Any) -> None:
    from clustbudget import yamlsource

    calls: list[int] = []
    read = _FastPath._read_block

    def counted(self: _FastPath, text: str, m: Any) -> int:
        calls.append(m.start())
        return read(self, text, m)

    monkeypatch.setattr(_FastPath, "_read_block", counted)
    entries = [
        [("date", "2021-01-0" + str(i)), ("amount", '"1.50"'), ("vat", "null"), ("date", "x")]
        for i in range(9)
    ]
    entries += [[("k", "a #c")], [("k", "v")]]  # a comment: that part read line by line
    text = bulk_text(2, entries, "clustbudget: 1\nexpenses:\n", "end: 1\n")
    assert same(text)
    f = fast(text)
    assert f is not None and len(f[1].problems) == 9  # each repeated `date`
    assert f[0]["expenses"][0] == {"date": "2021-01-00", "amount": "1.50", "vat": None}
    assert calls and calls[0] == text.index("  - date")
    assert yamlsource._clean(text, calls[0], len(text), text.count("\n", calls[0])) is False  # the comment


@settings(max_examples=800, deadline=None)
@given(st.lists(st.lists(BULK_LINE, min_size=1, max_size=4), min_size=1, max_size=4), st.sampled_from([0, 2]))
def test_a_loose_block_that_passes_the_checks_is_a_strict_block(
    entries: list[list[tuple[str, str]]], indent: int
) -> None:
    import re

    from clustbudget.yamlsource import _block_patterns, _clean

    _BLOCK, _LOOSE, _, _KEY_RE = _block_patterns()

    text = bulk_text(indent, entries, "", "")
    m = _LOOSE.match(text)
    keys = re.findall(r"(?m)^[ -]*([^:\n]*): ", text)
    if (
        m is not None
        and _clean(text, 0, m.end(), m[0].count("\n"))
        and all(_KEY_RE.fullmatch(k) for k in keys)
    ):  # as _read_block
        assert _BLOCK.fullmatch(m[0]), text


@settings(max_examples=2000, deadline=None)
@given(st.text(st.characters(blacklist_categories=()), max_size=20))
def test_the_control_character_check_is_the_class_it_replaces(text: str) -> None:
    import re

    from clustbudget.yamlsource import _NOT_FAST, _unfast

    assert _unfast(text) == (re.search(_NOT_FAST, text) is not None), repr(text)
    padded = "a: é\n" + text + "\nb: ’\n"
    assert _unfast(padded) == (re.search(_NOT_FAST, padded) is not None), repr(padded)


def test_the_control_character_check_on_every_character_it_refuses() -> None:
    import re

    from clustbudget.yamlsource import _NOT_FAST, _unfast

    for code in [
        *range(0x00, 0xA1),
        0x2027,
        0x2028,
        0x2029,
        0x202A,
        0xD800,
        0xDFFF,
        0xFEFF,
        0xFFFD,
        0xFFFE,
        0xFFFF,
    ]:
        text = f"a: x{chr(code)}y\n"
        assert _unfast(text) == (re.search(_NOT_FAST, text) is not None), hex(code)

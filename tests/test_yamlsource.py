"""The YAML reader: positions, duplicate keys, YAML 1.1 surprises and unsafe constructs."""

from pathlib import Path

import pytest

from clustbudget.yamlsource import ReadError, parse_document, read_document


def parse(text: str | bytes):
    raw = text.encode() if isinstance(text, str) else text
    return parse_document(raw, Path("x.yaml"), "x.yaml")


def test_scalars_stay_text_except_null_and_true_false():
    doc = parse("a: 0700\nb: 7:30\nc: yes\nd: true\ne: null\nf: ~\ng:\nh: 'true'\ni: 2021-01-01\nj: 1.50\n")
    assert doc.data == {
        "a": "0700",
        "b": "7:30",
        "c": "yes",
        "d": True,
        "e": None,
        "f": None,
        "g": None,
        "h": "true",
        "i": "2021-01-01",
        "j": "1.50",
    }


def test_positions_of_values_and_keys():
    doc = parse("costs:\n  A:\n    - description: x\n      amount: 10\n")
    assert doc.position(("costs", "A", 0, "amount")) == (4, 15)
    assert doc.position(("costs", "A", 0, "amount"), key=True) == (4, 7)
    assert doc.position(("costs", "B")) == (2, 3)  # a missing key ends at the deepest node found


def test_duplicate_keys_are_problems_at_the_repeated_key():
    doc = parse("a: 1\nb: 2\na: 3\n")
    assert doc.data == {"a": "1", "b": "2"}
    [p] = doc.problems
    assert (p.code, p.line, p.col) == ("CB010", 3, 1)
    assert "first at line 1" in p.message


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("", "CB003", "empty"),
        ("# only a comment\n", "CB003", "empty"),
        ("a: [1, 2\n", "CB002", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "CB002", "more than one YAML document"),
        ("a: !!python/object:os.system x\n", "CB004", "tag"),
        ("a: !!binary aGVsbG8=\n", "CB004", "tag"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", "CB004", "merge keys"),
    ],
)
def test_unreadable_documents(text, code, words):
    with pytest.raises(ReadError) as err:
        parse(text)
    assert err.value.code == code
    assert words in err.value.message


def test_not_utf8_names_the_line():
    with pytest.raises(ReadError) as err:
        parse(b"a: 1\nb: caf\xe9\n")
    assert err.value.code == "CB001" and err.value.line == 2


def test_a_bom_is_accepted():
    assert parse("\ufeffa: 1\n".encode()).data == {"a": "1"}


def test_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join('*' + prev for _ in range(10))}]")
    with pytest.raises(ReadError) as err:
        parse("\n".join(lines) + "\n")
    assert err.value.code == "CB004" and "aliases" in err.value.message


def test_deep_nesting_is_refused():
    with pytest.raises(ReadError) as err:
        parse("a: " + "[" * 200 + "]" * 200 + "\n")
    assert err.value.code == "CB004"


def test_small_aliases_are_allowed():
    assert parse("x: &h {h: 1}\ny: *h\n").data == {"x": {"h": "1"}, "y": {"h": "1"}}


def test_missing_and_oversized_files(tmp_path, monkeypatch):
    with pytest.raises(ReadError, match="no such file"):
        read_document(tmp_path / "nope.yaml")
    with pytest.raises(ReadError, match="folder"):
        read_document(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n")
    monkeypatch.setattr("clustbudget.yamlsource.MAX_BYTES", 3)
    with pytest.raises(ReadError, match="too large"):
        read_document(big)


def test_a_file_of_too_many_lines_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    path = tmp_path / "lines.yaml"
    path.write_text("a: 1\nb: 2\nc: [\n")  # broken YAML on line 3: the count comes first
    monkeypatch.setattr("clustbudget.yamlsource.MAX_LINES", 2)
    with pytest.raises(ReadError) as err:
        read_document(path)
    assert err.value.code == "CB004" and (err.value.line, err.value.col) == (3, 1)
    assert "more than 2 lines" in err.value.message
    monkeypatch.setattr("clustbudget.yamlsource.MAX_LINES", 3)
    with pytest.raises(ReadError) as err:  # exactly as many lines as the limit: parsed as usual
        read_document(path)
    assert err.value.code != "CB004"
    path.write_text("a: 1\nb: 2\nc: [")  # three lines, the last without its newline
    monkeypatch.setattr("clustbudget.yamlsource.MAX_LINES", 2)
    with pytest.raises(ReadError) as err:
        read_document(path)
    assert err.value.code == "CB004" and err.value.line == 3


def test_a_tab_is_named():
    with pytest.raises(ReadError) as err:
        parse("costs:\n\tA: []\n")
    assert (err.value.line, err.value.col) == (2, 1) and "indent with spaces" in err.value.message


def test_atomic_write_never_clobbers_a_file_that_appeared(tmp_path):
    from clustbudget.atomic import write_atomic, write_text_atomic

    target = tmp_path / "out.txt"

    def write_and_race(tmp):
        tmp.write_text("new")
        target.write_text("someone else's")  # appears while we write

    with pytest.raises(FileExistsError):
        write_atomic(target, write_and_race)
    assert target.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary left behind
    write_text_atomic(target, "mine", overwrite=True)
    assert target.read_text() == "mine"

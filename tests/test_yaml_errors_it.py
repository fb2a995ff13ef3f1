"""libyaml's scanner and parser problems in the user's language, at their line (issue 9)."""

from __future__ import annotations

import pytest

from clustbudget.i18n import catalog, render
from clustbudget.loading import read
from clustbudget.yamlsource import _PARSER_PATTERNS, _PARSER_WORDS, _parser_words

CASES = [
    ("a: b: c\n", 1, "qui non può iniziare un valore"),
    ("a: {x: 1\n", 2, "manca la virgola ',' o la parentesi '}' attesa"),
    ("a: [1, 2\nb: 3\n", 2, "manca la virgola ',' o la parentesi ']' attesa"),
    ("a: @x\n", 1, "non può iniziare un valore YAML"),
    ("a: &\n", 1, "manca la lettera o la cifra attesa"),
    ("a:\n  - 1\n b: 2\n", 3, "manca la chiave attesa"),
    ("a: 'x\n", 2, "il file finisce prima del previsto"),
    ("%FOO bar\n---\na: 1\n", 1, None),
    ("a: |0\n  x\n", 1, "indicatore di indentazione"),
    ("- a\nb: 1\n", 2, None),
    ("a: 1\n--- x\n...\n... y\n", 2, "più di un documento YAML"),
]


@pytest.mark.parametrize(("text", "line", "italian"), CASES)
def test_a_yaml_problem_is_reported_in_italian_at_its_line(tmp_path, text, line, italian):
    path = tmp_path / "b.yaml"
    path.write_text(text)
    loaded = read(path, "b.yaml")
    [f] = [f for f in loaded.findings if f.code == "CB002"]
    assert f.location.line == line, f
    it, en = render(f.message, "it"), render(f.message, "en")
    assert it.startswith("YAML non valido: "), it
    assert it != en
    if italian:
        assert italian in it


def test_every_parser_problem_has_its_own_italian():
    cat = catalog("it")
    assert cat is not None
    for words in _PARSER_WORDS:
        assert cat.get(words), words
        assert cat.get(words) != words
    for _, template in _PARSER_PATTERNS:
        assert cat.get(template) and cat.get(template) != template, template


def test_the_pure_python_parsers_words_carry_what_it_found():
    it = render(_parser_words("found character '@' that cannot start any token"), "it")
    assert it.startswith("trovato il carattere '@'")
    assert render(_parser_words("expected ',' or '}', but got 'x'"), "it") == "attesa ',' o '}', trovato 'x'"
    assert _parser_words("some words libyaml never wrote") == "some words libyaml never wrote"

"""Click's own usage errors (issue 9): one line in the run's language, exit 2."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLE

CASES = [
    (
        ("validate", "--bogus", EXAMPLE),
        "no such option: --bogus (see 'clustbudget validate --help')",
        "opzione inesistente: --bogus (vedi 'clustbudget validate --help')",
    ),
    (
        ("validate", "--stric", EXAMPLE),
        "no such option: --stric (did you mean --strict?) (see 'clustbudget validate --help')",
        "opzione inesistente: --stric (forse intendevi --strict?) (vedi 'clustbudget validate --help')",
    ),
    (
        ("variation", EXAMPLE),
        "missing argument 'NEW' (see 'clustbudget variation --help')",
        "manca l'argomento 'NUOVO' (vedi 'clustbudget variation --help')",
    ),
    (
        ("import-expenses", "x.csv"),
        "missing option '--into' (see 'clustbudget import-expenses --help')",
        "manca l'opzione '--into' (vedi 'clustbudget import-expenses --help')",
    ),
    (
        ("validate", "-f", "xml", EXAMPLE),
        "invalid value for '--output-format' / '-f': 'xml' is not one of 'text', 'json', 'github', 'junit' "
        "(see 'clustbudget validate --help')",
        "valore non valido per '--output-format' / '-f': 'xml' non è tra i valori ammessi: 'text', 'json', "
        "'github', 'junit' (vedi 'clustbudget validate --help')",
    ),
    (
        ("variation", EXAMPLE, EXAMPLE, "c", "d"),
        "unexpected extra arguments: c d (see 'clustbudget variation --help')",
        "argomenti in più non previsti: c d (vedi 'clustbudget variation --help')",
    ),
    (
        ("show", EXAMPLE, "x"),
        "unexpected extra argument: x (see 'clustbudget show --help')",
        "argomento in più non previsto: x (vedi 'clustbudget show --help')",
    ),
    (
        ("frobnicate",),
        "no such command 'frobnicate' (see 'clustbudget --help')",
        "comando inesistente: 'frobnicate' (vedi 'clustbudget --help')",
    ),
    # click's parser raises these two without a context: the hint is there all the same
    (
        ("validate", "--select"),
        "option '--select' needs a value (see 'clustbudget validate --help')",
        "l'opzione '--select' richiede un valore (vedi 'clustbudget validate --help')",
    ),
    (
        ("validate", "--strict=yes", EXAMPLE),
        "option '--strict' takes no value (see 'clustbudget validate --help')",
        "l'opzione '--strict' non accetta un valore (vedi 'clustbudget validate --help')",
    ),
    # a command's own check of an option's value ends the same way
    (
        ("new-period", EXAMPLE, "--id", "SAL-9", "--end", "2024-13-01"),
        "--end '2024-13-01': write the date as YYYY-MM-DD (see 'clustbudget new-period --help')",
        "--end '2024-13-01': scrivi la data come AAAA-MM-GG (vedi 'clustbudget new-period --help')",
    ),
]


@pytest.mark.parametrize(
    ("args", "english", "italian"), CASES, ids=[" ".join(map(str, c[0][:2])) for c in CASES]
)
def test_a_usage_error_is_one_line_in_the_language_exit_2(cli, args, english, italian):
    en = cli(*args)
    assert en.returncode == 2, en.stderr
    assert en.stderr.splitlines() == [f"clustbudget: {english}"]
    assert en.stdout == ""
    for how in (("--lang", "it"), ()):
        env = {} if how else {"CLUSTBUDGET_LANG": "it"}
        it = cli(*how, *args, env=env) if how else cli(*args, env=env)
        assert it.returncode == 2, it.stderr
        assert it.stderr.splitlines() == [f"clustbudget: {italian}"]


def test_the_locale_chooses_the_language_of_a_usage_error(cli):
    r = cli("validate", "--bogus", EXAMPLE, env={"LANG": "it_IT.UTF-8"})
    assert r.returncode == 2
    assert r.stderr == "clustbudget: opzione inesistente: --bogus (vedi 'clustbudget validate --help')\n"


def test_help_still_prints_the_help(cli):
    r = cli("validate", "--help", env={"CLUSTBUDGET_LANG": "it"})
    assert r.returncode == 0
    assert r.stdout.startswith("\n Uso:") or "Uso:" in r.stdout.splitlines()[0] or "Uso:" in r.stdout

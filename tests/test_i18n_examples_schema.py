"""The rules' failing examples and the JSON Schema in Italian (issue 9)."""

from __future__ import annotations

import json

import pytest
import yaml

from clustbudget.rules import all_rules
from clustbudget.rules.examples import example_files


def shape(text: str) -> object:
    """The data a YAML text holds, or where it stops being YAML (a failing example may)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return (type(exc).__name__, mark.line if mark else None)


CODES = [code for code in sorted(all_rules()) if example_files(code)]


def test_rules_code_lang_it_shows_the_examples_comments_in_italian(cli):
    r = cli("rules", "CB304", "--lang", "it")
    assert r.returncode == 0, r.stderr
    assert "# CB304: la fattura già rendicontata nel SAL-1" in r.stdout
    assert "the invoice already claimed" not in r.stdout
    en = cli("rules", "CB304")
    assert "# CB304: the invoice already claimed in SAL-1" in en.stdout


@pytest.mark.parametrize("code", CODES)
def test_an_italian_example_is_the_same_yaml_with_italian_comments(code):
    english = dict(example_files(code))
    italian = dict(example_files(code, "it"))
    assert english.keys() == italian.keys()
    for name, text in english.items():
        if name.endswith((".yaml", ".yml")):
            assert shape(italian[name]) == shape(text), name
            english_comments = [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]
            italian_comments = [
                line.split("#", 1)[1].strip() for line in italian[name].splitlines() if "#" in line
            ]
            shared = set(english_comments) & set(italian_comments)
            # what stays the same is a code, a figure or a name, never an English sentence
            assert all(len(c.split()) <= 6 for c in shared), (name, shared)
        elif name.endswith("README.txt"):
            assert italian[name] != text
        else:  # an attachment (an invoice's text): the user's document, as it is
            assert italian[name] == text


def test_rules_json_carries_the_italian_example():
    from clustbudget.output.rules import rules_json

    data = rules_json([all_rules()["CB210"]], "it")
    [rule] = data["rules"]
    assert any("CB210: non tracciabile" in f["text"] for f in rule["example"])


def test_schema_descriptions_in_italian_only_when_asked(cli):
    it = json.loads(cli("schema", "report", "--lang", "it").stdout)
    assert it["title"] == "rendiconto clustbudget"
    assert (
        it["description"]
        == "Quanto è stato speso in un periodo di rendicontazione (`budget` al primo livello)."
    )
    assert it["$defs"]["Expense"]["properties"]["amount"]["description"] == (
        "Imponibile imputato su questa riga, IVA esclusa"
    )
    # the titles too (an editor shows them beside the field): pydantic's English made Italian
    assert it["$defs"]["Expense"]["title"] == "Spesa"
    assert it["$defs"]["Expense"]["properties"]["supplier_vat"]["title"] == "Partita IVA del fornitore"
    assert it["properties"]["staff"]["title"] == "Personale"
    # the field names, the contract, stay as they are
    assert (
        it["$defs"]["Expense"]["properties"].keys()
        == json.loads(cli("schema", "report").stdout)["$defs"]["Expense"]["properties"].keys()
    )
    # the environment does not change the file editors read: English unless --lang it
    for env in ({"CLUSTBUDGET_LANG": "it"}, {"LANG": "it_IT.UTF-8"}):
        en = json.loads(cli("schema", "report", env=env).stdout)
        assert en["description"] == "What was spent in one reporting period (`budget` at the top)."
        assert en["title"] == "clustbudget cost report"
        assert en["$defs"]["Expense"]["properties"]["supplier_vat"]["title"] == "Supplier Vat"


def test_every_schema_description_has_its_italian():
    from clustbudget.i18n import catalog
    from clustbudget.schema import descriptions

    cat = catalog("it")
    assert cat is not None
    missing = [d for d in descriptions() if not cat.get(d)]
    assert missing == []
    titles = list(descriptions("title"))
    assert "Supplier Vat" in titles and "Expense" in titles
    assert [t for t in titles if not cat.get(t, "schema")] == []

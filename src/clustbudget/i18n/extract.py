"""Every translatable text of the package, found in its source: the catalogue's template.

What is extracted (string literals only, so the catalogue can be checked without running
anything): the first arguments of ``msg``, ``nmsg`` (singular and plural), ``Message``,
``N_``, ``gettext``, ``ngettext``, ``pgettext`` (with its context), ``help=`` texts of typer
options and arguments and their ``metavar=`` placeholders (context ``metavar``), the docstrings of typer commands, and for each rule (``@rule(...)``)
its summary, its citation and its docstring; the workbook labels (``ENGLISH``, ``REPORT_ENGLISH``
in ``xlsx/labels.py``, context ``workbook``); (the explanation ``rules CODE`` prints); the same
for the CB0xx rules documented with ``_doc(code, name, severity, summary, citation, text)``;
the descriptions of the JSON Schema (:func:`schema_entries`).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

from ..records import dataclass

PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Entry:
    msgid: str
    plural: str | None = None
    context: str = ""
    where: str = ""


def _text(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "a " "b" split with +
        left, right = _text(node.left), _text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _texts(node: ast.AST) -> Iterator[str]:
    """Every string of a literal: a string, or the items of a tuple or the values of a dict."""
    text = _text(node)
    if text is not None:
        if any(c.isalpha() for c in text):
            yield text
    elif isinstance(node, ast.Tuple | ast.List):
        for elt in node.elts:
            yield from _texts(elt)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _texts(value)


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


_COMMAND_DECORATORS = {"command", "callback"}


def entries_of(source: str, where: str) -> Iterator[Entry]:
    """The translatable texts of one module's source."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            args = node.args
            at = f"{where}:{node.lineno}"
            if name in ("msg", "Message", "N_", "gettext") and args:
                text = _text(args[0])
                if text:
                    yield Entry(text, where=at)
            elif name in ("nmsg", "ngettext") and len(args) >= 2:
                one, many = _text(args[0]), _text(args[1])
                if one and many:
                    yield Entry(one, many, where=at)
            elif name == "pgettext" and len(args) >= 2:
                ctx, text = _text(args[0]), _text(args[1])
                if ctx is not None and text:
                    yield Entry(text, context=ctx, where=at)
            elif name == "_doc" and len(args) >= 6:  # rules/reading.py: a rule registered with its docs
                for arg in args[3:5]:
                    text = _text(arg)
                    if text:
                        yield Entry(text, where=at)
                doc_text = _text(args[5])
                if doc_text:
                    yield Entry(inspect.cleandoc(doc_text), where=at)
            elif name in ("Labels", "ReportLabels", "VariationLabels") and any(
                kw.arg == "lang" and _text(kw.value) == "en" for kw in node.keywords
            ):  # xlsx/labels.py: the English workbook labels are the msgids of context "workbook"
                for kw in node.keywords:
                    if kw.arg != "lang":
                        for text in _texts(kw.value):
                            yield Entry(text, context="workbook", where=f"{where}:{kw.value.lineno}")
            elif name in ("Option", "Argument"):
                for kw in node.keywords:
                    if kw.arg == "help":
                        text = _text(kw.value)
                        if text:
                            yield Entry(text, where=at)
                    elif kw.arg == "metavar":  # the value's placeholder in --help (REPORT, YYYY-MM)
                        text = _text(kw.value)
                        if text and any(c.isalpha() for c in text):
                            yield Entry(text, context="metavar", where=at)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=True)
            for dec in node.decorator_list:
                call = dec if isinstance(dec, ast.Call) else None
                dec_name = _name(call.func if call else dec)
                at = f"{where}:{node.lineno}"
                if dec_name == "rule" and call is not None and len(call.args) >= 5:
                    for arg in (call.args[3], call.args[4]):
                        text = _text(arg)
                        if text:
                            yield Entry(text, where=at)
                    if doc:
                        yield Entry(inspect.cleandoc(doc), where=at)
                elif dec_name in _COMMAND_DECORATORS and doc:
                    yield Entry(doc, where=at)


def entries(package: Path = PACKAGE) -> list[Entry]:
    """Every translatable text of the package, first occurrence first, each once."""
    seen: dict[tuple[str, str], Entry] = {}
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).as_posix()
        for e in entries_of(path.read_text(encoding="utf-8"), rel):
            seen.setdefault((e.context, e.msgid), e)
    if package == PACKAGE:
        for e in schema_entries():
            seen.setdefault((e.context, e.msgid), e)
        from ..rules.examples import comment_texts

        for text, where in comment_texts():  # the failing examples' comments (rules CODE)
            seen.setdefault(("", text), Entry(text, where=where))
    return list(seen.values())


def schema_entries() -> Iterator[Entry]:
    """The JSON Schema's descriptions and titles (``clustbudget schema --lang``): they come from the
    models' field docs and docstrings as pydantic writes them, so they are read from the schema
    (the one place the extractor imports the package)."""
    from ..schema import TITLE_CONTEXT, descriptions

    for text in descriptions():
        yield Entry(text, where="clustbudget/schema.py:descriptions")
    for text in descriptions("title"):
        yield Entry(text, context=TITLE_CONTEXT, where="clustbudget/schema.py:titles")


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = body.split("\n")
    if len(lines) == 1:
        return f'"{body}"'
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{p}"' for p in parts)


def po_entry(e: Entry, translation: tuple[str, ...] = ()) -> str:
    """One entry in ``.po`` syntax (``translation`` empty: an untranslated template entry)."""
    out = [f"#: {e.where}"] if e.where else []
    if e.context:
        out.append(f"msgctxt {_quote(e.context)}")
    out.append(f"msgid {_quote(e.msgid)}")
    if e.plural is not None:
        out.append(f"msgid_plural {_quote(e.plural)}")
        forms = translation or ("", "")
        out += [f"msgstr[{i}] {_quote(t)}" for i, t in enumerate(forms)]
    else:
        out.append(f"msgstr {_quote(translation[0] if translation else '')}")
    return "\n".join(out) + "\n"


HEADER = """\
msgid ""
msgstr ""
"Project-Id-Version: clustbudget\\n"
"Language: {lang}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"""

"""Load: YAML files → typed models, every problem a :class:`Finding` with file, line and column.

:func:`load_file` reads one file, tells its kind from its top-level keys (FORMAT.md §0) and
validates it against its model; pydantic's error locations are mapped back to the YAML nodes
they came from. :class:`PackResolver` finds the call pack a budget names, built-in or a file.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from dataclasses import field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from .findings import Finding, Location, Severity
from .i18n import N_, Message, msg
from .models import Budget, CallPack
from .records import dataclass
from .rules import finding
from .types import describe
from .yamlsource import Document, ReadError, read_document

Kind = Literal["budget", "report", "pack", "indicators"]
KINDS: tuple[Kind, ...] = ("budget", "report", "pack", "indicators")


def model_of(kind: str) -> type[BaseModel]:
    """The model of a kind of file (the indicators' module loads only for an indicators file)."""
    if kind == "indicators":
        from .indicators import IndicatorsFile

        return IndicatorsFile
    if kind == "report":  # made on first use (models.py)
        from .models import CostReport

        return CostReport
    models: dict[str, type[BaseModel]] = {"budget": Budget, "pack": CallPack}
    return models[kind]


PACKS_DIR = Path(__file__).parent / "packs"


@dataclass
class Loaded:
    """One file after loading: its document, kind and model (``None`` where it failed)."""

    path: Path
    display: str
    doc: Document | None = None
    kind: Kind | None = None
    model: Any = None
    findings: list[Finding] = field(default_factory=list)

    def at(self, loc: tuple[Any, ...], *, key: bool = False) -> Location:
        """The location of a path into this file's data (the file itself when unknown)."""
        if self.doc is None:
            return Location(self.display)
        line, col = self.doc.position(loc, key=key)
        return Location(self.display, line, col)


def detect_kind(data: Any) -> Kind | None:
    """A file's kind from its top-level keys: `costs` budget, `budget` report, `items` pack,
    `indicators` a project's indicators."""
    if not isinstance(data, dict):
        return None
    if "costs" in data:
        return "budget"
    if "budget" in data:
        return "report"
    if "items" in data:
        return "pack"
    if "indicators" in data:
        return "indicators"
    return None


def read(path: Path, display: str | None = None) -> Loaded:
    """Read and compose a file, without validating it (findings only for unreadable files)."""
    display = display or str(path)
    loaded = Loaded(path, display)
    try:
        loaded.doc = read_document(path, display)
    except ReadError as exc:
        where = Location(display, exc.line or 1, exc.col or 1)
        loaded.findings.append(finding(exc.code, exc.message, where, fatal=True))
        return loaded
    loaded.findings.extend(problem_findings(loaded.doc, display))
    loaded.kind = detect_kind(loaded.doc.data)
    return loaded


def problem_findings(doc: Document, display: str) -> list[Finding]:
    """The findings of what reading a document noticed without failing (duplicate keys…)."""
    return [finding(p.code, p.message, Location(display, p.line, p.col)) for p in doc.problems]


def load_file(path: Path, display: str | None = None, expect: Kind | None = None) -> Loaded:
    """Read a file and validate it as its kind (or as ``expect``)."""
    loaded = read(path, display)
    if loaded.doc is None:
        return loaded
    if expect is not None and loaded.kind != expect:
        where = Location(loaded.display, 1, 1)
        loaded.findings.append(finding("CB015", _not_a(expect, loaded.kind), where))
        return loaded
    if loaded.kind is None:
        loaded.findings.append(unknown_kind(loaded))
        return loaded
    validate(loaded)
    return loaded


KIND_KEYS = {"costs": "budget", "budget": "cost report", "items": "call pack", "indicators": "indicators"}
_KIND_OF_KEY: dict[str, Kind] = {
    "costs": "budget",
    "budget": "report",
    "items": "pack",
    "indicators": "indicators",
}
_KIND_NAMES = {
    "budget": msg("a budget"),
    "report": msg("a cost report"),
    "pack": msg("a call pack"),
    "indicators": msg("a project's indicators"),
    None: msg("none"),
}
_OURS = re.compile(r"(?m)^(clustbudget|costs|budget|items|indicators)\s*:")


def kind_hint(data: Any) -> tuple[str, str | None] | None:
    """Why a mapping that is none of the three kinds still looks like one of ours, or None:
    a top-level key close to a kind's key (``cost``, ``Costs``, ``bugdet``), or a
    ``clustbudget:`` format version."""
    if not isinstance(data, dict):
        return None
    import difflib  # only for files that are not ours, or broken

    for key in data:
        if key == "clustbudget":
            continue
        match = difflib.get_close_matches(str(key).lower(), list(KIND_KEYS), n=1, cutoff=0.7)
        if match:
            kind = _KIND_NAMES[_KIND_OF_KEY[match[0]]]
            return msg(
                "did you mean {match!r} ({kind}) instead of {key!r}?", match=match[0], kind=kind, key=key
            ), key
    if "clustbudget" in data:
        return (
            msg(
                "it has 'clustbudget:' but no 'costs' (budget), 'budget' (cost report) or 'items' (call pack)"
            ),
            None,
        )
    return None


def looks_like_ours(path: Path) -> bool:
    """Whether a file that could not be read as YAML names one of our top-level keys."""
    try:
        head = path.read_bytes()[: 1 << 20].decode("utf-8", errors="replace")
    except OSError:
        return False
    return bool(_OURS.search(head))


def unknown_kind(loaded: Loaded) -> Finding:
    """CB015: a file that is none of the three kinds, named on the command line or looking
    like one of ours (see :func:`kind_hint`), at the key that was probably misspelt."""
    hint = kind_hint(loaded.doc.data if loaded.doc else None)
    if hint is None:
        message: str = msg("a budget has 'costs', a cost report 'budget', a call pack 'items' at the top")
        where = Location(loaded.display, 1, 1)
    else:
        message, key = hint
        where = loaded.at((key,), key=True) if key is not None else Location(loaded.display, 1, 1)
    return finding("CB015", msg("not a clustbudget file: {why}", why=message), where)


LONG_LIST = 1_000
"""A list longer than this (expenses, staff, cost lines) is validated in pieces of this many
entries, so that a file of a million bad entries never holds a million errors at once."""

MAX_SCHEMA_ERRORS = 1_000
"""Schema errors listed for one file; past them, one more line says the rest was not checked
(memory stays bounded by this, not by the number of bad entries)."""


def validate(loaded: Loaded) -> None:
    """Validate a read document against its kind's model, adding findings for each error.

    Long lists are validated :data:`LONG_LIST` entries at a time, and validation stops at
    :data:`MAX_SCHEMA_ERRORS` errors (:func:`_validate_bounded`).
    """
    assert loaded.doc is not None and loaded.kind is not None
    model_cls = model_of(loaded.kind)
    model, errors, complete = _validate_bounded(model_cls, loaded.doc.data)
    if errors:
        loaded.findings.extend(_findings_of(loaded, errors[:MAX_SCHEMA_ERRORS], model_cls))
        if not complete or len(errors) > MAX_SCHEMA_ERRORS:
            first_unlisted = errors[MAX_SCHEMA_ERRORS] if len(errors) > MAX_SCHEMA_ERRORS else errors[-1]
            loaded.findings.append(_too_many_errors(loaded, first_unlisted))
        loaded.findings.append(_rules_not_run(loaded))
        loaded.findings.sort(key=lambda f: f.sort_key)
        return
    assert model is not None
    if not any(f.severity is Severity.ERROR for f in loaded.findings):
        loaded.model = model
        if isinstance(model, CallPack) and model.parameters.max_shift_between_items is not None:
            loaded.findings.append(deprecated_shift(loaded, model))
    else:  # a duplicate or complex key (CB010, CB014): read, but not trusted
        loaded.findings.append(_rules_not_run(loaded))


def _validate_bounded(model_cls: type[BaseModel], data: Any) -> tuple[BaseModel | None, list[Any], bool]:
    """Validate ``data``: ``(model, [], True)``, or ``(None, errors, complete)``.

    The document is validated with its long lists (:func:`_long_lists`) left empty, then each
    long list :data:`LONG_LIST` entries at a time with an adapter of its entries' model, its
    errors' locations moved to where the entries are; past :data:`MAX_SCHEMA_ERRORS` errors the
    rest is not validated (``complete`` False). A valid document's model is the one validated
    without the lists, with the validated lists put in place (no entry is validated twice;
    the models' own checks never compare two entries of a list).
    """
    long: list[tuple[tuple[Any, ...], Any, list[Any]]] = []
    _long_lists(model_cls, data, (), long)
    if not long:
        try:
            return model_cls.model_validate(data), [], True
        except ValidationError as exc:
            return None, exc.errors(include_url=False), True
    trimmed = data
    for loc, _, _ in long:
        trimmed = _with(trimmed, loc, [])
    errors: list[Any] = []
    model: BaseModel | None = None
    try:
        model = model_cls.model_validate(trimmed)
    except ValidationError as exc:
        errors.extend(exc.errors(include_url=False))
    values: list[tuple[tuple[Any, ...], list[Any]]] = []
    for loc, item, entries in long:
        adapter = _list_adapter(item)
        done: list[Any] = []
        shared: dict[frozenset[str], set[str]] = {}
        for start in range(0, len(entries), LONG_LIST):
            if len(errors) > MAX_SCHEMA_ERRORS:
                return None, errors, False
            try:
                done.extend(
                    _share_fields_sets(adapter.validate_python(entries[start : start + LONG_LIST]), shared)
                )
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    where = tuple(err["loc"])
                    first = where[0] + start if where and isinstance(where[0], int) else None
                    err["loc"] = (*loc, first, *where[1:]) if first is not None else (*loc, *where)
                    errors.append(err)
        values.append((loc, done))
    if errors or model is None:
        return None, errors, True
    for loc, done in values:
        model = _put(model, loc, done)
    return model, [], True


def _share_fields_sets(models: list[Any], shared: dict[frozenset[str], set[str]]) -> list[Any]:
    """``models``, the frozen ones among them given one ``__pydantic_fields_set__`` per set of
    names written (``shared``) instead of a set each: 0.7 KiB less per expense of a report.

    Safe because nothing changes such a set in place: a frozen model refuses assignment, and
    pydantic's copies (``model_copy``) copy the set before adding to it.
    """
    setattr_ = object.__setattr__
    for m in models:
        if isinstance(m, BaseModel) and m.model_config.get("frozen"):
            names = m.__pydantic_fields_set__
            one = shared.setdefault(frozenset(names), names)
            if one is not names:
                setattr_(m, "__pydantic_fields_set__", one)
    return models


@functools.cache
def _list_adapter(item: Any) -> Any:
    """A validator of a list of ``item`` (built once per entry type: building one takes longer
    than validating a thousand entries)."""
    from pydantic import TypeAdapter

    return TypeAdapter(list[item])


def _long_lists(
    tp: Any, value: Any, loc: tuple[Any, ...], out: list[tuple[tuple[Any, ...], Any, list[Any]]]
) -> None:
    """The lists longer than :data:`LONG_LIST` in ``value`` (typed ``tp``): where, entry type,
    entries. Entries of a short list are not entered: they are validated with the document."""
    kind, arg = _shape_of(tp)
    if kind == "model":
        if isinstance(value, dict):
            for name, annotation in arg:
                if name not in value:
                    continue
                inner = value[name]
                if type(inner) is list and len(inner) <= LONG_LIST:
                    continue  # a short list (or a list where none belongs): nothing to look for
                _long_lists(annotation, inner, (*loc, name), out)
    elif kind == "list":
        if isinstance(value, list) and len(value) > LONG_LIST:
            out.append((loc, arg, value))
    elif kind == "dict" and isinstance(value, dict) and len(value) <= LONG_LIST:
        for key, inner in value.items():
            _long_lists(arg, inner, (*loc, key), out)


def _shape_of(tp: Any) -> tuple[str, Any]:
    """What :func:`_long_lists` looks for in a value of type ``tp`` (worked out once per type)."""
    known = _SHAPES.get(id(tp))
    if known is not None and known[0] is tp:
        return known[1]
    shape = _shape(tp)
    if len(_SHAPES) >= 4096:
        _SHAPES.clear()
    _SHAPES[id(tp)] = (tp, shape)
    return shape


_SHAPES: dict[int, tuple[Any, tuple[str, Any]]] = {}
""":func:`_shape` by the annotation's ``id`` (the annotation kept with it, so that the id stays
its own): hashing a ``typing`` annotation, as ``functools.cache`` would, costs more than the
look-up (and some cannot be hashed), and a run asks about a handful of annotations for every
file."""


def _shape(tp: Any) -> tuple[str, Any]:
    """``("model", its fields and their annotations)``, ``("list", the entry type)``,
    ``("dict", the value type)``, or ``("leaf", None)``: a type with no lists in it."""
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        fields = tp.model_fields.items()
        return "model", tuple((n, f.annotation) for n, f in fields if _holds_lists(f.annotation, {tp}))
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        return "list", args[0]
    if origin is dict:
        return "dict", args[1]
    return "leaf", None


def _holds_lists(tp: Any, seen: set[Any]) -> bool:
    """Whether a value of type ``tp`` can hold a list (a model met again: assumed it can)."""
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp in seen or any(_holds_lists(f.annotation, seen | {tp}) for f in tp.model_fields.values())
    origin = typing.get_origin(tp)
    if origin is list:
        return True
    return origin is dict and _holds_lists(typing.get_args(tp)[1], seen)


def _with(data: Any, loc: tuple[Any, ...], value: Any) -> Any:
    """``data`` with ``value`` at ``loc`` (copies of the mappings on the way; ``data`` unchanged)."""
    if not loc:
        return value
    copy = dict(data)
    copy[loc[0]] = _with(data[loc[0]], loc[1:], value)
    return copy


def _put(model: Any, loc: tuple[Any, ...], value: Any) -> Any:
    """``model`` (or a mapping of models) with ``value`` at ``loc``, without validating again."""
    if not loc:
        return value
    if isinstance(model, BaseModel):
        return model.model_copy(update={loc[0]: _put(getattr(model, str(loc[0])), loc[1:], value)})
    copy = dict(model)
    copy[loc[0]] = _put(model[loc[0]], loc[1:], value)
    return copy


def _too_many_errors(loaded: Loaded, last: Any) -> Finding:
    return finding(
        "CB013",
        msg(
            "more errors past these {n:number}: the rest of the file was not checked; fix these first",
            n=MAX_SCHEMA_ERRORS,
        ),
        loaded.at(tuple(last["loc"])),
    )


def deprecated_shift(loaded: Loaded, pack: CallPack) -> Finding:
    """CB409 on a pack that still sets ``parameters.max_shift_between_items`` (read as
    ``variations.share``), at that key."""
    return finding(
        "CB409",
        msg(
            "parameters.max_shift_between_items is deprecated: it is read as variations.share "
            "({share:rate} of the item's approved amount); move it to the pack's variations: section",
            share=pack.variations.share,
        ),
        loaded.at(("parameters", "max_shift_between_items"), key=True),
    )


def _rules_not_run(loaded: Loaded) -> Finding:
    text = {
        "budget": msg("the budget rules (CB1xx) were not checked: fix the errors in this file first"),
        "report": msg("the report rules (CB2xx, CB3xx) were not checked: fix the errors in this file first"),
        "pack": msg("the budgets that use this pack were not checked: fix the errors in this file first"),
        "indicators": msg("the indicator rules (CB5xx) were not checked: fix the errors in this file first"),
    }[loaded.kind or "budget"]
    return finding("CB017", text, Location(loaded.display, 1, 1))


def _not_a(expect: str, kind: str | None) -> Message:
    return msg(
        "expected {expected}, but this file is {actual} (by its top-level keys)",
        expected=_KIND_NAMES[expect],
        actual=_KIND_NAMES[kind],
    )


# ------------------------------------------------------------ pydantic errors → findings

_TYPE_WORDS = {
    "string_type": N_("expected text, got {shown}"),
    "list_type": N_("expected a list, got {shown}"),
    "tuple_type": N_("expected a list, got {shown}"),
    "dict_type": N_("expected a mapping (key: value), got {shown}"),
    "model_type": N_("expected a mapping (key: value), got {shown}"),
    "model_attributes_type": N_("expected a mapping (key: value), got {shown}"),
    "bool_type": N_("expected true or false, got {shown}"),
    "bool_parsing": N_("expected true or false, got {shown}"),
    "int_type": N_("expected a whole number, got {shown}"),
    "int_parsing": N_("expected a whole number, got {shown}"),
}


def value_reason(err: Any) -> str:
    """Why pydantic refused a value, in words of the catalogue (a :class:`Message`): the
    Message of :mod:`.types`, or the expected type; pydantic's own English only for a type
    clustbudget does not use."""
    kind = err["type"]
    if kind == "cb_value":  # the Message of clustbudget.types, in the error's context
        return err.get("ctx", {}).get("message") or str(err["msg"])
    if kind == "literal_error":
        return msg(
            "expected one of {expected}, got {shown}",
            expected=err.get("ctx", {}).get("expected", ""),
            shown=describe(err.get("input")),
        )
    if kind in _TYPE_WORDS:
        return Message(_TYPE_WORDS[kind], {"shown": describe(err.get("input"))})
    return str(err["msg"])


MAX_SUGGESTIONS = 1_000
"""Unknown keys of one file that get a "did you mean" (difflib is slow: past this many, a
file of 100,000 unknown keys would take minutes; the rest list the allowed keys)."""


def _findings_of(loaded: Loaded, errors: list[Any], model_cls: type[BaseModel]) -> list[Finding]:
    out: list[Finding] = []
    fields: dict[tuple[Any, ...], list[str]] = {}  # allowed keys, per place in the model
    suggested = 0
    for err in errors:
        text: str
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            key = loc[-1]
            place = tuple(0 if isinstance(part, int) else part for part in loc[:-1])
            allowed = fields.get(place)
            if allowed is None:
                allowed = fields[place] = _fields_at(model_cls, place)
            hint = _did_you_mean(str(key), allowed) if suggested < MAX_SUGGESTIONS else None
            suggested += 1
            if hint:
                text = msg(
                    "unknown key {key!r} {where} (did you mean {hint!r}?)",
                    key=key,
                    where=_where(loc[:-1]),
                    hint=hint,
                )
            elif allowed:
                text = msg(
                    "unknown key {key!r} {where}: allowed keys are {allowed}",
                    key=key,
                    where=_where(loc[:-1]),
                    allowed=", ".join(allowed),
                )
            else:
                text = msg("unknown key {key!r} {where}", key=key, where=_where(loc[:-1]))
            out.append(finding("CB011", text, loaded.at(loc, key=True)))
        elif kind == "missing":
            text = msg("missing key {key!r} {where}", key=loc[-1], where=_where(loc[:-1]))
            where = loaded.at(loc[:-1], key=True) if len(loc) > 1 else Location(loaded.display, 1, 1)
            out.append(finding("CB012", text, where))
        else:
            is_key = bool(loc) and loc[-1] == "[key]"
            if is_key:
                loc = loc[:-1]
            text = value_reason(err)
            field_name = _field_name(loc)
            if field_name and not is_key:
                text = msg("{field}: {message}", field=field_name, message=text)
            out.append(finding("CB013", text, loaded.at(loc, key=is_key)))
    return out


def _field_name(loc: tuple[Any, ...]) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return ""


def _where(loc: tuple[Any, ...]) -> Message:
    parts = [str(p) if isinstance(p, str) else f"[{p}]" for p in loc]
    return msg("in {path}", path=".".join(parts).replace(".[", "[")) if parts else msg("at the top")


def _did_you_mean(key: str, allowed: list[str]) -> str | None:
    import difflib  # only on the error path

    matches = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {a.lower(): a for a in allowed}
    return lowered.get(key.lower())


def _fields_at(model_cls: Any, loc: tuple[Any, ...]) -> list[str]:
    """Names of the keys allowed at ``loc`` inside ``model_cls`` (for "did you mean")."""
    target: Any = model_cls
    for part in loc:
        target = _step(target, part)
        if target is None:
            return []
    target = _unwrap(target)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return tp


def _step(tp: Any, part: Any) -> Any:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        info = tp.model_fields.get(str(part))
        return None if info is None else info.annotation
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict:
        return args[1]
    return None


# ------------------------------------------------------------ call packs


@dataclass
class PackResolver:
    """Finds and loads call packs, each once per run (built-in ids or paths to files)."""

    cache: dict[Path, Loaded] = field(default_factory=dict)
    builtins: dict[str, bool] = field(default_factory=dict)
    """Whether a built-in pack of each id asked for exists (asked once per run, not per budget)."""
    keys: dict[Path, Path] = field(default_factory=dict)
    """Each pack path asked for, resolved (once)."""
    builtin_paths: dict[str, Path] = field(default_factory=dict)
    """The path a built-in pack of each id asked for would have (made once per id)."""

    @staticmethod
    def builtin_ids() -> list[str]:
        return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))

    def locate(self, call: str, relative_to: Path) -> Path | None:
        """The pack file a budget's ``call:`` names, or ``None`` when there is none."""
        try:
            if "/" not in call and "\\" not in call:
                builtin = self.builtin_paths.get(call)
                if builtin is None:
                    builtin = self.builtin_paths[call] = PACKS_DIR / f"{call}.yaml"
                known = self.builtins.get(call)
                if known is None:
                    known = self.builtins[call] = builtin.is_file()
                if known:
                    return builtin
            candidate = (relative_to.parent / call).resolve()
            return candidate if candidate.is_file() else None
        except (
            OSError,
            RuntimeError,
            ValueError,
        ):  # a name no file can have (a NUL byte, too long, a symlink loop…)
            return None

    def load(self, path: Path, display: str | None = None) -> Loaded:
        key = self.keys.get(path)
        if key is None:
            key = self.keys[path] = path.resolve()
        if key not in self.cache:
            if display is None:
                display = (
                    msg("<built-in pack {id}>", id=path.stem) if path.parent == PACKS_DIR else _relative(path)
                )
            self.cache[key] = load_file(path, display, expect="pack")
        return self.cache[key]


def _relative(path: Path) -> str:
    """``path`` relative to the working folder when it is below it (as users name files)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)

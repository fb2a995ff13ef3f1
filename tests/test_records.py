"""records.dataclass behaves as dataclasses.dataclass: the same methods, made without compiling."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import field
from decimal import Decimal
from typing import Any

import pytest

from clustbudget import records


def twins(options: dict[str, Any], body: dict[str, Any], annotations: dict[str, Any]) -> tuple[type, type]:
    """The same class made by each decorator."""

    def make(decorate: Any) -> type:
        namespace = dict(body, __annotations__=dict(annotations), __module__=__name__, __qualname__="Thing")
        return decorate(**options)(type("Thing", (), namespace))

    return make(dataclasses.dataclass), make(records.dataclass)


SHAPES = [
    {},
    {"frozen": True},
    {"frozen": True, "slots": True},
    {"slots": True},
    {"eq": False},
    {"frozen": True, "eq": False},
    {"repr": False},
    {"order": True},
    {"unsafe_hash": True},
]
FIELDS = {"a": int, "b": str, "c": list, "d": Decimal}


def body() -> dict[str, Any]:
    return {
        "b": "x",
        "c": field(default_factory=list, compare=False),
        "d": field(default=Decimal(0), repr=False),
    }


def values(cls: type) -> list[Any]:
    return [cls(1), cls(1, "x", [2]), cls(2, "y"), cls(1, "x", [], Decimal("0.00")), cls(1, d=Decimal(3))]


@pytest.mark.parametrize("options", SHAPES, ids=str)
def test_the_methods_answer_as_the_standard_ones(options):
    std, ours = twins(options, body(), FIELDS)
    assert dataclasses.is_dataclass(ours)
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(std)]
    pairs = list(zip(values(std), values(ours), strict=True))
    for s, o in pairs:
        if options.get("repr", True):
            assert repr(o) == repr(s)
            assert str(o) == str(s)
        else:  # object's: the class and the address
            assert repr(o).split(" at ")[0] == repr(s).split(" at ")[0]
        assert dataclasses.asdict(o) == dataclasses.asdict(s)
        assert (std.__hash__ is None) == (ours.__hash__ is None)
        hashed = options.get("eq", True) and (options.get("frozen") or options.get("unsafe_hash"))
        if hashed:
            assert hash(o) == hash(s)  # the same tuple hashed: the same set and dict order
        assert (o == 1) == (s == 1)
    for s1, o1 in pairs:
        for s2, o2 in pairs:
            assert (o1 == o2) == (s1 == s2)
            assert (o1 != o2) == (s1 != s2)
    params = ("init", "repr", "eq", "order", "unsafe_hash", "frozen")
    assert [getattr(ours.__dataclass_params__, p) for p in params] == [  # type: ignore[attr-defined]
        getattr(std.__dataclass_params__, p)  # type: ignore[attr-defined]
        for p in params
    ]
    if options.get("frozen"):
        s, o = pairs[0]
        for name in ("a", "other"):
            for change in (lambda t, n=name: setattr(t, n, 5), lambda t, n=name: delattr(t, n)):
                # FrozenInstanceError; for a slotted class's other attribute 3.11 raises TypeError
                with pytest.raises((dataclasses.FrozenInstanceError, TypeError)) as theirs:
                    change(s)
                with pytest.raises((dataclasses.FrozenInstanceError, TypeError)) as mine:
                    change(o)
                assert (type(mine.value), str(mine.value)) == (type(theirs.value), str(theirs.value))
    else:
        pairs[0][1].a = 5
        assert pairs[0][1].a == 5


def test_a_field_without_defaults_and_no_fields_at_all():
    std, ours = twins({"frozen": True}, {}, {"only": int})
    assert repr(ours(3)) == repr(std(3)) == "Thing(only=3)"
    assert hash(ours(3)) == hash(std(3)) == hash((3,))
    assert ours(3) == ours(3) and ours(3) != ours(4)
    std, ours = twins({"frozen": True}, {}, {})
    assert repr(ours()) == repr(std()) == "Thing()"
    assert hash(ours()) == hash(std()) == hash(())
    assert ours() == ours()


def test_the_methods_a_class_writes_itself_are_kept():
    def eq(self: Any, other: Any) -> bool:
        return True

    def own_repr(self: Any) -> str:
        return "mine"

    for options in ({}, {"frozen": True}):
        std, ours = twins(options, {"__eq__": eq, "__repr__": own_repr}, {"a": int})
        assert repr(ours(1)) == repr(std(1)) == "mine"
        assert ours(1) == ours(2)
        assert (std.__hash__ is None) == (ours.__hash__ is None)  # __eq__ alone: unhashable
    std, ours = twins({"frozen": True}, {"__hash__": lambda self: 7}, {"a": int})
    assert hash(ours(1)) == hash(std(1)) == 7


def test_a_recursive_repr_and_a_subclass():
    _, Node = twins({}, {"nxt": None}, {"v": int, "nxt": Any})
    n = Node(1)
    n.nxt = n
    assert repr(n) == "Thing(v=1, nxt=...)"

    base = records.dataclass(frozen=True)(type("Base", (), {"__annotations__": {"a": int}}))
    Sub = records.dataclass(frozen=True)(type("Sub", (base,), {"__annotations__": {"b": int}}))
    assert repr(Sub(1, 2)) == "Sub(a=1, b=2)"
    assert Sub(1, 2) == Sub(1, 2) and Sub(1, 2) != Sub(1, 3)
    assert hash(Sub(1, 2)) == hash((1, 2))
    assert Sub.__eq__.__qualname__ == "Sub.__eq__"


@records.dataclass(frozen=True, slots=True)
class Pinned:
    a: int
    b: list[int] = field(default_factory=list)


def test_a_frozen_slotted_record_pickles_and_replaces():
    thing = Pinned(1, [2])
    assert pickle.loads(pickle.dumps(thing)) == thing
    assert dataclasses.replace(thing, a=2) == Pinned(2, [2])
    assert repr(thing) == "Pinned(a=1, b=[2])"


def test_everywhere_lends_the_decorator_to_the_libraries_and_gives_it_back():
    standard = dataclasses.dataclass
    with records.everywhere():
        assert dataclasses.dataclass is records.dataclass
        made = dataclasses.make_dataclass("Made", [("a", int)], frozen=True)  # its own lookup too
    assert dataclasses.dataclass is standard
    assert repr(made(1)) == "Made(a=1)" and hash(made(1)) == hash((1,))


def test_the_libraries_imported_under_it_work_as_with_the_standard_decorator():
    """typer, pydantic and annotated_types imported as the command line imports them (a fresh
    process): their metadata compare, hash and show as with the standard decorator."""
    import subprocess
    import sys

    probe = (
        "import dataclasses, sys\n"
        "{setup}\n"
        "import typer, annotated_types as at\n"
        "from pydantic import BaseModel, Field, TypeAdapter\n"
        "from typing import Annotated\n"
        "{check}\n"
        "class M(BaseModel):\n"
        "    x: Annotated[int, at.Gt(0), Field(le=9)]\n"
        "    s: Annotated[str, at.MaxLen(3)] = 'a'\n"
        "print(repr(at.Gt(1)), at.Gt(1) == at.Gt(1), at.Gt(1) != at.Ge(1), hash(at.Gt(1)) == hash((1,)))\n"
        "print(M(x=3), M.model_json_schema())\n"
        "try:\n"
        "    M(x=0, s='abcd')\n"
        "except Exception as exc:\n"
        "    print(exc)\n"
        "print(TypeAdapter(Annotated[int, at.Interval(gt=1, lt=5)]).validate_python(3))\n"
        "print(typer.models.ParameterInfo.__mro__[0].__name__)\n"
    )
    setup = "from clustbudget import records\nlent = records.everywhere()\nlent.__enter__()"
    made_here = "assert at.Gt.__eq__.__code__.co_filename.endswith('records.py')"  # not compiled
    ours, std = (
        subprocess.run(
            [sys.executable, "-c", probe.format(setup=s, check=c)],
            capture_output=True,
            text=True,
            check=False,
        )
        for s, c in ((setup, made_here), ("", ""))
    )
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == std.stdout

"""``dataclass`` as the standard library makes it, cheaper to define: for start-up.

The standard decorator writes each method it adds (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, a frozen class's ``__setattr__`` and ``__delattr__``) as source text and
compiles it, once per class, at every start: about 3 M instructions per class, 138 M for the
classes ``validate`` imports. This one lets the standard decorator write only ``__init__`` and
gives the class the other methods made of closures, without compiling anything. They behave as
the standard ones: the same fields compared, hashed and shown (``field(compare=, hash=,
repr=)``), ``NotImplemented`` for another class, ``...`` for a recursive repr, a method the
class writes itself kept, ``__hash__`` set to ``None`` for a mutable class with ``eq``, the same
``FrozenInstanceError``. The class is a real dataclass (``dataclasses.fields``, ``replace``,
``asdict`` work; ``__dataclass_params__`` says what was asked); ``order=True`` and
``unsafe_hash=True`` are left to the standard decorator. Type checkers see
``dataclasses.dataclass`` itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:
    import operator
    import sys
    from _thread import get_ident

    _standard = dataclasses.dataclass
    _fields = dataclasses.fields
    _MISSING = dataclasses.MISSING
    # The standard decorator asks this function for a frozen class's __setattr__/__delattr__
    # (same name and arguments in 3.11 and 3.12); elsewhere they are left to it.
    _FROZEN_HOOK = "_frozen_get_del_attr" if sys.version_info[:2] in ((3, 11), (3, 12)) else ""

    def _getter(names: tuple[str, ...]) -> Any:
        """A function from an instance to the tuple of these attributes (as the standard
        methods build it: ``(self.a, self.b)``)."""
        if len(names) > 1:
            return operator.attrgetter(*names)
        if names:
            one = operator.attrgetter(names[0])
            return lambda self: (one(self),)
        return lambda self: ()

    def _eq(names: tuple[str, ...]) -> Any:
        get = _getter(names)

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return get(self) == get(other)
            return NotImplemented

        return __eq__

    def _hash(names: tuple[str, ...]) -> Any:
        get = _getter(names)

        def __hash__(self: Any) -> int:
            return hash(get(self))

        return __hash__

    def _repr(names: tuple[str, ...]) -> Any:
        getters = tuple((f"{n}=", operator.attrgetter(n)) for n in names)
        running: set[tuple[int, int]] = set()

        def __repr__(self: Any) -> str:
            key = (id(self), get_ident())
            if key in running:
                return "..."
            running.add(key)
            try:
                inner = ", ".join(label + repr(get(self)) for label, get in getters)
            finally:
                running.discard(key)
            return f"{self.__class__.__qualname__}({inner})"

        return __repr__

    def _frozen_get_del_attr(cls: type, fields: Any, globals: Any) -> tuple[Any, Any]:
        """The standard frozen __setattr__ and __delattr__, as closures."""
        names = tuple(f.name for f in fields)
        frozen_error = dataclasses.FrozenInstanceError

        def __setattr__(self: Any, name: str, value: Any) -> None:
            if type(self) is cls or name in names:
                raise frozen_error(f"cannot assign to field {name!r}")
            super(cls, self).__setattr__(name, value)

        def __delattr__(self: Any, name: str) -> None:
            if type(self) is cls or name in names:
                raise frozen_error(f"cannot delete field {name!r}")
            super(cls, self).__delattr__(name)

        return __setattr__, __delattr__

    def _made(cls: type, frozen: bool, options: dict[str, Any]) -> type:
        """The standard decorator's class, with __init__ only (and its frozen methods)."""
        if not (frozen and _FROZEN_HOOK):
            return _standard(cls, repr=False, eq=False, frozen=frozen, **options)
        standard_hook = getattr(dataclasses, _FROZEN_HOOK)
        setattr(dataclasses, _FROZEN_HOOK, _frozen_get_del_attr)
        try:
            return _standard(cls, repr=False, eq=False, frozen=True, **options)
        finally:
            setattr(dataclasses, _FROZEN_HOOK, standard_hook)

    def _add(cls: type, name: str, fn: Any) -> None:
        fn.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, fn)

    def _finish(cls: type, *, repr: bool, eq: bool, frozen: bool, written: dict[str, bool]) -> type:
        params = cls.__dataclass_params__
        params.repr, params.eq = repr, eq  # what was asked, as the standard decorator records it
        fields = _fields(cls)
        if repr and not written["__repr__"]:
            _add(cls, "__repr__", _repr(tuple(f.name for f in fields if f.repr)))
        if eq:
            if not written["__eq__"]:
                _add(cls, "__eq__", _eq(tuple(f.name for f in fields if f.compare)))
            if not written["__hash__"]:
                if frozen:
                    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
                    _add(cls, "__hash__", _hash(hashed))
                else:
                    cls.__hash__ = None  # as the standard: unhashable
        return cls

    def dataclass(
        cls: type | None = None,
        /,
        *,
        repr: bool = True,
        eq: bool = True,
        frozen: bool = False,
        order: bool = False,
        unsafe_hash: bool = False,
        **options: Any,
    ) -> Any:
        """:func:`dataclasses.dataclass`, with ``__repr__``, ``__eq__`` and ``__hash__`` that
        need no compiling (module docstring)."""

        def wrap(cls: type) -> type:
            if order or unsafe_hash:
                return _standard(
                    cls, repr=repr, eq=eq, frozen=frozen, order=order, unsafe_hash=unsafe_hash, **options
                )
            own = cls.__dict__
            class_hash = own.get("__hash__", _MISSING)
            written = {
                "__repr__": "__repr__" in own,
                "__eq__": "__eq__" in own,
                # the standard rule: a class that writes __eq__ alone has __hash__ None, not its own
                "__hash__": not (class_hash is _MISSING or (class_hash is None and "__eq__" in own)),
            }
            return _finish(_made(cls, frozen, options), repr=repr, eq=eq, frozen=frozen, written=written)

        return wrap if cls is None else wrap(cls)


@contextlib.contextmanager
def everywhere() -> Iterator[None]:
    """While active, ``dataclasses.dataclass`` itself is :func:`dataclass`, so that the classes
    the libraries define as they are imported (typer's, pydantic's, annotated_types') cost as
    little as ours: 74 M instructions of ``validate``'s start-up. For the command line's own
    process (single-threaded); a library user's process keeps the standard decorator."""
    standard = dataclasses.dataclass
    dataclasses.dataclass = dataclass
    try:
        yield
    finally:
        dataclasses.dataclass = standard

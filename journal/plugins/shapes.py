"""Check what a plugin returns against the type its hook declares.

The return annotations in :mod:`journal.plugins.hookspecs` (TypedDicts, lists,
unions, classes) are the one definition of what a plugin may return;
:func:`conform` checks a value against such a type and returns it normalised:

* a TypedDict keeps only its declared keys and gets the defaults its
  annotations name (:class:`Default`);
* keys the host fills (:class:`FromHost`, e.g. the plugin's name) are set here,
  never taken from the plugin; a dataclass field with ``metadata={"from_host":
  "plugin"}`` is filled the same way;
* :class:`NonEmpty`, :class:`Matches` and :class:`UniqueKey` add the checks a
  type alone cannot express.

A value that does not fit raises :class:`ShapeError` with a message for the
plugin's author (shown on the admin page).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated
from typing import Any
from typing import NotRequired
from typing import Required
from typing import Union


class ShapeError(ValueError):
    """A plugin's value does not have the shape its hook declares."""


@dataclass(frozen=True)
class NonEmpty:
    """The value (a str or a list) must not be empty; ``message`` says what is missing."""

    message: str = "is empty"

    def check(self, value, where: str) -> None:
        """Raise :class:`ShapeError` when ``value`` is empty."""
        if not value:
            raise ShapeError(f"{where}: {self.message}")


@dataclass(frozen=True)
class Matches:
    """The str must match ``pattern`` (e.g. a lower-case identifier)."""

    pattern: str
    meaning: str = ""

    def check(self, value, where: str) -> None:
        """Raise :class:`ShapeError` when ``value`` does not match."""
        if not re.fullmatch(self.pattern, value):
            raise ShapeError(f"{where}: {value!r} is not {self.meaning or self.pattern}")


@dataclass(frozen=True)
class UniqueKey:
    """Every dict in the list must have a different value under ``key``."""

    key: str

    def check(self, value, where: str) -> None:
        """Raise :class:`ShapeError` when two items share a ``key``."""
        keys = [item[self.key] for item in value]
        if len(set(keys)) != len(keys):
            raise ShapeError(f"{where}: each needs a unique {self.key!r}")


@dataclass(frozen=True)
class Default:
    """The value a missing ``NotRequired`` key gets."""

    value: Any


@dataclass(frozen=True)
class FromHost:
    """The key is filled by the host from what it knows (``name``: e.g. ``"plugin"``)."""

    name: str


@dataclass(frozen=True)
class AcceptText:
    """A plain str is accepted for this TypedDict, as ``{key: str}``."""

    key: str


@dataclass(frozen=True)
class Converts:
    """A value of one of the types ``accepts`` is accepted, as ``build(value)``
    (e.g. a template file's path, as :class:`~journal.plugins.entry_templates.files.TemplateFiles`)."""

    accepts: tuple
    build: Any


def conform(value, tp, known: dict | None = None, where: str = "the value", *,
            keep_known: bool = False):
    """Return ``value`` checked against type ``tp`` and normalised.

    :param known: what the host fills in (:class:`FromHost` names -> values).
    :param where: how the value is named in error messages.
    :param keep_known: keep host-filled values already present (when checking
        results that passed through a hook wrapper).
    :raise ShapeError: the value does not fit.
    """
    known = known or {}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any or tp is object:
        return value
    if tp is None or tp is type(None):
        if value is not None:
            raise ShapeError(f"{where} must be None")
        return None
    if origin is Annotated:
        base, *marks = args
        for mark in marks:
            if isinstance(mark, Converts) and isinstance(value, mark.accepts):
                value = mark.build(value)
            if isinstance(mark, AcceptText):
                if isinstance(value, str):
                    value = {mark.key: value}
                elif not isinstance(value, dict):
                    raise ShapeError(f"{where} must be a str or {describe(base)}")
        value = conform(value, base, known, where, keep_known=keep_known)
        for mark in marks:
            if isinstance(mark, (NonEmpty, Matches, UniqueKey)):
                mark.check(value, where)
        return value
    if origin in (Union, types.UnionType):
        problems = []
        for option in args:
            try:
                return conform(value, option, known, where, keep_known=keep_known)
            except ShapeError as exc:
                problems.append((option, exc))
        real = [exc for option, exc in problems if option is not type(None)]
        if len(real) == 1:  # X | None: say what is wrong with the X
            raise real[0]
        raise ShapeError(f"{where} must be {describe(tp)}")
    if typing.is_typeddict(tp):
        return _typeddict(value, tp, known, where, keep_known)
    if origin in (list, collections.abc.Sequence) or tp is list:
        if not isinstance(value, (list, tuple)):
            raise ShapeError(f"{where} must be a list, not {type(value).__name__}")
        item = args[0] if args else Any
        return [conform(v, item, known, item_name(v, item, i, where), keep_known=keep_known)
                for i, v in enumerate(value)]
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise ShapeError(f"{where} must be a dict, not {type(value).__name__}")
        key_tp, value_tp = args or (Any, Any)
        return {conform(k, key_tp, known, f"{where}: a key"):
                conform(v, value_tp, known, f"{where}[{k!r}]", keep_known=keep_known)
                for k, v in value.items()}
    if origin is collections.abc.Callable:
        if not callable(value):
            raise ShapeError(f"{where} must be callable")
        return value
    return _instance(value, tp, known, where, keep_known)


def _instance(value, tp, known: dict, where: str, keep_known: bool):
    if tp in (int, float) and isinstance(value, bool):
        raise ShapeError(f"{where} must be {tp.__name__}, not bool")
    if tp is float and isinstance(value, int):
        return value
    if not isinstance(value, tp):
        raise ShapeError(f"{where} must be {describe(tp)}, not {type(value).__name__}")
    if dataclasses.is_dataclass(value):
        filled = {f.name: known[f.metadata["from_host"]] for f in dataclasses.fields(value)
                  if f.metadata.get("from_host") in known
                  and not (keep_known and getattr(value, f.name))}
        if filled:
            value = dataclasses.replace(value, **filled)
    return value


def _typeddict(value, tp, known: dict, where: str, keep_known: bool) -> dict:
    if not isinstance(value, dict):
        raise ShapeError(f"{where} must be a dict, not {type(value).__name__}")
    out = {}
    for key, (key_tp, required) in fields_of(tp).items():
        host_name = next((m.name for m in _marks(key_tp) if isinstance(m, FromHost)), None)
        if host_name is not None:
            if keep_known and isinstance(value.get(key), str) and value[key]:
                out[key] = value[key]
            elif host_name in known:
                out[key] = known[host_name]
            continue
        if key in value:
            out[key] = conform(value[key], key_tp, known, f"{where}: {key!r}",
                               keep_known=keep_known)
        elif required:
            raise ShapeError(f"{where}: {key!r} is missing")
        else:
            default = next((m for m in _marks(key_tp) if isinstance(m, Default)), None)
            if default is not None:
                out[key] = default.value
    return out


@functools.lru_cache(maxsize=256)
def fields_of(tp) -> collections.abc.Mapping[str, tuple[object, bool]]:
    """Return a TypedDict's keys as ``{key: (type, required)}`` (read-only).

    Computed from the annotations (``NotRequired[…]`` marks optional keys), so
    it does not depend on how the class was created; once per type, as a type's
    annotations do not change and every plugin answer is checked against them.
    """
    out = {}
    for key, hint in typing.get_type_hints(tp, include_extras=True).items():
        required = True
        while typing.get_origin(hint) in (NotRequired, Required):
            required = typing.get_origin(hint) is Required
            hint = typing.get_args(hint)[0]
        out[key] = (hint, required)
    return types.MappingProxyType(out)


def _marks(tp) -> tuple:
    return typing.get_args(tp)[1:] if typing.get_origin(tp) is Annotated else ()


def item_name(value, tp, index: int, where: str) -> str:
    """Name list item ``index`` for messages: ``focus area 'ass'`` or ``item 2 of …``."""
    base = typing.get_args(tp)[0] if typing.get_origin(tp) is Annotated else tp
    if typing.is_typeddict(base) and isinstance(value, dict) and isinstance(value.get("id"), str):
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", base.__name__).lower()
        return f"{words} {value['id']!r}"
    return f"item {index + 1} of {where}"


def describe(tp) -> str:
    """Return a short readable name of a type, for messages."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        return describe(args[0])
    if origin in (Union, types.UnionType):
        return " or ".join(describe(a) for a in args)
    if origin in (list, collections.abc.Sequence):
        return f"a list of {describe(args[0])}" if args else "a list"
    if tp is type(None) or tp is None:
        return "None"
    if typing.is_typeddict(tp):
        return f"a dict with {', '.join(repr(k) for k in fields_of(tp))}"
    return getattr(tp, "__name__", str(tp))


def return_types(module) -> dict[str, object]:
    """Return ``{hook name: declared return type}`` for every hook spec in ``module``."""
    out = {}
    for name, function in vars(module).items():
        if name.startswith("journal_") and callable(function):
            out[name] = typing.get_type_hints(function, include_extras=True).get("return", Any)
    return out


def item_type(tp):
    """Return the item type when ``tp`` is ``list[X]`` (optionally ``| None``), else None."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(options) != 1:
            return None
        tp = options[0]
    if typing.get_origin(tp) in (list, collections.abc.Sequence):
        return typing.get_args(tp)[0] if typing.get_args(tp) else Any
    return None

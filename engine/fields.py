"""Settings declared once: each field's default, range or choices, link key, and whether it is live.

A lab's settings are a frozen dataclass that subclasses ``Declared`` and makes its fields with
``choice``, ``integer``, ``number``, ``flag``, ``integers``, ``numbers``, ``choices``, ``text``
and ``nested``. Everything else follows from that one declaration:

- validation with a plain-words message (``Declared.__post_init__``),
- the share link both ways: ``to_query_params`` and ``from_query_params`` (a bad or
  out-of-range value is replaced or clamped, with a warning that says which),
- what needs a new model when it changes (``Declared.structure``: every field not marked live),
- the widgets' bounds and options (``spec``), and the widget keys (``{prefix}_{link key}``).

pydantic was weighed for this: it validates and serialises, but a link's values must be
clamped with a message rather than refused, ``model_copy`` skips validation, and the flat
link keys, live flags and widget bounds would still be ours; a hundred lines of dataclass
metadata do all of it with the standard library.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from engine.links import LinkReader

MAX_SEED = 2**31 - 1
_SPEC, _NESTED = "declared_spec", "declared_nested"


@dataclass(frozen=True)
class Spec:
    """One setting: how it is checked, written into a link, read back, and offered by a widget.

    Attributes:
        key: the share-link key (and the widget key's suffix); unique across a lab's settings.
        noun: the setting in words, for messages ("a code size", "data set"; lists in the plural).
        kind: "choice", "integer", "number", "flag", "integers", "numbers", "choices" or "text".
        options: the allowed values of a choice (or of each item of "choices").
        low, high: the allowed range of a number (or of each item of a list).
        live: whether it applies to a running model; otherwise a change needs a new one.
        min_length, max_length: how many items a free-length list ("integers") holds.
        length_of: the field whose list length a per-item list follows ("numbers", "choices").
        item_default: the value of an item a link leaves out (per-item lists).
        encode, decode: a "text" field's own link format (decode raises ValueError for bad text).
    """

    key: str
    noun: str
    kind: str
    options: tuple[str, ...] = ()
    low: float = -math.inf
    high: float = math.inf
    live: bool = False
    min_length: int = 0
    max_length: int = 0
    length_of: str = ""
    item_default: Any = None
    encode: Callable[[Any], str] | None = None
    decode: Callable[[str], Any] | None = None

    @property
    def bounds(self) -> tuple[Any, Any]:
        """(low, high) as a widget takes them: whole numbers for integer settings."""
        if self.kind in ("integer", "integers"):
            return int(self.low), int(self.high)
        return self.low, self.high

    def check(self, value: Any) -> None:
        """``ValueError`` in plain words when ``value`` is not allowed."""
        if self.kind == "choice" and value not in self.options:
            raise ValueError(f"Unknown {self.noun} {value!r}. Expected one of: {', '.join(self.options)}.")
        if self.kind in ("integer", "number") and not _within(value, self.low, self.high):
            raise ValueError(f"Expected {self.noun} from {self.low:g} to {self.high:g}. Received: {value}.")
        if self.kind == "integers" and not self.min_length <= len(value) <= self.max_length:
            raise ValueError(f"Expected {self.min_length} to {self.max_length} {self.noun}. Received: {len(value)}.")
        if self.kind in ("integers", "numbers") and not all(_within(item, self.low, self.high) for item in value):
            raise ValueError(f"Expected {self.noun} from {self.low:g} to {self.high:g}. Received: {value}.")
        if self.kind == "choices" and self.max_length and len(value) > self.max_length:
            raise ValueError(f"Expected at most {self.max_length} {self.noun}. Received: {len(value)}.")
        if self.kind == "choices":
            unknown = [item for item in value if item not in self.options]
            if unknown:
                raise ValueError(f"Unknown item {unknown[0]!r} in {self.noun}. "
                                 f"Expected one of: {', '.join(self.options)}.")

    def write(self, value: Any) -> str:
        """The value as link text: numbers short (``:g``), lists comma-separated, flags 0/1."""
        if self.kind == "text":
            return self.encode(value) if self.encode else str(value)
        if self.kind == "flag":
            return str(int(value))
        if self.kind in ("integers", "numbers", "choices"):
            return ",".join(_short(item) for item in value)
        return _short(value)

    def read(self, reader: LinkReader, default: Any, length: int = 0) -> Any:
        """The value a link gives (``default`` when absent), clamped or replaced with a warning."""
        if self.kind == "choice":
            return reader.choice(self.key, self.options, default)
        if self.kind in ("integer", "number"):
            value = reader.number(self.key, default, self.low, self.high, integer=self.kind == "integer")
            return int(value) if self.kind == "integer" else value
        if self.kind == "flag":
            return reader.flag(self.key, default)
        if self.kind == "integers":
            values = reader.int_list(self.key, default, int(self.low), int(self.high), self.max_length)
            if len(values) < self.min_length:
                reader.warn(self.key, reader.params.get(self.key, ""),
                            f"expected at least {self.min_length} item(s); using the default")
                return default
            return values
        if self.kind == "numbers":
            if self.key not in reader.params:
                return (default + (self.item_default,) * length)[:length]
            return reader.float_list(self.key, length, self.low, self.high)
        if self.kind == "choices" and not self.length_of:
            if self.key not in reader.params:
                return default
            raw = reader.text(self.key, "")
            named = tuple(item for item in raw.split(",") if item)
            known = tuple(item for item in named if item in self.options)[:self.max_length]
            if known != named:
                reader.warn(self.key, raw, f"unknown items dropped, at most {self.max_length}")
            return known
        if self.kind == "choices":
            if self.key not in reader.params:
                return (default + (self.item_default,) * length)[:length]
            return reader.choice_list(self.key, self.options, length, self.item_default)
        raw = reader.text(self.key, "", max_length=4000)
        if not raw or self.decode is None:
            return raw or default
        try:
            return self.decode(raw)
        except (ValueError, TypeError) as error:
            reader.warn(self.key, raw, f"{error} Using the default")
            return default


def _within(value: Any, low: float, high: float) -> bool:
    return isinstance(value, int | float) and low <= value <= high  # NaN is never within


def _short(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class _Nested:
    keys: Mapping[str, str | None]
    live: bool | None


def _field(default: Any, spec: Spec) -> Any:
    return dataclasses.field(default=default, metadata={_SPEC: spec})


def choice(default: str, options: Mapping[str, Any] | tuple[str, ...], key: str, noun: str, live: bool = False) -> Any:
    """A setting that is one of ``options`` (a tuple, or a dict whose keys are the options)."""
    return _field(default, Spec(key, noun, "choice", options=tuple(options), live=live))


def integer(default: int, low: int, high: int, key: str, noun: str, live: bool = False) -> Any:
    """A whole number from ``low`` to ``high``."""
    return _field(default, Spec(key, noun, "integer", low=low, high=high, live=live))


def random_seed(default: int = 0, key: str = "seed") -> Any:
    """The run's random seed (data, initial weights, shuffling)."""
    return integer(default, 0, MAX_SEED, key, "a seed")


def number(default: float, low: float, high: float, key: str, noun: str, live: bool = False) -> Any:
    """A finite number from ``low`` to ``high``."""
    return _field(default, Spec(key, noun, "number", low=low, high=high, live=live))


def flag(default: bool, key: str, noun: str, live: bool = False) -> Any:
    """On or off."""
    return _field(default, Spec(key, noun, "flag", live=live))


def integers(default: tuple[int, ...], low: int, high: int, key: str, noun: str, max_length: int,
             min_length: int = 0, live: bool = False) -> Any:
    """A list of ``min_length`` to ``max_length`` whole numbers from ``low`` to ``high``."""
    return _field(default, Spec(key, noun, "integers", low=low, high=high, live=live, min_length=min_length,
                                max_length=max_length))


def numbers(default: tuple[float, ...], low: float, high: float, key: str, noun: str, length_of: str,
            live: bool = False) -> Any:
    """One number from ``low`` to ``high`` per item of the list field ``length_of`` (``low`` where a link has none)."""
    return _field(default, Spec(key, noun, "numbers", low=low, high=high, live=live, length_of=length_of,
                                item_default=low))


def choices(default: tuple[str, ...], options: tuple[str, ...], key: str, noun: str, length_of: str = "",
            item_default: str = "", max_length: int = 0, live: bool = False) -> Any:
    """Items of ``options``: one per item of the list field ``length_of`` (``item_default`` where a link
    has none), or, without ``length_of``, up to ``max_length`` of them (a link's unknown ones dropped)."""
    return _field(default, Spec(key, noun, "choices", options=tuple(options), live=live, length_of=length_of,
                                item_default=item_default, max_length=max_length))


def text(default: Any, key: str, noun: str, encode: Callable[[Any], str] | None = None,
         decode: Callable[[str], Any] | None = None, live: bool = False) -> Any:
    """A value with its own link format (a grid, a kernel, a layer table); the class checks it."""
    return _field(default, Spec(key, noun, "text", live=live, encode=encode, decode=decode))


def nested(default: Declared, keys: Mapping[str, str | None] | None = None, live: bool | None = None) -> Any:
    """Another declared settings class inside this one.

    Args:
        default: its default value.
        keys: its own link keys renamed for this use (a key mapped to None is not in the link).
        live: whether all of its fields are live here (None: as each declares).
    """
    return dataclasses.field(default=default, metadata={_NESTED: _Nested(dict(keys or {}), live)})


Settings = TypeVar("Settings", bound="Declared")


class Declared:
    """Base of a lab's frozen settings dataclass: validation and structure from the declarations."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            spec = field.metadata.get(_SPEC)
            if spec is None:
                continue
            value = getattr(self, field.name)
            spec.check(value)
            if spec.length_of and len(value) != len(getattr(self, spec.length_of)):
                raise ValueError(f"Expected as many {spec.noun} as {_spec_of(type(self), spec.length_of).noun}. "
                                 f"Received: {len(value)} and {len(getattr(self, spec.length_of))}.")

    def structure(self) -> tuple:
        """The values of every setting that is not live: a change to any of them needs a new model."""
        return tuple(value for spec, value in walk(self) if not spec.live)

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        """Make a link's values (by field name) fit together before they are checked, warning for
        each change: the place for rules between settings (a kernel per channel, an agent that
        needs a discrete world). Nothing by default."""


def _spec_of(cls: type, name: str) -> Spec:
    return next(field.metadata[_SPEC] for field in dataclasses.fields(cls) if field.name == name)


Rename = Callable[[str], "str | None"]


def _same(key: str) -> str | None:
    return key


def _declarations(cls: type, rename: Rename = _same,
                  live: bool | None = None) -> Iterator[tuple[str, Spec | None, type | None, Rename, bool | None]]:
    """(field name, spec as used here or None, nested class or None, its renaming, its liveness) per field.

    The spec is None for a nested field; its key is "" where this use leaves it out of the link.
    """
    for field in dataclasses.fields(cls):
        use = field.metadata.get(_NESTED)
        if use is not None:
            def inner(key: str, use: _Nested = use) -> str | None:
                mapped = use.keys.get(key, key)
                return None if mapped is None else rename(mapped)

            yield field.name, None, type(field.default), inner, use.live if live is None else live
            continue
        spec = field.metadata.get(_SPEC)
        if spec is None:
            continue
        key = rename(spec.key)
        yield field.name, replace(spec, key=key or "", live=spec.live if live is None else live), None, _same, None


def walk(settings: Declared, rename: Rename = _same, live: bool | None = None) -> Iterator[tuple[Spec, Any]]:
    """(spec as used here, value) of every declared setting, nested ones included, in declaration order.

    A setting left out of the link has the key "".
    """
    for name, spec, nested_class, inner_rename, inner_live in _declarations(type(settings), rename, live):
        value = getattr(settings, name)
        if nested_class is not None:
            yield from walk(value, inner_rename, inner_live)
        elif spec is not None:
            yield spec, value


def specs(cls: type[Declared]) -> dict[str, Spec]:
    """Every setting of ``cls`` in the link, by link key."""
    found: dict[str, Spec] = {}

    def collect(current: type, rename: Rename, live: bool | None) -> None:
        for _, spec, nested_class, inner_rename, inner_live in _declarations(current, rename, live):
            if nested_class is not None:
                collect(nested_class, inner_rename, inner_live)
            elif spec is not None and spec.key:
                found.setdefault(spec.key, spec)

    collect(cls, _same, None)
    return found


def spec(cls: type[Declared], key: str) -> Spec:
    """The setting of ``cls`` with link key ``key`` (for a widget's bounds and options)."""
    return specs(cls)[key]


def bounds(cls: type[Declared], key: str) -> tuple[Any, Any]:
    """(low, high) of the setting of ``cls`` with link key ``key``, as a widget takes them."""
    return spec(cls, key).bounds


def to_query_params(settings: Declared) -> dict[str, str]:
    """Every setting as short link text, by link key."""
    return {spec.key: spec.write(value) for spec, value in walk(settings) if spec.key}


def from_query_params(cls: type[Settings], params: Mapping[str, str],
                      reader: LinkReader | None = None) -> tuple[Settings, list[str]]:
    """Settings from a link, starting from the defaults; one warning per value ignored or clamped.

    Unknown keys are ignored (links may carry other apps' parameters). Pass ``reader`` to add
    the lab's own warnings to the same list.
    """
    link = reader or LinkReader(dict(params))
    settings = build(cls, lambda spec, default, length: spec.read(link, default, length),
                     repair=lambda values: cls.repair_link(values, link))
    return settings, link.warnings


def build(cls: type[Settings], value_of: Callable[[Spec, Any, int], Any], default: Declared | None = None,
          rename: Rename = _same, live: bool | None = None,
          repair: Callable[[dict[str, Any]], None] | None = None) -> Settings:
    """``cls`` with each setting's value from ``value_of(spec, default value, list length)``.

    Per-item lists are read after the list they follow, with its length; ``repair`` may change
    the values (by field name) before they are checked.
    """
    default = default if default is not None else cls()
    values: dict[str, Any] = {}
    pending = []
    for name, spec, nested_class, inner_rename, inner_live in _declarations(cls, rename, live):
        if nested_class is not None:
            values[name] = build(nested_class, value_of, getattr(default, name), inner_rename, inner_live)
        elif spec is None or not spec.key:
            values[name] = getattr(default, name)
        elif spec.length_of:
            pending.append((name, spec))
        else:
            values[name] = value_of(spec, getattr(default, name), 0)
    for name, spec in pending:
        values[name] = value_of(spec, getattr(default, name), len(values[spec.length_of]))
    if repair is not None:
        repair(values)
    return replace(default, **values)  # type: ignore[type-var, return-value]

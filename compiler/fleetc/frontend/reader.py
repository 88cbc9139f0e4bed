"""Schema-driven reading: parsed tables in, model nodes and diagnostics out.

Format-neutral: a frontend hands in plain values (dict, list, str, int, bool)
and a Locator that knows where each key path was written. A bad value is
reported and dropped, never raised, so one run reports every problem and the
checks still get a model to look at.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterator, Protocol

from ..core.diagnostics import Diagnostic, error
from ..core.model import ModuleRef, Node, Pairs, made
from ..core.source import Span, SpanMap
from .option_paths import flattened
from .schema import INT, STR, TABLE, Key, Kind, Section, describe
from .written import written_fields
from .tomlspans import Path, PathPart


class Locator(Protocol):
    def key(self, path: Path) -> Span: ...

    def value(self, path: Path) -> Span: ...

    def value_in(self, table: Path, part: PathPart) -> Span: ...


class Fields:
    """Values read from one table, by model field, and where each was written."""

    __slots__ = ("values", "spans", "rejected")

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        spans: dict[str, dict[str, Span]] | None = None,
        rejected: set[str] | None = None,
    ) -> None:
        self.values = {} if values is None else values
        # model field -> {"field": span, "field[0]": span, ...}; or for a
        # value read as parsed, (table path, key): its span, made when read
        # (Locator.value_in; SpanMap.lazy), or the table path alone when the
        # key is spelt as the field (a tuple less a value: 40 MB at 100,000 VMs).
        self.spans = {} if spans is None else spans
        # Written but unusable (already reported): not "missing" as well.
        self.rejected = set() if rejected is None else rejected

    def put(self, name: str, value: Any, spans: dict[str, Span] | tuple) -> None:
        self.values[name] = value
        self.spans[name] = spans

    def filled_from(self, fallback: Fields) -> Fields:
        """These fields, plus those of `fallback` that these leave out."""
        merged = Fields(dict(fallback.values), dict(fallback.spans))
        merged.rejected = self.rejected | fallback.rejected
        merged.values.update(self.values)
        merged.spans.update(self.spans)
        return merged

    def flat_spans(self, make: Callable[..., Span]) -> SpanMap:
        """`make`: the Locator's value_in, for the spans not made yet."""
        names: list[str] = []
        entries: list = []
        for name, group in self.spans.items():
            if type(group) is tuple:
                names.append(name)
                entries.append(group)
            else:
                names += group
                entries += group.values()
        return SpanMap.lazy(tuple(names), entries, make)


_DROP = object()  # what a rejected value converts to
# Every integer becomes a Nix integer: signed 64 bits. Nix rejects a larger
# literal outright, so the generated tree would not even parse.
NIX_INT_MIN, NIX_INT_MAX = -(2**63), 2**63 - 1
_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")
# A number or boolean written in quotes is the likeliest wrong type of all.
_UNQUOTED = {
    "int": re.compile(r"[+-]?[0-9]+\Z"),
    "bool": re.compile(r"(?:true|false)\Z"),
}


class Reader:
    def __init__(self, locate: Locator) -> None:
        self.locate = locate
        self.value_in = locate.value_in  # bound once: every node's spans hold it
        self.diagnostics: list[Diagnostic] = []
        self.strings: dict[str, str] = {}
        # Values used where a table of the section leaves a key out ([defaults.vm]).
        self.fallbacks: dict[Section, Fields] = {}

    # -- tables ------------------------------------------------------------------

    def known(self, raw: dict, section: Section, path: Path) -> Iterator[tuple]:
        """(key, value) for each key of `raw` the section declares; reports the rest."""
        for name, value in raw.items():
            key = section.by_name.get(name)
            if key is None:
                self._unknown(name, section, path + (name,))
            else:
                yield key, value

    def fields(self, raw: dict, section: Section, path: Path) -> Fields:
        found = Fields()
        if raw.keys() <= section.by_name.keys():  # nothing unknown to report
            self._known_fields(raw, section, path, found)
            return found
        for key, value in self.known(raw, section, path):
            self.read_key(key, value, path + (key.name,), found, table=path)
        return found

    def _known_fields(
        self, raw: dict, section: Section, path: Path, found: Fields
    ) -> None:
        """`fields` of a table of known keys: a value that `_convert` would keep
        as parsed, unreported (a string without NUL, of the allowed ones; an
        integer in range; a boolean), is put without a converter's calls.
        tests/core/test_fast_paths.py compares it with `read_key` for each."""
        plain, by_name = _plain_keys(section), section.by_name
        values, spans = found.values, found.spans
        one = self.strings.setdefault
        for name, value in raw.items():
            kept = plain.get(name)
            if kept is not None and kept[1](value, kept[2]):
                values[kept[0]] = one(value, value) if type(value) is str else value
                spans[kept[0]] = path if kept[3] else (path, name)  # see Fields
            else:
                self.read_key(by_name[name], value, path + (name,), found, path)

    def read_key(
        self, key: Key, value: Any, path: Path, into: Fields, table: Path | None = None
    ) -> None:
        """`table`: the path of the table holding the key, which the value's span
        then shares (a span per value, not a span and a path per value)."""
        if table is None:
            spans = {key.field: self.locate.value(path)}
        else:  # the span made when read (SpanMap.lazy), as Fields.spans says
            spans = {key.field: _lazy_span(table, key)}
        converted = self._convert(key, value, path, spans)
        if converted is _DROP:
            into.rejected.add(key.field)
        else:
            into.put(key.field, converted, spans)

    def node(self, raw: dict, section: Section, path: Path, **extra) -> Node | None:
        return self.build(section, self.fields(raw, section, path), path, **extra)

    def build(
        self, section: Section, found: Fields, path: Path, **extra
    ) -> Node | None:
        """The model node, or None (reported) when a required key is missing."""
        written = written_fields(found.values)
        if section in self.fallbacks:
            found = _with_fallback(section, found, self.fallbacks[section])
        if section.model_tables:
            found = self._build_tables(section, found, path)
        absent = [k for k in section.required if k.field not in found.values]
        for key in absent:
            if key.field not in found.rejected:
                self._missing(key, path)
        if absent:
            return None
        extra["span"] = self.locate.value(path)
        extra["spans"] = found.flat_spans(self.value_in)
        extra["written"] = written
        return made(section.model, found.values, extra)

    def _build_tables(self, section: Section, found: Fields, path: Path) -> Fields:
        """Tables with a model of their own ([fleet.deploy]) are read as Fields
        like [defaults.vm], and become nodes when the table holding them does."""
        tables = [key for key in section.model_tables if _unbuilt_table(key, found)]
        if not tables:
            return found
        built = Fields(dict(found.values), dict(found.spans), set(found.rejected))
        for key in tables:
            node = self.build(key.section, found.values[key.field], path + (key.name,))
            if node is None:
                del built.values[key.field]
                built.rejected.add(key.field)
            else:
                built.values[key.field] = node
        return built

    # -- values ------------------------------------------------------------------

    def _convert(self, key: Key, value: Any, path: Path, spans: dict) -> Any:
        if not key.kind.accepts(value):
            self._wrong_type(key.name, key.kind, value, path)
            return _DROP
        return _CONVERTERS[key.kind.name](self, key, value, path, spans)

    def _scalar(self, key: Key, value: Any, path: Path, spans: dict) -> Any:
        if key.kind is INT and not NIX_INT_MIN <= value <= NIX_INT_MAX:
            self._out_of_range(key.name, path)
            return _DROP
        if not isinstance(value, str):
            return value
        if "\0" in value:
            self._nul(key.name, path)
            return _DROP
        if key.allowed and value not in key.allowed:
            self._not_allowed(key, value, path)
            return _DROP
        return value

    def _strings(self, key: Key, value: list, path: Path, spans: dict) -> Any:
        items = []
        for index, item in enumerate(value):
            where = path + (index,)
            name = f"{key.name}[{index}]"
            if not isinstance(item, str):
                self._wrong_type(name, key.kind.element, item, where)
                return _DROP
            if "\0" in item:
                self._nul(name, where)
                return _DROP
            spans[f"{key.field}[{index}]"] = self.locate.value_in(path, index)
            items.append(item)
        return tuple(items)

    def _modules(self, key: Key, value: list, path: Path, spans: dict) -> Any:
        texts = self._strings(key, value, path, spans)
        if texts is _DROP:
            return _DROP
        return tuple(
            ModuleRef(text=text.removeprefix("./"), span=spans[f"{key.field}[{index}]"])
            for index, text in enumerate(texts)
        )

    def _free_form(self, key: Key, value: dict, path: Path, spans: dict) -> Any:
        """A table of any keys ([vms.<name>.meta], follows): model.Pairs."""
        pairs = []
        for name, item in value.items():
            where, label = path + (name,), f"{key.name}.{_where((name,))}"
            if "\0" in name:
                self._nul(label.replace("\0", "\\0"), where, at_key=True)
                return _DROP
            checked = self._free_value(key.kind.element, label, item, where)
            if checked is _DROP:
                return _DROP
            spans[f"{key.field}[{name}]"] = self.locate.value_in(path, name)
            pairs.append((name, checked))
        return Pairs(pairs)

    def _options(self, key: Key, value: dict, path: Path, spans: dict) -> Any:
        """microvm.nix options by path: `"a.b" = 1` and `a.b = 1` (a table
        inside) are the same option, `a.b`."""
        found = self._free_form(key, flattened(value), path, {})
        if found is _DROP:
            return _DROP
        for name, _ in found:
            written = tuple(name.split(".")) if name not in value else (name,)
            spans[f"{key.field}[{name}]"] = self.locate.value(path + written)
        return found

    def _free_value(self, kind: Kind, label: str, item: Any, where: Path) -> Any:
        """A string, or for meta an integer, boolean or flat list of them."""
        if kind is not STR and isinstance(item, (list, tuple)):
            values = [
                self._free_scalar(kind, f"{label}[{index}]", value, where + (index,))
                for index, value in enumerate(item)
            ]
            return _DROP if _DROP in values else tuple(values)
        return self._free_scalar(kind, label, item, where)

    def _free_scalar(self, kind: Kind, label: str, item: Any, where: Path) -> Any:
        if not _free_scalar(item) or (kind is STR and not isinstance(item, str)):
            self._wrong_type(label, kind, item, where)
            return _DROP
        return self._scalar(Key(label, INT if _is_int(item) else STR), item, where, {})

    def _table(self, key: Key, value: dict, path: Path, spans: dict) -> Any:
        return self.fields(value, key.section, path)

    def _tables(self, key: Key, value: list, path: Path, spans: dict) -> Any:
        nodes = []
        for index, item in enumerate(value):
            where = path + (index,)
            if not isinstance(item, dict):
                self._wrong_type(f"{key.name}[{index}]", key.kind.element, item, where)
                continue
            built = self.node(item, key.section, where)
            if built is not None:
                spans[f"{key.field}[{len(nodes)}]"] = built.span
                nodes.append(built)
        return tuple(nodes)

    def _named(self, key: Key, value: dict, path: Path, spans: dict) -> Any:
        nodes = []
        for name, item in value.items():
            built = self._named_node(key, name, item, path + (name,))
            if built is not None:
                spans[f"{key.field}[{len(nodes)}]"] = built.span
                nodes.append(built)
        return tuple(nodes)

    def _named_node(self, key: Key, name: str, item: Any, path: Path) -> Node | None:
        if "\0" in name:
            self._nul(name.replace("\0", "\\0"), path, at_key=True)
            return None
        if not isinstance(item, dict):
            self._wrong_type(name, key.kind.element, item, path)
            return None
        return self.node(item, key.section, path, **{key.section.name_field: name})

    # -- diagnostics -------------------------------------------------------------

    def _report(self, code: str, message: str, span: Span, fix: str) -> None:
        self.diagnostics.append(error(code, message, span, help=fix))

    def _unknown(self, name: str, section: Section, path: Path) -> None:
        where = _where(path[:-1])
        message = f"unknown key `{name}`" + (f" in `{where}`" if where else "")
        names = [key.name for key in section.keys]
        close = _closest(name, names)
        fix = (
            f"did you mean `{close[0]}`?"
            if close
            else "allowed keys: " + ", ".join(names)
        )
        self._report("F002", message, self.locate.key(path), fix)

    def _wrong_type(self, name: str, kind: Kind, value: Any, path: Path) -> None:
        message = f"wrong type for `{name}`: expected {kind.expected}, found {describe(value)}"
        example = _unquoted(kind, value) or kind.example
        in_list = name.endswith("]")
        fix = f"write `{example}` here" if in_list else f"write `{name} = {example}`"
        self._report("F003", message, self.locate.value(path), fix)

    def _missing(self, key: Key, path: Path) -> None:
        message = f"missing required key `{key.name}` in `{_where(path)}`"
        fix = f"add `{key.name} = {key.kind.example}`"
        self._report("F004", message, self.locate.value(path), fix)

    def _not_allowed(self, key: Key, value: str, path: Path) -> None:
        choices = ", ".join(key.allowed)
        message = f"`{key.name}` must be one of {choices}, not {_show(value)}"
        close = _closest(value, key.allowed)
        fix = (
            f"did you mean `{close[0]}`?"
            if close
            else f'write `{key.name} = "{key.allowed[0]}"`'
        )
        self._report("F005", message, self.locate.value(path), fix)

    def _out_of_range(self, name: str, path: Path) -> None:
        message = f"`{name}` does not fit in a Nix integer (signed 64 bits)"
        fix = f"Nix integers run from {NIX_INT_MIN} to {NIX_INT_MAX}"
        self._report("F008", message, self.locate.value(path), fix)

    def _nul(self, name: str, path: Path, at_key: bool = False) -> None:
        span = self.locate.key(path) if at_key else self.locate.value(path)
        message = f"`{name}` contains a NUL character"
        self._report(
            "F005", message, span, "Nix strings cannot hold NUL (\\u0000): remove it"
        )


_CONVERTERS = {
    "str": Reader._scalar,
    "int": Reader._scalar,
    "bool": Reader._scalar,
    "address": Reader._scalar,
    "str_or_false": Reader._scalar,
    "strs": Reader._strings,
    "modules": Reader._modules,
    "table": Reader._table,
    "tables": Reader._tables,
    "named": Reader._named,
    "meta": Reader._free_form,
    "follows": Reader._free_form,
    "options": Reader._options,
}


def _with_fallback(section: Section, own: Fields, fallback: Fields) -> Fields:
    """`own`, filled from [defaults.vm]; a table of options is merged option
    by option (the VM's own value of an option wins)."""
    merged = own.filled_from(fallback)
    for key in section.option_keys:
        name = key.field
        if name in own.values and name in fallback.values:
            options = dict(fallback.values[name]) | dict(own.values[name])
            merged.values[name] = Pairs(options.items())
            merged.spans[name] = fallback.spans[name] | own.spans[name]
    return merged


def _plain_str(value: Any, allowed: tuple[str, ...]) -> bool:
    return (
        type(value) is str and "\0" not in value and (not allowed or value in allowed)
    )


def _plain_str_or_false(value: Any, allowed: tuple[str, ...]) -> bool:
    return value is False or _plain_str(value, allowed)


def _plain_int(value: Any, allowed: tuple[str, ...]) -> bool:
    return type(value) is int and NIX_INT_MIN <= value <= NIX_INT_MAX


def _plain_bool(value: Any, allowed: tuple[str, ...]) -> bool:
    return type(value) is bool


# Kind name -> what a value of that kind is, that `_scalar` keeps unreported.
_PLAIN = {
    "str": _plain_str,
    "int": _plain_int,
    "bool": _plain_bool,
    "address": _plain_str_or_false,
    "str_or_false": _plain_str_or_false,
}
_PLAIN_KEYS: dict[Section, dict[str, tuple]] = {}


def _plain_keys(section: Section) -> dict[str, tuple]:
    """Key name -> (model field, `_PLAIN` test, allowed, spelt as the field)
    for the section's scalar keys; sections are few and live as long as the
    process."""
    found = _PLAIN_KEYS.get(section)
    if found is None:
        found = _PLAIN_KEYS[section] = {
            key.name: (
                key.field,
                _PLAIN[key.kind.name],
                key.allowed,
                key.name == key.field,
            )
            for key in section.keys
            if key.kind.name in _PLAIN
        }
    return found


def _lazy_span(table: Path, key: Key) -> tuple:
    """What makes a value's span when it is read (Fields.spans)."""
    return table if key.name == key.field else (table, key.name)


def _free_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, bool))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unbuilt_table(key: Key, found: Fields) -> bool:
    """A table read as Fields whose section has a model to build."""
    has_model = key.kind is TABLE and key.section.model is not None
    return has_model and isinstance(found.values.get(key.field), Fields)


def _where(path: Path) -> str:
    """A key path as a user would write it: vms.web.interfaces[0]."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if _BARE.match(part) else json.dumps(part)
            text += f".{name}" if text else name
    return text


def _show(value: str) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:36] + '..."'


def _unquoted(kind: Kind, value: Any) -> str | None:
    """The text of a quoted number or boolean, when that is what the key wants."""
    pattern = _UNQUOTED.get(kind.name)
    if pattern and isinstance(value, str) and pattern.match(value.strip()):
        return value.strip()
    return None


def _closest(word: str, choices) -> list[str]:
    """The nearest choice, if any: difflib loads only for a wrong key or value."""
    from difflib import get_close_matches

    return get_close_matches(word, choices, n=1)

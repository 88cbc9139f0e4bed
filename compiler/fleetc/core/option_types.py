"""microvm.nix's option data as a checker of fleet values (`[vms.<vm>.microvm]`).

Each generation's guest options (data/microvm-options*.json) are a tree of
groups and declarations; a path walks groups by name, a submodule by its
options, and an `attrsOf` by any name (the attribute). A value from the fleet
file (string, integer, boolean, list of them) fits a declaration's type as
nixpkgs' types check them; types whose values only Nix can write (packages,
modules, package sets) take none. `either` lost its parts in the extraction:
a string or an integer fits it (microvm.nix's are `oneOf [ str ints.unsigned ]`).
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]
WRAPPERS = ("nullOr",)
RANGES = {
    "int": (None, None),
    "unsignedInt": (0, None),
    "positiveInt": (1, None),
    "unsignedInt16": (0, 65535),
}
TEXTS = ("str", "separatedString", "nonEmptyStr")
ANY = ("unspecified", "anything")


def is_declaration(node: Node) -> bool:
    kind = node.get("type")
    return isinstance(kind, dict) and isinstance(kind.get("name"), str)


def unwrapped(kind: Node) -> Node:
    while kind["name"] in WRAPPERS:
        kind = kind["elem"]
    return kind


def walk(tree: Node, parts: tuple[str, ...]) -> tuple[Node | None, int]:
    """(the node `parts` names, or None; how many parts were found)."""
    node, found = tree, 0
    while found < len(parts):
        if is_declaration(node):
            inner, consumed = _inside(unwrapped(node["type"]))
            if inner is None:
                return None, found
            node, found = inner, found + consumed
        elif parts[found] in node:
            node, found = node[parts[found]], found + 1
        else:
            return None, found
    return node, found


def _inside(kind: Node) -> tuple[Node | None, int]:
    """What a path continues into: a submodule's options (no part used), an
    attribute set's element (the attribute's name used)."""
    if kind["name"] == "submodule":
        return kind["options"], 0
    if kind["name"] == "attrsOf":
        elem = unwrapped(kind["elem"])
        return (elem["options"] if elem["name"] == "submodule" else {"type": elem}), 1
    return None, 0


def leaves(tree: Node, prefix: str = "") -> list[str]:
    """Every declaration's dotted path (not inside submodules)."""
    found = []
    for name, node in sorted(tree.items()):
        path = f"{prefix}{name}"
        found += [path] if is_declaration(node) else leaves(node, path + ".")
    return found


def writable(kind: Node) -> bool:
    """A fleet file can hold a value of this type."""
    kind = unwrapped(kind)
    if kind["name"] == "listOf":
        return writable(kind["elem"])
    return kind["name"] in (*RANGES, *TEXTS, *ANY, "bool", "path", "enum", "either")


def fits(kind: Node, value: Any) -> bool:
    kind = unwrapped(kind)
    name = kind["name"]
    if name == "listOf":
        return isinstance(value, tuple) and all(fits(kind["elem"], v) for v in value)
    if isinstance(value, tuple):
        return name in ANY
    return _scalar_fits(kind, value)


def _scalar_fits(kind: Node, value: Any) -> bool:
    name = kind["name"]
    if name == "bool":
        return isinstance(value, bool)
    if name in RANGES:
        low, high = RANGES[name]
        return (
            _integer(value)
            and (low is None or value >= low)
            and (high is None or value <= high)
        )
    if name in TEXTS:
        return isinstance(value, str) and (name != "nonEmptyStr" or bool(value.strip()))
    if name == "path":
        return isinstance(value, str) and value.startswith("/")
    if name == "enum":
        return value in kind["values"] and not isinstance(value, bool)
    if name == "either":
        return isinstance(value, str) or _integer(value)
    return name in ANY


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def describe(kind: Node) -> str:
    """What a value of the type is, completing "expected ..."."""
    kind = unwrapped(kind)
    name = kind["name"]
    if name == "listOf":
        return f"a list, each {describe(kind['elem'])}"
    if name == "enum":
        return "one of " + ", ".join(f"`{v}`" for v in kind["values"])
    return DESCRIPTIONS.get(name, f"a value of type {name}")


DESCRIPTIONS = {
    "bool": "a boolean",
    "int": "an integer",
    "unsignedInt": "an integer >= 0",
    "positiveInt": "an integer >= 1",
    "unsignedInt16": "an integer from 0 to 65535",
    "str": "a string",
    "separatedString": "a string",
    "nonEmptyStr": "a non-empty string",
    "path": "an absolute path",
    "either": "a string or an integer",
    "unspecified": "any value",
    "anything": "any value",
}

"""Each fast path of emit (issue 24) against the plain code it stands for, on
random input:

- guards.newer_options answers once a tree and settings' shape, not once a VM
  (guards.plain_newer_options judges every VM afresh);
- a module file is laid out by Python, not by jinja2 (module.nix.j2);
- nix.render writes a value in one pass, not a call for each value (the
  recursive renderer it was is below);
- nix.string quotes text with nothing to escape without the regex's pass.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

import jinja2

from fleetc.emit import guards, modules, nix

# -- guards.newer_options: the same answer, whatever was asked before ----------


# Names of options older generations lack (microvm.nix's data: shares.*.readOnly,
# interfaces.*.tap.vhost, vms.*.extraModules ...) and of others inside the same
# submodules, set at the options that hold them, and one name none declares.
NAMES = st.sampled_from(
    "readOnly tag tap vhost id extraModules autostart machineId bus nope".split()
)
HOLDERS = "shares interfaces vms qemu pcieRootPorts machineId vmHostPackages"
KEYS = st.one_of(
    st.sampled_from([("microvm", name) for name in HOLDERS.split()]),
    st.sampled_from(["microvm", ("microvm", "hypervisor"), ("networking", "x")]),
    st.lists(NAMES, min_size=1, max_size=2).map(lambda path: ("microvm", *path)),
)
SCALARS = st.sampled_from(["x", 1, True, None, nix.Expr("pkgs.hello")])


def commented(values):
    return st.builds(nix.Commented, values, st.just("why"))


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(NAMES, inner, max_size=4),
        commented(inner),
        st.tuples(inner),
    ),
    max_leaves=16,
)
SETTINGS = st.dictionaries(KEYS, VALUES, max_size=5)
TREES = st.sampled_from([guards.guest_tree, guards.host_tree, guards.both_tree])


def uncommented(value):
    """`value` with every Commented replaced by what it holds."""
    if type(value) is nix.Commented:
        return uncommented(value.value)
    if isinstance(value, dict):
        return {key: uncommented(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [uncommented(inner) for inner in value]
    return value


@settings(max_examples=1500, deadline=None)
@given(st.lists(SETTINGS, min_size=1, max_size=4), TREES)
def test_newer_options_match_the_plain_judgement(asked, tree):
    """Settings in turn, as VMs come: each answer is the plain one, whatever
    shapes (and values of the same shape) were answered before. Each is asked
    again without its comments and tuples, which the plain code tells apart
    (a commented element is not looked into) and its shape must too."""
    for one in asked:
        for variant in (one, uncommented(one)):
            fast = guards.newer_options(variant, tree())
            assert fast == guards.plain_newer_options(variant, tree())


def test_the_random_settings_reach_newer_options():
    """The generator's names make settings that are newer (and some that
    are not): the comparison above is not of empty sets only."""
    shares = [{"tag": "a", "readOnly": True}, nix.Commented({"tag": "b"}, "why")]
    asked = {("microvm", "shares"): shares, "microvm": {"vmHostPackages": 1}}
    expected = {"microvm.shares.*.readOnly", "microvm.vmHostPackages"}
    assert guards.newer_options(asked, guards.guest_tree()) == expected
    assert guards.plain_newer_options(asked, guards.guest_tree()) == expected


def test_a_tree_of_the_same_shape_elsewhere_is_answered_for_itself():
    """Answers are kept by tree: another tree asked the same is judged anew."""
    asked = {("microvm", "machineId"): "x"}
    lacking = {"microvm": {}}
    declaring = {"microvm": guards.guest_tree()["microvm"] | {"machineId": {}}}
    assert guards.newer_options(asked, lacking) == {"microvm.machineId"}
    assert guards.newer_options(asked, declaring) == set()


# -- modules.layout_module: the module template it replaced ---------------------

# emit/templates/module.nix.j2, rendered by jinja2 as emit/templating.py does.
MODULE_TEMPLATE = """{{ header }}
{{ comment }}{% if arguments %}
{{ arguments }}
{% endif %}
{% if call %}
{{ call }} {{ body }}
{% else %}
{{ body }}
{% endif %}
"""


def plain_module(top: str, comment: str, head: str, call: str, body: str) -> str:
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    page = env.from_string(MODULE_TEMPLATE)
    return page.render(
        header=top, comment=comment, arguments=head, call=call, body=body
    )


TEXT = st.text(st.sampled_from(["a", " ", "\n", "{", "}", "%", "#", "'"]), max_size=8)


@settings(max_examples=500, deadline=None)
@given(TEXT, TEXT, TEXT, st.sampled_from(["", "import ../lib/compat.nix"]), VALUES)
def test_module_layout_matches_the_template(top, comment, head, call, value):
    body = nix.render(value)
    fast = modules.layout_module(top, comment, head, call and f"{call} ", value)
    assert fast == plain_module(top, comment, head, call, body)


# -- nix.render: the recursive renderer it replaced ------------------------------


def plain_render(value, indent=0):
    """nix.render as it was: a call for each value, each set's text built and
    copied into its parent's."""
    kind = type(value)
    if kind is str:
        if "\n" in value:
            return nix.indented(value, indent) or nix.string(value)
        return nix.string(value)
    if kind in PLAIN_RENDERERS:
        return PLAIN_RENDERERS[kind](value, indent)
    if isinstance(value, Mapping):
        return plain_attrs(value, indent)
    raise TypeError(f"cannot render {type(value).__name__} as Nix")


def plain_list(items, indent):
    if not items:
        return "[ ]"
    if len(items) == 1 and type(items[0]) not in (dict, list, tuple):
        single = plain_render(items[0], indent)
        if len(single) + 2 * indent <= 72 and "\n" not in single:
            return f"[ {single} ]"
    inner = "  " * (indent + 1)
    body = "".join(f"{inner}{plain_render(item, indent + 1)}\n" for item in items)
    return f"[\n{body}{'  ' * indent}]"


def plain_attrs(attrs, indent):
    if not attrs:
        return "{ }"
    inner = "  " * (indent + 1)
    body = "".join(
        (value.lines(inner) if type(value) is nix.Commented else "")
        + f"{inner}{plain_key(key)} = {plain_render(value, indent + 1)};\n"
        for key, value in attrs.items()
    )
    return f"{{\n{body}{'  ' * indent}}}"


def plain_key(key):
    return nix.attr_path(*key) if isinstance(key, tuple) else nix.attr_name(key)


PLAIN_RENDERERS = {
    nix.Expr: lambda value, _: value.text,
    nix.Commented: lambda value, indent: plain_render(value.value, indent),
    bool: lambda value, _: "true" if value else "false",
    type(None): lambda value, _: "null",
    int: lambda value, _: str(value),
    dict: plain_attrs,
    list: plain_list,
    tuple: plain_list,
}

# Text with each character nix.string or nix.indented escapes, NUL (refused),
# the quotes and interpolations of indented strings, and long lines (a list of
# one element stays on its line only while it fits in 72 columns).
CHARACTERS = st.sampled_from(list("a-. \n\r\t\"\\$'{}\0") + ["${", "''", "x" * 30])
TEXTS = st.lists(CHARACTERS, max_size=6).map("".join)
NAMES_OR_TEXT = st.one_of(st.sampled_from(["a", "if", "x-y", "10-lan", ""]), TEXTS)
RENDERED_KEYS = st.one_of(NAMES_OR_TEXT, st.tuples(NAMES_OR_TEXT, NAMES_OR_TEXT))
RENDERED_SCALARS = st.one_of(
    TEXTS,
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.none(),
    st.builds(nix.Expr, st.sampled_from(["self", "pkgs.hello", "a\n  b"])),
)
RENDERED = st.recursive(
    RENDERED_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=2).map(tuple),
        st.dictionaries(RENDERED_KEYS, inner, max_size=4),
        st.dictionaries(RENDERED_KEYS, inner, max_size=2).map(MappingProxyType),
        st.builds(nix.Commented, inner, st.sampled_from(["why", "two\nlines"])),
    ),
    max_leaves=20,
)


def outcome(render, value, indent):
    """What rendering gives: the text, or the kind of error it raises."""
    try:
        return render(value, indent)
    except (TypeError, ValueError) as error:
        return type(error)


@settings(max_examples=3000, deadline=None)
@given(RENDERED, st.integers(0, 3))
def test_render_matches_the_recursive_renderer(value, indent):
    assert outcome(nix.render, value, indent) == outcome(plain_render, value, indent)


@given(RENDERED_SCALARS)
def test_render_refuses_what_the_recursive_renderer_refused(scalar):
    """A value of no Nix type (a set, a float) in a list or a set."""
    for value in ([{1}, scalar], {"a": 1.5, "b": scalar}):
        assert outcome(nix.render, value, 0) == outcome(plain_render, value, 0)


# -- nix.string: the regex pass it skips for text with nothing to escape --------


def plain_string(value):
    if "\0" in value:
        raise ValueError("NUL cannot be represented in a Nix string")
    return '"' + re.sub(r'[\\"$\n\r\t]', lambda m: ESCAPES[m.group()], value) + '"'


ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@settings(max_examples=2000, deadline=None)
@given(st.one_of(TEXTS, st.text(max_size=12)))
def test_string_matches_the_regex_escape(text):
    assert outcome(lambda value, _: nix.string(value), text, 0) == outcome(
        lambda value, _: plain_string(value), text, 0
    )

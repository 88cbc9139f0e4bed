"""Each fast path of emit (issue 24) against the plain code it stands for, on
random input:

- guards.newer_options answers once a tree and settings' shape, not once a VM
  (guards.plain_newer_options judges every VM afresh);
- a module file is laid out by Python, not by jinja2 (module.nix.j2);
"""

from __future__ import annotations

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

"""The flake inputs a fleet needs: nixpkgs, microvm, [fleet.inputs], and the
deploy tool's input when `deploy_tool` names one.

One list, read by flake.nix's emitter, the build's forwarding flake, the
fetch-failure hint and the flake.lock checks, so that they never disagree
about which inputs there are.
"""

from __future__ import annotations

from dataclasses import replace

from .model import FlakeInput, Fleet
from .source import Span

# deploy_tool -> its input, as each tool's README declares it. A fleet that
# declares an input of that name in [fleet.inputs] (another URL, follows)
# keeps its own.
TOOL_INPUTS = {
    "deploy-rs": "github:serokell/deploy-rs",
    "colmena": "github:zhaofengli/colmena",
}


def tool_input(fleet: Fleet) -> FlakeInput | None:
    """The deploy tool's input, unless the fleet declares it itself."""
    url = TOOL_INPUTS.get(fleet.deploy_tool)
    if url is None or any(i.name == fleet.deploy_tool for i in fleet.inputs):
        return None
    return replace(FlakeInput(fleet.deploy_tool, url), span=fleet.at("deploy_tool"))


def extra_inputs(fleet: Fleet) -> list[FlakeInput]:
    """Every input besides nixpkgs and microvm, by name."""
    found = list(fleet.inputs)
    tool = tool_input(fleet)
    if tool is not None:
        found.append(tool)
    return sorted(found, key=lambda each: each.name)


def urls(fleet: Fleet) -> dict[str, str]:
    """Every input the fleet's flake declares: name -> URL."""
    found = {"nixpkgs": fleet.nixpkgs, "microvm": fleet.microvm}
    found.update({each.name: each.url for each in extra_inputs(fleet)})
    return found


def names(fleet: Fleet) -> set[str]:
    return set(urls(fleet))


def declared_at(fleet: Fleet, name: str) -> Span | None:
    """Where the fleet file declares input `name` (its URL key, its table)."""
    if name in ("nixpkgs", "microvm"):
        return fleet.at(name)
    found = next((i for i in extra_inputs(fleet) if i.name == name), None)
    return found.span if found is not None else fleet.span

"""The flake reference `microvm -u` fetches (microvm.vms.<vm>.updateFlake)."""

from __future__ import annotations

from urllib.parse import quote

from ..core.model import Fleet


def flake_subdir(fleet: Fleet, layout) -> str | None:
    """Where the flake carrying the fleet sits in the repository: the output
    directory, or the root (None) when the repository's own flake embeds it."""
    return None if fleet.embed else layout.output_in_repo


def update_flake(flake: str, output_in_repo: str | None) -> str:
    """`microvm -u` fetches this flake ref: it must point into the output directory."""
    url, hash_sign, fragment = flake.partition("#")
    query = url.partition("?")[2]
    names = {pair.partition("=")[0] for pair in query.split("&")}
    if output_in_repo is None or "dir" in names:
        return flake
    if url.endswith(("?", "&")):
        joiner = ""
    else:
        joiner = "&" if "?" in url else "?"
    parameter = "dir=" + quote(output_in_repo, safe="/")
    return f"{url}{joiner}{parameter}{hash_sign}{fragment}"

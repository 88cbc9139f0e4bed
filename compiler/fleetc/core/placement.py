"""Where a fleet lives, decided by the caller and handed to the pure core:
its directory, repository, output, and what is on disk for its module files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Callable

from .model import Fleet


@dataclass(frozen=True)
class DiskView:
    """What the CLI found on disk for the module files the fleet references.

    Paths are absolute and normalised. `present`: those that exist (a file, or a
    directory Nix can import); `tracked`: those git tracks, None outside git;
    `links`: (path, where it really is) for those reached through a symlink.
    """

    present: frozenset[str] = frozenset()
    tracked: frozenset[str] | None = None
    links: frozenset[tuple[str, str]] = frozenset()

    def real_path(self, path: str) -> str:
        return dict(self.links).get(path, path)


@dataclass(frozen=True)
class ShareFacts:
    """What the CLI found on disk for the source directories of shares taken
    from the repository (`from_repo`), absolute, normalised paths.

    `directories`: those that are directories (followed through links);
    `real`: (path, where it really is) for those reached through a link;
    `ignored`: (path, the first entry of it git ignores: itself or one inside,
    relative to the repository); `tracked`: those holding a file git tracks
    (None outside git); `private`: (path, an entry inside it that others
    cannot read) for those holding one.
    """

    directories: frozenset[str] = frozenset()
    real: frozenset[tuple[str, str]] = frozenset()
    ignored: frozenset[tuple[str, str]] = frozenset()
    tracked: frozenset[str] | None = None
    private: frozenset[tuple[str, str]] = frozenset()

    def real_path(self, path: str) -> str:
        return dict(self.real).get(path, path)

    def ignored_entry(self, path: str) -> str | None:
        return dict(self.ignored).get(path)

    def private_entry(self, path: str) -> str | None:
        return dict(self.private).get(path)


@dataclass(frozen=True)
class Placement:
    """Where the fleet file and its output live; decided by the caller, not read here.

    `fleet_dir` and `repo_root` are absolute; `out` overrides `fleet.output`.
    `flake_root` is the directory Nix is given (the repository in git; for
    `fleetc build` outside git, the fleet's directory); None when unknown.
    `look_up` gives the facts on disk for a list of module paths (the CLI's
    reads the file system and git; tests pass facts made by hand); None: nothing
    is looked up and only the paths themselves are judged.
    `for_build`: Nix reads the flake in this run, so a module git does not track
    yet is an error, not a warning.
    `look_up_shares` gives the facts for the source directories of shares taken
    from the repository (`from_repo`), like `look_up` for modules.
    """

    fleet_dir: PurePosixPath
    repo_root: PurePosixPath | None = None
    out: PurePosixPath | None = None
    flake_root: PurePosixPath | None = None
    look_up: Callable[[list[str]], DiskView] | None = None
    for_build: bool = False
    look_up_shares: Callable[[list[str]], ShareFacts] | None = None

    def output_dir(self, fleet: Fleet) -> PurePosixPath:
        return self.out or self.fleet_dir / fleet.output


@dataclass(frozen=True)
class Layout:
    """What the emitter needs to know about placement, as relative paths."""

    source_name: str
    # From the output directory back to the fleet file's directory ("..").
    fleet_dir_from_output: str
    # The output directory inside its git repository; None at the root or outside git.
    output_in_repo: str | None

#!/usr/bin/env python3
"""The reference a benchmark compares against: the fleet check a Nix user
writes by hand (an address table, as in the C3D2 and DD-IX configurations,
plus builtins.groupBy uniqueness assertions and a machine-id format check),
evaluated by nix-instantiate. Needs only Nix, no nixpkgs.

usage: nix-native-check.py N OUT.nix
then:  nix-instantiate --eval OUT.nix   (prints N when every check holds)
"""

import hashlib
import sys


def main(n: int, out: str) -> None:
    lines = ["let", "  vms = {"]
    for i in range(n):
        mid = hashlib.sha256(f"vm{i}".encode()).hexdigest()[:32]
        a, b = divmod(i + 10, 256)
        lines.append(
            f'    vm{i} = {{ host = "h{i // 10}"; machineId = "{mid}"; '
            f'ipv4 = "10.{a // 256}.{a % 256}.{b}"; '
            f'mac = "02:00:00:{a // 256:02x}:{a % 256:02x}:{b:02x}"; tap = "vm{i}"; }};'
        )
    lines += [
        "  };",
        "  all = builtins.attrValues vms;",
        "  dups = attr: builtins.filter (g: builtins.length g > 1)",
        "    (builtins.attrValues (builtins.groupBy (v: v.${attr}) all));",
        '  bad = builtins.concatMap dups [ "machineId" "ipv4" "mac" ];',
        '  okId = builtins.all (v: builtins.match "[0-9a-f]{32}" v.machineId != null) all;',
        "in",
        "assert bad == [ ] && okId;",
        "builtins.length all",
    ]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])

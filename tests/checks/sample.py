"""The contract's section 1 sample (comments dropped), a fleet without problems.

One addition: the contract's host lists `inputs.disko.nixosModules.disko` but
declares only `sops-nix`, so `[fleet.inputs.disko]` is declared here.
"""

SAMPLE = """\
[fleet]
name = "example"
domain = "example.org"
system = "x86_64-linux"
nixpkgs = "github:NixOS/nixpkgs/nixos-25.05"
microvm = "github:microvm-nix/microvm.nix"
flake = "git+https://git.example.org/org/fleet"
state_dir = "/var/lib/microvms"
output = "generated"
journal = true
nix_path = "flake"
store = "virtiofs"
network_stack = "networkd"
modules = ["modules/common.nix"]
vm_modules = ["modules/vm.nix"]
host_modules = []

[fleet.inputs.sops-nix]
url = "github:Mic92/sops-nix"
follows_nixpkgs = true

[fleet.inputs.disko]
url = "github:nix-community/disko"

[defaults.vm]
hypervisor = "cloud-hypervisor"
mem = 1024

[networks.lan]
ipv4 = "10.0.0.0/24"
gateway4 = "10.0.0.1"
ipv6 = "fd12:3456:789a::/64"
gateway6 = "fd12:3456:789a::1"
dns = ["10.0.0.1"]
mode = "bridge"
bridge = "br0"
vlan = 42
reserved = ["10.0.0.240-10.0.0.249"]

[hosts.server1]
machine_id = "5f0c1b7f9a3e4d2c8b6a0e1f2d3c4b5a"
system = "x86_64-linux"
uplink = "eno1"
modules = ["hosts/server1.nix", "inputs.disko.nixosModules.disko"]

[[hosts.server1.interfaces]]
network = "lan"
ipv4 = "10.0.0.2"

[vms.web]
host = "server1"
machine_id = "0123456789abcdef0123456789abcdef"
hypervisor = "cloud-hypervisor"
vcpu = 2
mem = 1024
autostart = true
vsock_cid = 10
modules = ["vms/web.nix"]

[[vms.web.interfaces]]
network = "lan"
ipv4 = "10.0.0.10"
ipv6 = "fd12:3456:789a::10"
mac = "02:00:00:00:00:10"
id = "vm-web"
type = "tap"

[[vms.web.shares]]
tag = "srv"
source = "/srv/web"
mount = "/srv"
proto = "virtiofs"
socket = "srv.sock"

[[vms.web.volumes]]
image = "var.img"
mount = "/var"
size = 4096
"""

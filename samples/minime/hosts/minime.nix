# The host's own configuration in the transcribed fleet (boot, ZFS, its
# uplink's DHCP client, resolved); not transcribed here. fleetc writes the
# `microvm` bridge, its router advertisements and the NAT.
{ ... }:
{ }

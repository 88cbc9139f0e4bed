# server1's own hardware and disks.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
}

# Every VM. In the transcribed fleet this is its server profile (SSH, users,
# WireGuard management) and each VM's sops file; not transcribed here.
{ ... }:
{ }

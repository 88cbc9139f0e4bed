# Every VM. In the transcribed fleet: its core profile (users, podman,
# NetworkManager, tailscale where enabled) and each VM's services; not
# transcribed here.
{ ... }:
{ }

# The host's own configuration in the transcribed fleet (IOMMU kernel
# parameters, sops secrets copied into /run/secrets/<vm>, NFS, syncthing,
# backups); not transcribed here. fleetc writes the journal links.
{ ... }:
{ }

# Every VM: its own metadata from the fleet file (the flake's lib.meta).
{ config, self, ... }:
let
  meta = self.lib.meta.${config.networking.hostName};
in
{
  environment.etc."fleet-role".text = meta.role;
}

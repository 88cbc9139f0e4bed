# users.users and users.groups; NixOS types them as submodules, `anything`
# keeps per-attribute merging.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.users = {
    users = mkOption {
      type = types.attrsOf types.anything;
      default = { };
      description = "User accounts.";
    };
    groups = mkOption {
      type = types.attrsOf types.anything;
      default = { };
      description = "Groups.";
    };
  };
}

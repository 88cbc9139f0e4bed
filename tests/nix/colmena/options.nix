# colmena's deploymentOptions (src/nix/hive/options.nix), as declared there:
# the `deployment.*` options every node is evaluated with.
{ name, lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.deployment = {
    targetHost = mkOption {
      type = types.nullOr types.str;
      default = name;
      description = "The target SSH node for deployment (default: the node's name).";
    };
    targetPort = mkOption {
      type = types.nullOr types.ints.unsigned;
      default = null;
      description = "The target SSH port for deployment.";
    };
    targetUser = mkOption {
      type = types.nullOr types.str;
      default = "root";
      description = "The user to log in as; null: not given to ssh.";
    };
    allowLocalDeployment = mkOption {
      type = types.bool;
      default = false;
      description = "Allow `colmena apply-local` on this node.";
    };
    buildOnTarget = mkOption {
      type = types.bool;
      default = false;
      description = "Build the system profile on the node itself.";
    };
    tags = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Tags to select nodes with (`--on @tag`).";
    };
    keys = mkOption {
      type = types.attrsOf types.anything;
      default = { };
      description = "Secrets to upload (a submodule in colmena; nothing uploads here).";
    };
    replaceUnknownProfiles = mkOption {
      type = types.bool;
      default = true;
      description = "Allow replacing a profile colmena does not know.";
    };
    privilegeEscalationCommand = mkOption {
      type = types.listOf types.str;
      default = [
        "sudo"
        "-H"
        "--"
      ];
      description = "How to become root when targetUser is not root.";
    };
    sshOptions = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Extra SSH options.";
    };
  };
}

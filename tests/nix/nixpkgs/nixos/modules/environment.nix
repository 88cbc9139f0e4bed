# environment.etc and environment.systemPackages.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  etcFile =
    { name, config, ... }:
    {
      options = {
        enable = mkOption {
          type = types.bool;
          default = true;
          description = "Whether this file is generated.";
        };
        target = mkOption {
          type = types.str;
          default = name;
          description = "Path relative to /etc.";
        };
        # `lines`: two definitions of `text` concatenate with "\n", which is
        # how a second machine-id definition ends up as a second line.
        text = mkOption {
          type = types.nullOr types.lines;
          default = null;
          description = "Text of the file.";
        };
        source = mkOption {
          type = types.path;
          description = "Path of the file's source.";
        };
        mode = mkOption {
          type = types.str;
          default = "symlink";
          description = "Mode of a copied file, or `symlink`.";
        };
        user = mkOption {
          type = types.str;
          default = "+0";
          description = "Owner of a copied file.";
        };
        group = mkOption {
          type = types.str;
          default = "+0";
          description = "Group of a copied file.";
        };
      };
      config.source = lib.mkIf (config.text != null) (
        lib.mkDefault (builtins.toFile "etc-${baseNameOf name}" config.text)
      );
    };
in
{
  options.environment = {
    etc = mkOption {
      type = types.attrsOf (types.submodule etcFile);
      default = { };
      description = "Files in /etc.";
    };
    systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "Packages in the system profile.";
    };
  };
}

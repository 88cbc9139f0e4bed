# Every host: the secrets sops-nix decrypts into /run/secrets.
{ ... }:
{
  sops.secrets."app-db-password" = { };
  sops.secrets."worker/token" = { };
}

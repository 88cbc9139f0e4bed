# Every VM of the fleet.
{ ... }:
{
  services.openssh.enable = true;
}

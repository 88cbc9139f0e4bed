# The web VM's service.
{ ... }:
{
  services.nginx.enable = true;
}

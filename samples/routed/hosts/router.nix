# NAT for the routed VMs, as the routed-network page does it: one rule for the
# whole subnet rather than one per tap.
{ ... }:
{
  networking.nat = {
    enable = true;
    internalIPs = [ "10.0.0.0/24" ];
    externalInterface = "enp0s3";
  };
}

# Everything in the fleet, hosts and VMs alike.
{ ... }:
{
  time.timeZone = "UTC";
}

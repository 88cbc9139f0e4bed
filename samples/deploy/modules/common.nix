# Every host and VM of the fleet.
{ ... }:
{
  time.timeZone = "UTC";
}

# Every machine keeps its journal for a month.
{ ... }:
{
  services.journald.extraConfig = "MaxRetentionSec=1month";
}

# Every VM: what the running VMs have that is no fleet key.
{
  # virtiofsd with more threads for the /etc, /var and store shares.
  microvm.virtiofsd.threadPoolSize = 4;
}

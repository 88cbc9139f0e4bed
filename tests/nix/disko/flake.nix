# Stand-in for github:nix-community/disko, which samples/basic names as a host
# module. fleetc's output sets no disko option, and the tests that evaluate
# samples replace the samples' own modules (the only users of disko's options)
# with empty ones, so its module declares nothing.
{
  description = "disko stand-in for fleetc tests";

  outputs =
    { self }:
    {
      nixosModules.disko = { };
      nixosModules.default = self.nixosModules.disko;
    };
}

# miniflux's service in the transcribed fleet; not transcribed here.
{ ... }:
{ }

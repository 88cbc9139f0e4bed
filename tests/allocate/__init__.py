"""Allocation of what a fleet leaves out."""

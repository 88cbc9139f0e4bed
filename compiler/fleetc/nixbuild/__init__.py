"""`fleetc build`: the staged copy of the fleet Nix sees (staging), one
`nix build` over runners and hosts (build), and hints for failed fetches
(nixfetch).

May import: core, emit, output, checks. Never: review, cli (tests/test_layers.py).
"""

# Set-up and everyday tasks. `make demo` and `make test` work on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test nix lint format goldens docs bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compile the bundled sample fleet and show what was written. The sample is
# copied out of this checkout first (generating from it into /tmp would leave
# the generated flake importing modules outside its repository, F024), into a
# new private directory each run: a fixed name in the shared /tmp could be
# someone else's directory or link, or an older demo's tree.
demo: $(STAMP)
	@demo=$$(mktemp -d "$${TMPDIR:-/tmp}/fleetc-demo.XXXXXX") && \
	cp -R samples/basic/. "$$demo/" && \
	echo "$(BIN)/fleetc generate $$demo/fleet.toml" && \
	$(BIN)/fleetc generate "$$demo/fleet.toml" && echo && \
	(cd "$$demo" && find generated -type f | sort) && echo && \
	cat "$$demo/generated/vms/web.nix" && echo && \
	echo "fleetc: .venv/bin/fleetc (not on PATH: run it so, add $(CURDIR)/$(BIN) to PATH, or \`pipx install .\`); the demo is in $$demo"

# What the tests run besides Python: Debian's nix-bin (a real Nix), shellcheck
# (the deploy script is linted), jq (the script is run), git and strace (the
# writer's no-op and fault-injection tests), systemd (systemd-tmpfiles and
# systemd-analyze read the tmpfiles rules and unit lines fleetc's values reach),
# graphviz (`fleetc graph --format svg`), groff (reads the man page, tests/docs),
# setpriv (drops root's override of file modes, tests/cli/test_cli_fs.py);
# installed when missing, which needs root.
DEBIAN_TOOLS := nix-instantiate:nix-bin shellcheck:shellcheck jq:jq git:git strace:strace systemd-tmpfiles:systemd systemd-analyze:systemd dot:graphviz groff:groff-base setpriv:util-linux
nix:
	@missing=""; for pair in $(DEBIAN_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y --no-install-recommends $$missing \
	    || { apt-get update && apt-get install -y --no-install-recommends $$missing; }; \
	  else echo "make test needs:$$missing (sudo apt-get install$$missing)"; exit 2; fi; fi
	@# nix-bin alone creates no build users (Debian's nix-setup-systemd would, via
	@# systemd-sysusers); Nix run as root refuses to build without its group.
	@if [ "$$(id -u)" = 0 ] && ! getent group nixbld >/dev/null; then \
	  groupadd --system nixbld; \
	  for i in 1 2 3 4; do useradd --system --no-create-home --home-dir /var/empty \
	    --shell /usr/sbin/nologin --gid nixbld --groups nixbld nixbld$$i; done; fi

test: $(STAMP) nix
	$(BIN)/python -m black --check --quiet compiler tests
	$(BIN)/python -m ruff check --quiet compiler tests
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/python -m black --check compiler tests
	$(BIN)/python -m ruff check compiler tests

format: $(STAMP)
	$(BIN)/python -m black compiler tests

# Regenerate the expected trees of tests/cases and samples/ (then review the diff!).
goldens: $(STAMP)
	$(BIN)/python -m tests.support.regen_goldens

# The reference, generated from the code (docs/reference: keys, commands,
# codes, the man page) and the JSON Schema editors read; tests/docs fails
# until they are regenerated after a key, command or code changes.
docs: $(STAMP)
	$(BIN)/python -m fleetc.cli.reference docs/reference
	$(BIN)/fleetc schema > compiler/fleetc/data/fleet.schema.json

clean:
	rm -rf $(VENV) build dist compiler/*.egg-info .pytest_cache

# One table (docs/speed.md): fleetc against the hand-written Nix check of the
# same fleet, whole processes, medians of 5 runs at 30, 300, 1,000 and 10,000
# VMs, each target of issue 24 marked; what the generated tree costs Nix (the
# stand-in flakes, offline); the profile and floor of every missed target.
# About 5 minutes on 2 cores. BENCH_ARGS: --quick (30 and 300 VMs, one run),
# --100k (adds 100,000 VMs, one run, minutes, over 1 GiB), --runs N,
# --sizes 1000,10000, --explain-all. Not part of `make test`.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python bench/table.py $(BENCH_ARGS)

# 100,000 mutated fleet files per frontend through the pure core on 2 cores
# (several minutes): no exception, every accepted tree parses with Nix, and the
# slowest input per byte against the bench fleet. Failures go to fuzz-failures/.
# Then 10,000 hostile repositories (tests/support/hostile.py: planted bookkeeping files,
# links out, FIFOs, hostile names; every command audited; 36 minutes measured
# on 2 cores other work shared); failures go to hostile-failures.json, and
# `python -m tests.support.hostile --only SEED` makes a failing one again.
fuzz: $(STAMP) nix
	$(BIN)/python -m tests.support.fuzz --count 100000 --jobs 2
	$(BIN)/python -m tests.support.hostile --count 10000 --jobs 2

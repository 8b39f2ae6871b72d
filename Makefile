# bluelight: `make demo` runs the hub with simulated control rooms; `make test` runs every test;
# `make fuzz` fuzzes a live hub against its OpenAPI document with Schemathesis (every check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup lock demo postgresql test test-fast test-slow fuzz bench lint docs screenshots clean

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
# The region's front door, and the tests that run it, use Debian's HAProxy (decision 0024).
HAPROXY := /usr/sbin/haproxy
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

setup: $(STAMP)

# A fresh machine installs exactly what requirements.lock pins (every dependency, the dev
# tools included), then bluelight itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v < (3, 14) else \
		"bluelight supports Python 3.11 to 3.13, not %d.%d: set PYTHON=python3.x" % v)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (run after changing a dependency, then
# commit both). One lock serves every supported Python: uv resolves it "universally".
UV_VERSION := 0.13.9
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--quiet -o requirements.lock

demo: setup
	$(BIN)/bluelight demo

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Debian's packaged haproxy.cfg listens on nothing, so the package's own service (where
# there is one) is harmless: the front door runs its own haproxy with its own config.
$(HAPROXY):
	$(SUDO) apt-get update -qq
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy

# PostgreSQL's servers for the regional cluster and its tests (Debian keeps them in
# /usr/lib/postgresql/<version>/bin). The tests start their own, on loopback ports, as the
# package's postgres user; the package's own cluster, if it made one, is not used.
PG_SERVER := $(firstword $(wildcard /usr/lib/postgresql/*/bin/postgres))
postgresql:
	@[ -n "$(PG_SERVER)" ] || { $(SUDO) apt-get update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

# Every suite, the slow ones (crash test, load) and the browser tests included: CI runs
# exactly this.
test: setup $(CHROMIUM) $(HAPROXY) postgresql lint
	$(BIN)/pytest -q

test-fast: setup postgresql
	$(BIN)/pytest -q -m "not slow"

test-slow: setup $(HAPROXY) postgresql
	$(BIN)/pytest -q -m slow

# Schemathesis against a live hub with agencies and an administrator, every check on, all
# phases (examples, coverage, fuzzing, stateful), for FUZZ_MINUTES (default 20) on two
# workers; prints the cases run, 5xx responses, undocumented statuses and check failures,
# and fails if any is not pending elsewhere (bluelight.sim.fuzz.PENDING). Report and
# Schemathesis's cache of failures (replayed first next time) in var/fuzz. `make test`
# runs a small seeded budget of the same (tests/integration/test_fuzz.py).
FUZZ_MINUTES ?= 20
FUZZ_ARGS ?=
fuzz: setup
	$(BIN)/python -m bluelight.sim.fuzz --max-time $$(( $(FUZZ_MINUTES) * 60 )) $(FUZZ_ARGS)

bench: setup
	$(BIN)/bluelight bench transfer --seconds 10 --rate 500 --json
	$(BIN)/bluelight bench transfer --seconds 10 --rate 3000 --json
	$(BIN)/bluelight bench crash --kills 5 --transfers 2000 --json
	$(BIN)/bluelight bench signin --json
	$(BIN)/bluelight bench region --json

# Style, then the layering contracts in .importlinter (each product's layers, the two
# products apart, the kernel shared, the SDK on the wire types alone): see decision 0001.
lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache

docs: setup
	$(BIN)/bluelight openapi --out docs/openapi.json
	$(BIN)/python -m bluelight.kernel.apidoc docs/openapi.json docs/api-reference.md

# Screenshots of the console's main screens, for the README.
screenshots: setup $(CHROMIUM)
	$(BIN)/python tests/e2e/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache

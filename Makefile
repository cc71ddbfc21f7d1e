# The one entry point. A clean machine has Node/npm but no Bun: `make` installs
# the pinned Bun from the npm registry (the only registry reachable), then the
# locked dependencies.
BUN_VERSION := 1.4.5
SHELL := /bin/bash
BUN := $(shell command -v bun 2>/dev/null)
ifeq ($(BUN),)
BUN := bun
endif

.PHONY: all bun deps build run test test-unit test-integration test-binary test-clients clients lint format check migrations bench soak release clean chromium wine victoria-metrics mingw test-packages tinyproxy arm64 wrk aiosmtpd fuse debootstrap faketime strace

all: build

bun:
	@if ! command -v bun >/dev/null 2>&1 || [ "$$(bun --version)" != "$(BUN_VERSION)" ]; then \
		echo "installing bun $(BUN_VERSION) from the npm registry"; \
		npm install -g --no-fund --no-audit bun@$(BUN_VERSION); \
	fi

node_modules/.installed: package.json bun.lock | bun
	bun install --frozen-lockfile
	@touch $@

deps: node_modules/.installed

dist/relay: deps $(shell find src drizzle -type f 2>/dev/null) scripts/build.ts package.json
	bun run scripts/build.ts --outfile dist/relay

build: dist/relay

# Starts the relay on the example config (Ctrl-C stops it; events stay in data/).
run: deps
	bun run src/main.ts serve --config config.example.toml

# Installs, with Debian's apt-get, those of the named packages that are
# missing (apt-get update only when the first try fails); nothing when all are there.
define apt_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		apt-get install -y -qq $$missing || (apt-get update -qq && apt-get install -y -qq $$missing); \
	fi
endef

# What the tests drive besides a browser, a Wine chroot and the client matrix,
# each a target of its own so one can be installed alone:
# tinyproxy: cloud.proxy (forward-proxy, upgrade and telemetry tests).
tinyproxy:
	$(call apt_missing,tinyproxy)
# qemu-user with an arm64 loader, libc and libgcc: the arm64 release binary
# runs (release.test.ts), the x64 ones on a CPU without AVX2 (release-cpu.test.ts).
arm64:
	$(call apt_missing,qemu-user-static libc6-arm64-cross libgcc-s1-arm64-cross)
# wrk: the load the refusal and log-fault tests put on the binary, and `make bench`.
wrk:
	$(call apt_missing,wrk)
# A real SMTP server for the alert e-mails.
aiosmtpd:
	$(call apt_missing,python3-aiosmtpd)
# test/fuse's lossy filesystem (power cuts).
fuse:
	$(call apt_missing,python3-fusepy fuse3)
# The Wine and VictoriaMetrics chroots are made from Debian's mirror.
debootstrap:
	$(call apt_missing,debootstrap)
# libfaketime: wall-clock steps under the binary (clock-step.test.ts, `make soak`).
faketime:
	$(call apt_missing,faketime)
# strace: the fsync before each 200 (durability.test.ts); systemd-analyze: the unit's verify.
strace:
	$(call apt_missing,strace systemd)
test-packages: tinyproxy arm64 wrk aiosmtpd fuse debootstrap faketime strace

# The status page test drives Debian's Chromium (never a downloaded browser).
chromium:
	$(call apt_missing,chromium)

# The client matrix (test/clients) drives Debian's Java 17 with Jackson, Go,
# Mono, Python requests, curl and openssl; the test layer installs the same
# packages itself when they are missing.
CLIENT_PACKAGES := openjdk-17-jdk-headless libjackson2-databind-java golang-go mono-devel python3-requests curl openssl
clients:
	$(call apt_missing,$(CLIENT_PACKAGES))

# The Windows builds embed relay-service.exe (src/cli/service/relay-service.c),
# cross-compiled with Debian's mingw-w64.
mingw:
	$(call apt_missing,gcc-mingw-w64-x86-64)

# The Windows binary's tests run it under Wine 10 in a Debian 13 chroot made
# from Debian's mirror, cached outside the repository (test/wine/setup.sh;
# about a minute the first time, nothing after). Where it cannot be made (no
# root, no mirror) the Wine test skips and says why; `make test` goes on.
wine: debootstrap
	@bash test/wine/setup.sh || echo "warning: no Wine chroot; test/binary/windows-wine.test.ts will skip, saying why"

# The OTLP receiver test/binary/telemetry.test.ts pushes to: VictoriaMetrics
# from Debian 13's mirror in a minimal chroot, cached outside the repository
# (test/telemetry/setup.sh; under a minute the first time). Where it cannot be
# made, that part of the test skips and says why.
victoria-metrics: debootstrap
	@bash test/telemetry/setup.sh || echo "warning: no VictoriaMetrics chroot; test/binary/telemetry.test.ts will skip its VictoriaMetrics part, saying why"

# Every layer (README "Architecture"): the binary and the release files built
# first, Chromium for the status page, the Wine chroot for the Windows binary,
# and every Debian package a test drives (test-packages, clients).
test: build dist/SHA256SUMS chromium wine victoria-metrics clients test-packages
	bun test --timeout 30000

# One layer each. Unit: pure functions, no build, no server, seconds.
test-unit: deps
	bun test ./test/unit

# In-process relays on port 0, temp spools, mock clouds; no build either.
test-integration: deps
	bun test --timeout 30000 ./test/integration

# The compiled binary, the release files, the status page in Chromium.
test-binary: build dist/SHA256SUMS chromium wine victoria-metrics test-packages
	bun test --timeout 30000 ./test/binary

# Real POS HTTP clients (Java, Python, Node, Go, .NET, curl, a raw socket)
# against the compiled binary and a mock cloud; prints the "Tested clients" table.
test-clients: build clients
	bun test --timeout 30000 ./test/clients

# One formatter/linter (Biome) plus the type checker over source and tests.
lint: deps
	./node_modules/.bin/biome check .
	./node_modules/.bin/tsc --noEmit -p .

format: deps
	./node_modules/.bin/biome check --write .

check: lint test

# After changing src/spool/schema.ts: write the SQL migration and embed it.
migrations: deps
	./node_modules/.bin/drizzle-kit generate
	bun run scripts/embed-migrations.ts

# Benchmarks against the machine's own limits (not part of `make test`).
bench: build wrk
	bun run test/bench/run.ts

# The chaos soak: the binary under a seeded schedule of faults (cloud down,
# 503/429/slow answers, full spool and log disks, wall-clock steps, kill -9,
# SIGHUP, floods) while POS clients post; the promises checked all along.
# `make soak SEED=123 MINUTES=10` replays a run; no SEED draws one. Needs root
# for the tmpfs disks and Debian's faketime for the clock steps (left out,
# saying so, without). The summary is also written as JSON (SOAK_SUMMARY,
# default /tmp/relay-soak-<seed>.json); SOAK_KINDS=cloud_down,kill9 narrows it;
# SOAK_FUSE=1 puts the spool on test/fuse's lossy FS and adds power cuts;
# SOAK_BINARY=path soaks another build.
SEED ?=
MINUTES ?= 2
soak: build faketime fuse
	SEED="$(SEED)" MINUTES="$(MINUTES)" bun run test/soak/run.ts

# Binaries for linux-x64, linux-arm64 and windows-x64 (x64 also on Bun's
# baseline runtime), plus dist/SHA256SUMS. `make release` always builds anew
# (each file names the commit it was built from); `make test` only when a
# source changed since.
release: deps mingw
	bun run scripts/release.ts

dist/SHA256SUMS: | mingw
dist/SHA256SUMS: node_modules/.installed $(shell find src drizzle -type f 2>/dev/null) scripts/build.ts scripts/release.ts package.json bun.lock
	bun run scripts/release.ts

clean:
	rm -rf dist

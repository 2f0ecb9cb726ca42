# awsmfa — build, install test dependencies, test, benchmark.
#
#   make test    install what the tests need (on a fresh machine), then run every test
#   make bench   run the benchmarks recorded in README.md
#   make dist    release binaries for linux, darwin, windows (amd64, arm64) and SHA256SUMS in dist/
#
# Under CI=true every tool the tests need must be present; tests fail rather
# than skip when one is missing.

GO        ?= go
# Static by default: a cgo build starts slower (dynamic loading) on every
# credential_process call. The macOS Keychain backend needs cgo: make
# CGO_ENABLED=1 on a Mac.
CGO_ENABLED ?= 0
NPM_CACHE ?= $(CURDIR)/.cache/npm
export AWSMFA_ORACLE_DIR := $(CURDIR)/tools/oracle

.PHONY: all build dist test deps deps-apt deps-npm vet bench fuzz clean

all: build

build:
	CGO_ENABLED=$(CGO_ENABLED) $(GO) build -trimpath -o bin/awsmfa ./cmd/awsmfa

# Release builds: static (CGO_ENABLED=0), stripped, -trimpath, version and
# commit stamped; see scripts/dist.sh.
dist:
	@scripts/dist.sh dist

deps: deps-apt deps-npm

# Debian packages used by end-to-end tests and benchmarks: the real AWS CLI v2
# (/usr/bin/aws), oathtool (TOTP cross-check), wrk (load tests), chromium
# (renders the audit HTML report headless).
deps-apt:
	@scripts/install-apt-deps.sh

# The independent policy engine used as a differential-test oracle
# (@cloud-copilot/iam-simulate, AGPL: installed for tests only, never shipped).
deps-npm:
	@scripts/install-npm-deps.sh "$(NPM_CACHE)"

vet:
	$(GO) vet ./...

test: deps vet
	$(GO) test -count=1 ./...

fuzz:
	@scripts/fuzz-all.sh 20s

bench:
	@scripts/bench.sh

clean:
	rm -rf bin dist .cache tools/oracle/node_modules

# Kansrijk — make targets. `make test` is what CI runs.
GO ?= go
PKGS := ./...

.PHONY: run test test-short bench bench-harness vet fmt build clean fuzz lint security security-short

# Fuzz targets (package:Target), each run for FUZZTIME by `make test`.
FUZZ := ./internal/attendance:FuzzParse ./internal/birth:FuzzParseBatch ./internal/deprivation:FuzzParseCSV \
	./internal/deprivation:FuzzParseFile ./internal/birth:FuzzValidate \
	./internal/municipality:FuzzParseDate ./internal/municipality:FuzzByPostcode \
	./internal/mailing:FuzzNewDraft ./internal/mailing:FuzzParseForm \
	./internal/outreach:FuzzParseTargetFilter ./internal/textnorm:FuzzFold \
	./internal/httpx:FuzzLocalPath ./internal/agreement/pdfcheck:FuzzCheck \
	./internal/server:FuzzAPIJSONBodies ./internal/server:FuzzAPIQueries
FUZZTIME ?= 3s

run:
	$(GO) run ./cmd/kansrijk serve --demo

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/kansrijk ./cmd/kansrijk

# The whole suite: SQLite and PostgreSQL store tests, browser end-to-end
# tests in headless Chromium, and a short fuzz run of the parsers.
# PostgreSQL: KANSRIJK_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
test: vet
	$(GO) test -count=1 -timeout 20m $(PKGS)
	$(MAKE) --no-print-directory fuzz

# scripts/fuzz-one tells a failing input from Go 1.26's deadline race at
# the end of -fuzztime (golang/go#75804).
fuzz:
	@set -e; for f in $(FUZZ); do pkg=$${f%%:*}; target=$${f##*:}; \
	  echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	  GO=$(GO) ./scripts/fuzz-one $$pkg $$target $(FUZZTIME); done

test-short:
	$(GO) test -short -count=1 $(PKGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

# bench: the Go benchmarks, then the measuring harness of issue 14
# (kansrijk bench, figures in bench/results.json, see BENCHMARKS.md) on
# SQLite and, when reachable, on PostgreSQL, each in a fresh database it
# creates and drops. BENCH_SCALE=full for the issue's full data set.
BENCH_SCALE ?= small
KANSRIJK_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)
	$(MAKE) --no-print-directory bench-harness

bench-harness: build
	./bin/kansrijk bench --fresh --db sqlite:bench/tmp.db --scale $(BENCH_SCALE) --out bench/results.json
	./bin/kansrijk bench --fresh --skip-unreachable --db '$(KANSRIJK_TEST_POSTGRES)' --scale $(BENCH_SCALE) --out bench/results.json

clean:
	rm -rf bin test-artifacts

# Reliability harnesses (internal/reliability; figures in
# test-artifacts/reliability/*.json, summarised in RELIABILITY.md). Both run
# kansrijk serve as a process on SQLite and on PostgreSQL
# (KANSRIJK_TEST_POSTGRES); `make test` runs their short versions.
.PHONY: crash soak
CRASH_KILLS ?= 200
SOAK_CLIENTS ?= 200
SOAK_DURATION ?= 10m

# crash: SIGKILL at random moments while writing, restart, check.
crash:
	KANSRIJK_CRASH_KILLS=$(CRASH_KILLS) $(GO) test -count=1 -timeout 4h -run '^TestCrash$$' -v ./internal/reliability/

# soak: a realistic mix of clients; errors, p50/p99 and memory.
soak:
	KANSRIJK_SOAK_CLIENTS=$(SOAK_CLIENTS) KANSRIJK_SOAK_DURATION=$(SOAK_DURATION) $(GO) test -count=1 -timeout 4h -run '^TestSoak$$' -v ./internal/reliability/

# Static checks: staticcheck, govulncheck on a local vulnerability database
# built from the golang.org/x/vulndb module (standard-library findings are
# listed, not failed), and go.mod/go.sum tidy. The tools are installed with
# `go install` at these versions when missing.
STATICCHECK_VERSION ?= v0.8.2
GOVULNCHECK_VERSION ?= v1.9.0
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
GOBIN ?= $(shell $(GO) env GOPATH)/bin

lint: vet
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@test -x $(GOBIN)/govulncheck || $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	$(GO) mod tidy -diff
	$(GOBIN)/staticcheck $(PKGS)
	$(GO) run ./internal/probe/vulncheck -vulndb golang.org/x/vulndb@$(VULNDB_VERSION) -govulncheck $(GOBIN)/govulncheck $(PKGS)

# sqlmap (Debian package) against `kansrijk serve --demo` on 127.0.0.1, on
# a fresh SQLite and a fresh PostgreSQL database, as an admin, a team
# worker and an OCMW worker: every parameter of every GET route and every
# string of every JSON write body, from the served OpenAPI document. Fails
# unless nothing is injectable. security-short is CI's run: SQLite, the
# admin, GET routes, level 1. SECURITY_FLAGS adds flags (see -h).
SECURITY_FLAGS ?=
security:
	$(GO) run ./internal/probe/security -db sqlite -db postgres -roles admin,team_worker,ocmw_worker $(SECURITY_FLAGS)

security-short:
	$(GO) run ./internal/probe/security -short $(SECURITY_FLAGS)

# Kansrijk — make targets. `make test` is what CI runs.
GO ?= go
PKGS := ./...

.PHONY: run test test-short bench vet fmt build clean

run:
	$(GO) run ./cmd/kansrijk serve --demo

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/kansrijk ./cmd/kansrijk

# The whole suite: SQLite and PostgreSQL store tests, browser end-to-end
# tests in headless Chromium, and a short fuzz run of the parsers.
# PostgreSQL: KANSRIJK_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
test: vet
	$(GO) test -count=1 -timeout 20m $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

clean:
	rm -rf bin test-artifacts

# Build, test and benchmark msgen.

GO ?= go
SHOP_OUT ?= out/shop

.PHONY: all build test test-short bench example update-golden vet clean

all: build test

## build: build the msgen binary into bin/msgen
build:
	$(GO) build -o bin/msgen ./cmd/msgen

## test: vet and run every test, the end-to-end tests included
test: vet
	$(GO) test ./...

## test-short: run the tests without building and starting generated services
test-short:
	$(GO) test -short ./...

## vet: run go vet on msgen itself
vet:
	$(GO) vet ./...

## bench: run the generation, check and init benchmarks (10 to 1000 services)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./generator/ ./cmd/msgen/

## example: generate the bundled shop example into $(SHOP_OUT)
example:
	$(GO) run ./cmd/msgen generate --spec testdata/examples/shop/msgen.cue --out $(SHOP_OUT)

## update-golden: rewrite the golden files and testscript expectations
update-golden:
	$(GO) test ./... -update

clean:
	rm -rf bin out

# bbs: build, test, run. Every target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
VENV := .venv
PYTHON := $(VENV)/bin/python
APT_PACKAGES := libnghttp2-dev libssl-dev zlib1g-dev libsqlite3-dev pkg-config protobuf-compiler etcd-server etcd-client nghttp2-client openssl python3 python3-venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CERTS := certs/dev
PROTOC_GEN_SWIFT := .build/protoc-gen-swift/release/protoc-gen-swift
LISTEN ?= 127.0.0.1:8889
DATA ?= data

.PHONY: all deps apt-deps build test check-imports soak run run-interop certs proto bench format clean

all: build

## deps: install missing Debian packages and the Python test tools (grpcio) in $(VENV)
deps: apt-deps $(VENV)/.installed

apt-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements-test.txt
	@command -v python3 >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3 python3-venv)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-test.txt
	touch $@

build: deps
	$(SWIFT) build

## test: the import check, then every test (Swift Testing suites, then the grpcio interop and refusal tests)
test: deps
	python3 scripts/check-imports.py
	$(SWIFT) build --build-tests
	BBS_PYTHON=$(abspath $(PYTHON)) $(SWIFT) test --skip-build

## check-imports: every target imports only what it declares in Package.swift and STYLE.md's table allows
check-imports:
	python3 scripts/check-imports.py

## soak: the long kill loop (100 SIGKILLs per backend)
soak: deps
	BBS_KILL_LOOP_ITERATIONS=100 BBS_PYTHON=$(abspath $(PYTHON)) $(SWIFT) test --filter KillLoop

## certs: a development CA, server and client certificates in $(CERTS) (not committed)
certs:
	@./certs/make-dev-certs.sh $(CERTS)

## run: bbs on embedded SQLite (data in $(DATA), git-ignored) with mutual TLS and the dev certificates on $(LISTEN)
run: deps certs
	$(SWIFT) build --product bbs --product bbsctl
	mkdir -p $(DATA)
	$$($(SWIFT) build --show-bin-path)/bbs serve --store sqlite:$(DATA)/bbs.db --listen-address $(LISTEN) \
	  --ca-file $(CERTS)/ca.pem --cert-file $(CERTS)/server.pem --key-file $(CERTS)/server.key

## run-interop: the gRPC interop test server (conformance tests) on $(LISTEN)
run-interop: deps certs
	$(SWIFT) build --product rpc-interop-server
	$$($(SWIFT) build --show-bin-path)/rpc-interop-server --listen-address $(LISTEN) \
	  --ca-file $(CERTS)/ca.pem --cert-file $(CERTS)/server.pem --key-file $(CERTS)/server.key

## proto: regenerate the committed Swift code from proto/ (builds protoc-gen-swift from swift-protobuf)
proto: deps
	$(SWIFT) build -c release --product protoc-gen-swift --scratch-path .build/protoc-gen-swift
	PROTOC_GEN_SWIFT=$(PROTOC_GEN_SWIFT) ./proto/generate.sh

bench: deps
	$(SWIFT) build -c release
	@echo "see bench/README.md for the benchmark commands"

## format: swift-format (.swift-format) over every hand-written Swift file; generated code is left alone
format:
	$(SWIFT) format --in-place --parallel $$(git ls-files '*.swift' | grep -v '/Generated/')

clean:
	rm -rf .build $(VENV) $(CERTS)

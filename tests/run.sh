#!/usr/bin/env bash
# The one command that runs every test of casebook: formatting, lints, the Rust suite
# (unit, fixture and server tests) and the browser suite in headless Chromium.
# It installs what it needs on a fresh Debian machine (Chromium, Node packages).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo test (unit, fixtures, server)"
cargo test --all-targets

if [ -d tests/browser ]; then
  step "browser suite (headless Chromium)"
  bash tests/browser/run.sh
fi

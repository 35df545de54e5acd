#!/usr/bin/env bash
# The browser suite of casebook: installs what it needs on a fresh Debian machine (Chromium, a Java
# runtime for the Nu HTML checker, the npm packages of package-lock.json), builds casebook and
# runs every test in headless Chromium. Exits non-zero on any failure or missing tool.
# Run from anywhere: `bash tests/browser/run.sh [tests/<file>.test.js ...]`.
set -euo pipefail
suite="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$suite/../.." && pwd)"
export CI="${CI:-true}" DEBIAN_FRONTEND=noninteractive

fail() { echo "browser suite: $*" >&2; exit 1; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "missing ${need_apt[*]}; run as root or install them with apt-get"
  command -v apt-get >/dev/null 2>&1 || fail "missing ${need_apt[*]} and no apt-get to install them"
  echo "installing ${need_apt[*]} with apt-get"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing after installation"
command -v java >/dev/null 2>&1 || fail "java is missing after installation"
command -v node >/dev/null 2>&1 || fail "node is missing (Node 20 or newer is required)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || fail "Node $(node --version) is too old; Node 20 or newer is required"

# Exactly the locked packages. --ignore-scripts: vnu-jar's postinstall would try to download a
# Java runtime; the system one is used instead. Browsers are never downloaded.
(cd "$suite" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
[ -f "$suite/node_modules/vnu-jar/build/dist/vnu.jar" ] || fail "vnu.jar missing after npm ci"

(cd "$root" && cargo build --quiet)
# The binary lies where cargo put it: CARGO_TARGET_DIR or build.target-dir may move it out of
# target/, and cargo metadata knows which.
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
  | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
export CASEBOOK_BIN="${CASEBOOK_BIN:-$target_dir/debug/casebook}"
[ -x "$CASEBOOK_BIN" ] || fail "casebook binary missing at $CASEBOOK_BIN"

mkdir -p "$root/tests/artifacts/screenshots"
exec node "$suite/harness.js" "$@"

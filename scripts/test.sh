#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds, then runs
# type-check + lint, policy unit tests (opa test), jest unit, workflow (time-skipping server)
# and integration tests (real dev server, real Kafka, a real Kubernetes API server, worker processes).
# Usage: scripts/test.sh [jest args...]   (extra args go to every jest run)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/tool-path.sh

bash scripts/setup.sh temporal test-server opa helm kafka kube sklearn a2a promtool
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` honours the lock exactly; npm 11's `npm ci` refuses this lock because it lists
  # @swc/core's platform packages only for Linux (its own lockfile writer leaves the rest out).
  npm install --no-audit --no-fund
fi

step() { printf '\n=== %s ===\n' "$*"; }
step build; npm run -s build
step lint; npx eslint .
step "opa test"
opa_out="$(mktemp)"
"$(tool_path opa OPA_BIN)" test --v1-compatible policies/vigil policies/data.json -v | tee "$opa_out" | tail -3
opa_pass=$(grep -c '^data\..*PASS' "$opa_out" || true)
opa_fail=$(grep -c '^data\..*FAIL' "$opa_out" || true)

results="$(mktemp -d)"
run_jest() { # run_jest NAME jest-args...
  local name="$1"; shift
  step "jest $name"
  npx jest --ci "$@" --json --outputFile="$results/$name.json"
}
status=0
run_jest unit "$@" --selectProjects unit || status=1
run_jest workflow "$@" --runInBand --selectProjects workflow || status=1
run_jest integration "$@" --runInBand --selectProjects integration || status=1

# Every stage must have written its results (scripts/test-summary.js): a jest that died before
# writing them fails the run, whatever the others said.
node scripts/test-summary.js "$results" "$opa_pass" "$opa_fail" unit workflow integration || status=1
exit $status

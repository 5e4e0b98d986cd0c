#!/usr/bin/env bash
# The embedded default, from a fresh clone: installs tools and packages, builds, runs `vigil demo`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh temporal opa
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` honours the lock exactly; npm 11's `npm ci` refuses this lock because it lists
  # @swc/core's platform packages only for Linux (its own lockfile writer leaves the rest out).
  npm install --no-audit --no-fund
fi
npm run -s build
exec node bin/vigil.js demo "$@"

#!/usr/bin/env bash
# Compiles TypeScript to dist/, prebundles the workflow code and builds the policy bundle.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
rm -rf dist
npx tsc -p tsconfig.json
node dist/scripts/bundle-workflows.js
bash scripts/build-policy.sh

#!/usr/bin/env bash
# Builds the review agent's Rego bundle from policies/ straight into the chart
# (files/policy/{policy.wasm,data.json,manifest.json}), where templates/policy-configmap.yaml
# turns it into the ConfigMap the review agent mounts. Run before `helm template|package|install`
# from a checkout; the output is build output and git-ignored.
# Usage: scripts/chart/gen-chart-policy.sh [CHART_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CHART="${1:-$ROOT/charts/vigil}"
bash "$ROOT/scripts/build-policy.sh" "$ROOT/policies" "$CHART/files/policy"

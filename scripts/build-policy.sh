#!/usr/bin/env bash
# Compiles policies/ (Rego v1) to wasm with `opa build -t wasm`, next to its data and a
# content-hash version, so the review agent can load (and hot-reload) one directory.
# Usage: scripts/build-policy.sh [SRC_DIR] [OUT_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/tool-path.sh"
OPA="$(tool_path opa OPA_BIN)"
SRC="${1:-$ROOT/policies}"
OUT="${2:-$ROOT/policies/build}"
mkdir -p "$OUT"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# vigil/mutation/steps is what a policy error escalates (the proposal after mutation); a policy
# source without step mutation (test fixtures) is built without it.
entrypoints=(vigil/review/verdict vigil/decision/result)
if grep -qsx 'package vigil.mutation' "$SRC"/vigil/*.rego; then entrypoints+=(vigil/mutation/steps); fi
"$OPA" build --v1-compatible -t wasm "${entrypoints[@]/#/-e}" \
  --ignore '*_test.rego' -o "$tmp/bundle.tar.gz" "$SRC/vigil"
tar -xzf "$tmp/bundle.tar.gz" -C "$tmp" --no-same-permissions /policy.wasm 2>/dev/null
cp "$tmp/policy.wasm" "$OUT/policy.wasm.next"
cp "$SRC/data.json" "$OUT/data.json.next"
# Readable by the review worker's user, whoever built it (the tarball's member is 0600).
chmod 0644 "$OUT/policy.wasm.next" "$OUT/data.json.next"
version="$(cat "$OUT/policy.wasm.next" "$OUT/data.json.next" | sha256sum | cut -c1-16)"
listed="$(printf '"%s",' "${entrypoints[@]}")"
printf '{"version":"%s","entrypoints":[%s]}\n' "$version" "${listed%,}" > "$OUT/manifest.json.next"
chmod 0644 "$OUT/manifest.json.next"
# Renames are atomic and the manifest goes last with the content hash, so a reader that catches
# the swap halfway sees a mismatch and reads again.
mv "$OUT/policy.wasm.next" "$OUT/policy.wasm"
mv "$OUT/data.json.next" "$OUT/data.json"
mv "$OUT/manifest.json.next" "$OUT/manifest.json"
echo "policy bundle $version -> $OUT"

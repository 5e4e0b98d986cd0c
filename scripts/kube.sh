#!/usr/bin/env bash
# A local Kubernetes control plane (etcd + kube-apiserver + kube-controller-manager, no kubelet)
# for development, tests and the demo.
#
#   scripts/kube.sh install                 build the pinned binaries into .tools/kube/bin (once)
#   scripts/kube.sh installed               exit 0 when nothing needs building, else 3
#   scripts/kube.sh start [--data DIR] [--timeout SECS] [--owner-pid PID]
#                                           start on free 127.0.0.1 ports; last line KUBECONFIG=<path>
#                                           (with --owner-pid, the cluster is stopped when PID exits)
#   scripts/kube.sh stop [--data DIR] [--timeout SECS]
#                                           stop the processes whose PIDs are in DIR/*.pid
#   scripts/kube.sh status [--data DIR]     exit 0 and print KUBECONFIG=... when running, else exit 3
#   scripts/kube.sh kubectl [--data DIR] -- ARGS...
#                                           run the pinned kubectl against DIR's cluster
#   scripts/kube.sh bin NAME                print the path of etcd|kube-apiserver|kube-controller-manager|kubectl
#
# The binaries are built with `go build` from the wrapper module scripts/kube/ (k8s.io/kubernetes
# v1.35.4 with its staging modules replaced by the published k8s.io/* v0.35.4, and etcd 3.6.5
# from the same graph): modules come from the Go module proxy only; nothing else is downloaded.
# ETCD_BIN, KUBE_APISERVER_BIN, KUBE_CONTROLLER_MANAGER_BIN, KUBECTL_BIN name binaries to use
# instead (all three server binaries set = nothing is built). A kubectl on PATH is used when it
# is within one minor version of the server (the supported skew), else one is built.
# KUBECONFIG, when set, means "use that cluster": start and status only print it, stop does
# nothing. Only the KUBECONFIG=... line goes to stdout; messages go to stderr.
#
# What runs: etcd (plain HTTP, loopback only), kube-apiserver (TLS with a throwaway CA made by
# openssl in DIR/pki, client-certificate and ServiceAccount-token authentication, anonymous off,
# authorization Node,RBAC, an audit log of every mutating request in DIR/audit.log) and
# kube-controller-manager (ServiceAccount tokens and the default ServiceAccount, Deployments ->
# ReplicaSets -> Pods, namespace deletion, garbage collection). No kubelet: pods stay Pending.
#
# Env: GO (default go, 1.25+), KUBE_START_TIMEOUT (s, default 60), KUBE_BUILD_JOBS (go build -p).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="$ROOT/scripts/kube"
TOOLS_DIR="$ROOT/.tools/kube"
BIN_DIR="$TOOLS_DIR/bin"
# Written last by install, so a half-finished build is never mistaken for an installed one.
STAMP="$BIN_DIR/.build.sha256"
DEFAULT_DATA="$ROOT/.data/kube"
KUBE_VERSION=v1.35.4
KUBE_MINOR=35
SERVICE_CIDR=10.0.0.0/24
SERVICE_IP=10.0.0.1
ISSUER=https://kubernetes.default.svc.cluster.local

log() { printf '[kube] %s\n' "$*" >&2; }
die() { printf '[kube] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=lib/local-servers.sh
source "$ROOT/scripts/lib/local-servers.sh"

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------- install

# What the build depends on: the module, its sums, the etcd main and the flags below.
LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$KUBE_MINOR -X $pkg.gitTreeState=clean"
done
build_hash() {
  { cat "$MODULE/go.mod" "$MODULE/go.sum" "$MODULE/cmd/etcd/main.go"; echo "$LDFLAGS"; } | sha256sum | cut -d' ' -f1
}

built() { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(build_hash)" ]; }

# A kubectl whose client minor is within one of the server's (kubectl's supported skew).
kubectl_fits() {
  local bin="$1" minor
  minor=$("$bin" version --client -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -1)
  [[ "$minor" =~ ^[0-9]+$ ]] && [ $(( minor - KUBE_MINOR )) -le 1 ] && [ $(( KUBE_MINOR - minor )) -le 1 ]
}

external_servers() { [ -n "${ETCD_BIN:-}" ] && [ -n "${KUBE_APISERVER_BIN:-}" ] && [ -n "${KUBE_CONTROLLER_MANAGER_BIN:-}" ]; }

# Which kubectl to use, without building: KUBECTL_BIN, the built one, a fitting one on PATH.
kubectl_found() {
  if [ -n "${KUBECTL_BIN:-}" ]; then echo "$KUBECTL_BIN"; return 0; fi
  if built && [ -x "$BIN_DIR/kubectl" ]; then echo "$BIN_DIR/kubectl"; return 0; fi
  local p; p=$(command -v kubectl 2>/dev/null) || return 1
  kubectl_fits "$p" && echo "$p"
}

bin_path() { # bin_path NAME: the binary start runs (env var, else the built one)
  case "$1" in
    etcd) echo "${ETCD_BIN:-$BIN_DIR/etcd}" ;;
    kube-apiserver) echo "${KUBE_APISERVER_BIN:-$BIN_DIR/kube-apiserver}" ;;
    kube-controller-manager) echo "${KUBE_CONTROLLER_MANAGER_BIN:-$BIN_DIR/kube-controller-manager}" ;;
    kubectl) kubectl_found || echo "$BIN_DIR/kubectl" ;;
    *) die "unknown binary $1 (etcd, kube-apiserver, kube-controller-manager, kubectl)" ;;
  esac
}

installed() {
  local name
  if external_servers; then
    for name in ETCD_BIN KUBE_APISERVER_BIN KUBE_CONTROLLER_MANAGER_BIN; do [ -x "${!name}" ] || die "$name=${!name} is not an executable"; done
  else
    built || return 1
  fi
  kubectl_found >/dev/null
}

cmd_install() {
  if installed; then log "binaries present ($(dirname "$(bin_path kube-apiserver)"); kubectl $(kubectl_found))"; return 0; fi
  mkdir -p "$TOOLS_DIR"
  # Two jest workers, the demo or a CI step may install at once: serialise on a lock, then re-check.
  exec 9>"$TOOLS_DIR/.install.lock"
  if command -v flock >/dev/null 2>&1; then
    if ! flock -n 9; then log "another install is building; waiting for it"; flock 9; fi
  fi
  if installed; then log "binaries present in $BIN_DIR"; else build_binaries; fi
  # Release the lock now: a server started next would otherwise inherit fd 9 and hold it for good.
  exec 9>&-
}

check_go() {
  local go="${GO:-go}" v
  command -v "$go" >/dev/null 2>&1 || die "$go not found: install Go 1.25+ (https://go.dev/dl) or set ETCD_BIN, KUBE_APISERVER_BIN and KUBE_CONTROLLER_MANAGER_BIN"
  v=$("$go" env GOVERSION)
  v="${v#go}"
  local major="${v%%.*}" rest="${v#*.}"; local minor="${rest%%.*}"
  if ! [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 25 ]; }; then
    die "$go is go$v; building Kubernetes $KUBE_VERSION needs Go 1.25+"
  fi
}

build_binaries() {
  check_go
  local go="${GO:-go}" tmp="$TOOLS_DIR/bin.tmp.$$" blog="$TOOLS_DIR/build.log" started
  local targets=()
  external_servers || targets+=(./cmd/etcd k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
  if [ -z "${KUBECTL_BIN:-}" ] && ! { p=$(command -v kubectl 2>/dev/null) && kubectl_fits "$p"; }; then
    targets+=(k8s.io/kubernetes/cmd/kubectl)
    log "no kubectl within one minor of $KUBE_VERSION on PATH: building one too"
  fi
  rm -rf "$tmp"; mkdir -p "$tmp"
  started=$(date +%s)
  log "building Kubernetes $KUBE_VERSION (${targets[*]##*/}) from scripts/kube/ into .tools/kube/bin"
  log "a cold build takes about 8 min on 2 cores and ~2 GB of memory; later builds reuse the Go caches"
  # GOTOOLCHAIN=local: never fetch another Go toolchain behind the user's back. -mod=readonly: the
  # committed go.mod/go.sum are the pins; a mismatch fails instead of silently re-resolving.
  local build=(env CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" "$go" build -v -trimpath -ldflags "$LDFLAGS" -o "$tmp/")
  [ -n "${KUBE_BUILD_JOBS:-}" ] && build+=(-p "$KUBE_BUILD_JOBS")
  log "downloading modules (Go module proxy)"
  if ! (cd "$MODULE" && env GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$go" mod download) >"$blog" 2>&1; then
    tail -n 40 "$blog" >&2; rm -rf "$tmp"; die "go mod download failed (full output: $blog)"
  fi
  # go build -v names each package as it compiles it: print how far it got every 30 s.
  (cd "$MODULE" && "${build[@]}" "${targets[@]}") >>"$blog" 2>&1 &
  local bpid=$! last=0
  while kill -0 "$bpid" 2>/dev/null; do
    sleep 1
    if [ $(( $(date +%s) - last )) -ge 30 ]; then
      last=$(date +%s)
      [ "$last" -gt $(( started + 5 )) ] && log "still building: $(grep -cv '^go: ' "$blog" || true) packages compiled, $(( last - started )) s"
    fi
  done
  if ! wait "$bpid"; then
    tail -n 40 "$blog" >&2; rm -rf "$tmp"; die "go build failed (full output: $blog)"
  fi
  # Keep binaries the env vars name out of the stamp's folder; copy over what an earlier build made.
  mkdir -p "$BIN_DIR"
  local f
  for f in "$tmp"/*; do mv -f "$f" "$BIN_DIR/"; done
  rm -rf "$tmp"
  build_hash >"$STAMP"
  log "built in $(( $(date +%s) - started )) s: $(cd "$BIN_DIR" && ls | tr '\n' ' ')"
}

# ---------------------------------------------------------------- PKI and config

# A throwaway CA, the API server's serving cert, client certs (admin in system:masters, the
# controller manager) and the ServiceAccount token signing key. Made once per data dir.
make_pki() {
  local pki="$1/pki"
  [ -f "$pki/.complete" ] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl not found (apt-get install openssl)"
  rm -rf "$pki"; mkdir -p "$pki"; chmod 700 "$pki"
  (
    cd "$pki"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 365 -subj "/CN=vigil-dev-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    sign() { # sign NAME SUBJECT EXT
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      printf '%s\n' "$3" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 365 -extfile "$1.ext" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
    sign admin "/O=system:masters/CN=vigil-admin" "$client"
    sign controller-manager "/CN=system:kube-controller-manager" "$client"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
  ) || die "openssl could not make the PKI in $pki"
  touch "$pki/.complete"
}

b64() { base64 -w0 <"$1"; }

write_kubeconfig() { # write_kubeconfig FILE USER PORT: credentials embedded, so the file can be copied
  local file="$1" user="$2" port="$3" pki="$DATA/pki"
  (
    umask 077
    cat >"$file.tmp" <<EOF
# Written by scripts/kube.sh start; rewritten on every start (the port may change).
apiVersion: v1
kind: Config
clusters:
  - name: vigil-dev
    cluster:
      server: https://127.0.0.1:$port
      certificate-authority-data: $(b64 "$pki/ca.crt")
users:
  - name: $user
    user:
      client-certificate-data: $(b64 "$pki/$user.crt")
      client-key-data: $(b64 "$pki/$user.key")
contexts:
  - name: vigil-dev
    context: { cluster: vigil-dev, user: $user }
current-context: vigil-dev
EOF
    mv -f "$file.tmp" "$file"
  )
}

# Every mutating request is logged; reads are not (they would drown the writes). Secrets and
# token requests/reviews at Metadata level so the log never holds a secret or a token.
write_audit_policy() {
  cat >"$1" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    verbs: [get, list, watch]
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets, serviceaccounts/token]
      - group: authentication.k8s.io
        resources: [tokenreviews]
  - level: RequestResponse
EOF
}

# ---------------------------------------------------------------- processes

# Guards against PID reuse: every server gets a flag naming a file in the data dir.
pid_is_ours() { # pid_is_ours PID NAME DATA
  local args; args=$(ps -o args= -p "$1" 2>/dev/null || true)
  [[ "$args" == *"$2"* && "$args" == *"$3/"* ]]
}

COMPONENTS=(etcd kube-apiserver kube-controller-manager)

running_pid() { # running_pid DATA NAME: prints the PID if that server is running
  local pid f="$1/$2.pid"
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  if pid_alive "$pid" && pid_is_ours "$pid" "$2" "$1"; then echo "$pid"; else return 1; fi
}

all_running() { local c; for c in "${COMPONENTS[@]}"; do running_pid "$1" "$c" >/dev/null || return 1; done; }

log_tail() { # log_tail DATA NAME
  if [ -f "$1/$2.log" ]; then log "last lines of $1/$2.log:"; tail -n "${3:-25}" "$1/$2.log" | sed 's/^/    /' >&2; fi
}

spawn() { # spawn NAME ARGS...: own session, so a Ctrl-C or a killed parent does not take it down
  local name="$1"; shift
  if [ -f "$DATA/$name.log" ]; then mv -f "$DATA/$name.log" "$DATA/$name.log.1"; fi
  setsid nohup "$@" >"$DATA/$name.log" 2>&1 </dev/null &
  echo $! >"$DATA/$name.pid"
}

# With --owner-pid (the test helper passes its own PID): once the owner is gone, TERM the servers
# (controller manager, API server, etcd), then KILL after 15 s, so a test run that dies leaves no
# server behind. It ends by itself once the servers are gone. Args: OWNER DATA PID...
# shellcheck disable=SC2016
WATCHDOG='
  owner="$1" data="$2"; shift 2
  alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st:0:1}" != Z ]; }
  ours() { case "$(ps -o args= -p "$1" 2>/dev/null)" in *"$data/"*) return 0 ;; esac; return 1; }
  any() { for p in "$@"; do alive "$p" && return 0; done; return 1; }
  while alive "$owner" && any "$@"; do sleep 1; done
  for p in "$@"; do alive "$p" && ours "$p" && kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 150); do any "$@" || exit 0; sleep 0.1; done
  for p in "$@"; do alive "$p" && ours "$p" && kill -KILL "$p" 2>/dev/null; done
'

parse_opts() { # parse_opts DEFAULT_TIMEOUT ARGS...: sets DATA, TIMEOUT, OWNER, REST
  DATA="$DEFAULT_DATA"; OWNER=""; TIMEOUT="$1"; shift; REST=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --data) [ $# -ge 2 ] || die "--data needs a value"; DATA="$2"; shift 2 ;;
      --data=*) DATA="${1#*=}"; shift ;;
      --timeout) [ $# -ge 2 ] || die "--timeout needs a value"; TIMEOUT="$2"; shift 2 ;;
      --timeout=*) TIMEOUT="${1#*=}"; shift ;;
      --owner-pid) [ $# -ge 2 ] || die "--owner-pid needs a value"; OWNER="$2"; shift 2 ;;
      --owner-pid=*) OWNER="${1#*=}"; shift ;;
      --) shift; REST=("$@"); break ;;
      -h|--help) usage ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "bad --timeout $TIMEOUT"
  if [ -n "$OWNER" ] && ! [[ "$OWNER" =~ ^[0-9]+$ ]]; then die "bad --owner-pid $OWNER"; fi
  # The data dir ends up in flags and kubeconfig paths: keep it to characters that need no quoting.
  [[ "$DATA" =~ ^[A-Za-z0-9_./+-]+$ ]] || die "the data dir may hold only letters, digits and _ . / + -: $DATA"
  DATA="$(realpath -m "$DATA")"
}

# curl as the admin: prints the HTTP status of GET PATH.
api_status() { # api_status PORT PATH
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$DATA/pki/ca.crt" \
    --cert "$DATA/pki/admin.crt" --key "$DATA/pki/admin.key" "https://127.0.0.1:$1$2" 2>/dev/null || true
}

stop_all() { # stop_all TIMEOUT: reverse start order, TERM then KILL
  local timeout="$1" c pid i
  for (( i=${#COMPONENTS[@]}-1; i>=0; i-- )); do
    c="${COMPONENTS[$i]}"
    if pid=$(running_pid "$DATA" "$c"); then
      log "stopping $c (pid $pid)"
      stop_pid "$pid" "$timeout" || die "$c pid $pid did not exit after KILL"
    fi
    rm -f "$DATA/$c.pid"
  done
}

fail_start() { # fail_start MESSAGE COMPONENT
  log "$1"; log_tail "$DATA" "$2"
  stop_all 10 || true
  exit 1
}

cmd_start() {
  parse_opts "${KUBE_START_TIMEOUT:-60}" "$@"
  if [ -n "${KUBECONFIG:-}" ]; then
    log "KUBECONFIG is set: using that cluster, not starting one"
    echo "KUBECONFIG=$KUBECONFIG"
    return 0
  fi
  if all_running "$DATA"; then
    log "already running (data $DATA)"
    echo "KUBECONFIG=$DATA/admin.kubeconfig"
    return 0
  fi
  # Half a cluster (one server died) is restarted whole.
  stop_all 10
  command -v curl >/dev/null 2>&1 || die "curl not found (apt-get install curl)"
  command -v node >/dev/null 2>&1 || die "node not found (needed to pick free ports)"
  mkdir -p "$DATA"
  cmd_install
  make_pki "$DATA"
  write_audit_policy "$DATA/audit-policy.yaml"

  local etcd_port peer_port api_port
  read -r etcd_port peer_port api_port <<<"$(free_ports 3)"
  [ -n "$api_port" ] || die "could not pick free ports"
  local pki="$DATA/pki" started; started=$(date +%s%N)

  # etcd on loopback without TLS (a dev cluster's store; nothing but the API server talks to it).
  # --unsafe-no-fsync: a throwaway store, so durability is traded for speed on a busy CI disk.
  spawn etcd "$(bin_path etcd)" --name vigil-dev --data-dir "$DATA/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "vigil-dev=http://127.0.0.1:$peer_port" --unsafe-no-fsync --log-level warn
  local etcd_pid; etcd_pid=$(cat "$DATA/etcd.pid")
  local deadline=$(( $(date +%s) + TIMEOUT ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$etcd_port/health" || true)" = 200 ]; do
    pid_alive "$etcd_pid" || fail_start "etcd exited during start-up" etcd
    [ "$(date +%s)" -lt "$deadline" ] || fail_start "etcd was not healthy after ${TIMEOUT}s" etcd
    sleep 0.1
  done

  # --endpoint-reconciler-type none: the API server would publish its loopback address as the
  # `kubernetes` Service's endpoint, which validation refuses (every 10 s, into the audit log).
  spawn kube-apiserver "$(bin_path kube-apiserver)" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" --anonymous-auth=false \
    --authorization-mode Node,RBAC \
    --service-account-issuer "$ISSUER" --service-account-key-file "$pki/sa.pub" \
    --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --audit-policy-file "$DATA/audit-policy.yaml" --audit-log-path "$DATA/audit.log" \
    --audit-log-format json --audit-log-mode blocking --audit-log-maxsize 200 --audit-log-maxbackup 1 \
    --profiling=false --enable-priority-and-fairness=false \
    --endpoint-reconciler-type none
  local api_pid; api_pid=$(cat "$DATA/kube-apiserver.pid")
  write_kubeconfig "$DATA/admin.kubeconfig" admin "$api_port"
  write_kubeconfig "$DATA/controller-manager.kubeconfig" controller-manager "$api_port"

  # --secure-port 0: it serves nothing (no port, no cert); --leader-elect=false: one instance,
  # and no lease renewal every 2 s filling the audit log. No node lifecycle / taint eviction:
  # without kubelets no Node ever heartbeats, so those controllers would taint every seeded Node
  # unreachable and evict its pods after 5 min.
  spawn kube-controller-manager "$(bin_path kube-controller-manager)" \
    --kubeconfig "$DATA/controller-manager.kubeconfig" --secure-port 0 --leader-elect=false \
    --use-service-account-credentials=true --service-account-private-key-file "$pki/sa.key" \
    --root-ca-file "$pki/ca.crt" --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --controllers '*,-node-lifecycle-controller,-taint-eviction-controller'
  local cm_pid; cm_pid=$(cat "$DATA/kube-controller-manager.pid")
  if [ -n "$OWNER" ]; then
    setsid nohup bash -c "$WATCHDOG" kube-watchdog "$OWNER" "$DATA" "$cm_pid" "$api_pid" "$etcd_pid" >/dev/null 2>&1 </dev/null &
  fi
  log "etcd pid $etcd_pid (:$etcd_port), kube-apiserver pid $api_pid (https://127.0.0.1:$api_port), controller-manager pid $cm_pid; logs in $DATA"

  # Ready = /readyz answers 200 and the controller manager has made the default ServiceAccount
  # (before that, the API server refuses every pod).
  until [ "$(api_status "$api_port" /readyz)" = 200 ]; do
    pid_alive "$etcd_pid" || fail_start "etcd exited during start-up" etcd
    pid_alive "$api_pid" || fail_start "kube-apiserver exited during start-up" kube-apiserver
    [ "$(date +%s)" -lt "$deadline" ] || fail_start "kube-apiserver was not ready after ${TIMEOUT}s" kube-apiserver
    sleep 0.2
  done
  local api_ready=$(( ($(date +%s%N) - started) / 1000000 ))
  until [ "$(api_status "$api_port" /api/v1/namespaces/default/serviceaccounts/default)" = 200 ]; do
    pid_alive "$cm_pid" || fail_start "kube-controller-manager exited during start-up" kube-controller-manager
    [ "$(date +%s)" -lt "$deadline" ] || fail_start "no default ServiceAccount after ${TIMEOUT}s (controller manager)" kube-controller-manager
    sleep 0.2
  done
  echo "$api_port" >"$DATA/apiserver.port"
  log "ready in $(( ($(date +%s%N) - started) / 1000000 )) ms (API server /readyz after $api_ready ms); audit log $DATA/audit.log"
  log "kubectl: $(bin_path kubectl)"
  echo "KUBECONFIG=$DATA/admin.kubeconfig"
}

cmd_stop() {
  parse_opts 30 "$@"
  if [ -n "${KUBECONFIG:-}" ] && ! ls "$DATA"/*.pid >/dev/null 2>&1; then
    log "KUBECONFIG is set: not stopping an external cluster"; return 0
  fi
  stop_all "$TIMEOUT"
  log "stopped (data $DATA)"
}

cmd_status() {
  parse_opts 0 "$@"
  if [ -n "${KUBECONFIG:-}" ]; then log "external cluster (KUBECONFIG)"; echo "KUBECONFIG=$KUBECONFIG"; return 0; fi
  if all_running "$DATA"; then
    local c pid rss
    for c in "${COMPONENTS[@]}"; do
      pid=$(running_pid "$DATA" "$c"); rss=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || true)
      log "$c: pid $pid, rss $(( ${rss:-0} / 1024 )) MiB"
    done
    log "API server https://127.0.0.1:$(cat "$DATA/apiserver.port" 2>/dev/null || echo '?'), data $DATA"
    echo "KUBECONFIG=$DATA/admin.kubeconfig"
    return 0
  fi
  log "not running (data $DATA)"
  return 3
}

cmd_kubectl() {
  parse_opts 0 "$@"
  local kc="${KUBECONFIG:-$DATA/admin.kubeconfig}" k
  k=$(kubectl_found) || die "no kubectl: run scripts/kube.sh install"
  exec "$k" --kubeconfig "$kc" "${REST[@]}"
}

[ $# -ge 1 ] || usage
sub="$1"; shift
case "$sub" in
  install) [ $# -eq 0 ] || die "install takes no options"; cmd_install ;;
  installed) [ $# -eq 0 ] || die "installed takes no options"; installed || exit 3 ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  kubectl) cmd_kubectl "$@" ;;
  bin) [ $# -eq 1 ] || die "bin takes one name"; bin_path "$1" ;;
  -h|--help|help) usage ;;
  *) log "unknown command $sub"; usage ;;
esac

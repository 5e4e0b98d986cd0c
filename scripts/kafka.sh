#!/usr/bin/env bash
# A local single-node Apache Kafka (KRaft) broker for development and tests.
#
#   scripts/kafka.sh install                          resolve the broker jars into .tools/kafka/libs
#   scripts/kafka.sh start [--port N] [--data DIR] [--timeout SECS] [--owner-pid PID]
#                                                     start a broker on 127.0.0.1; prints KAFKA_BROKERS=127.0.0.1:N
#                                                     (with --owner-pid, the broker is stopped when PID exits)
#   scripts/kafka.sh stop [--data DIR] [--timeout SECS]
#                                                     stop the broker whose PID is in DIR/broker.pid
#   scripts/kafka.sh status [--data DIR]              exit 0 and print KAFKA_BROKERS=... when running, else exit 3
#
# The jars come from Maven Central through `mvn` on scripts/kafka/pom.xml (nothing else is
# downloaded). KAFKA_HOME, when it names a Kafka distribution with a libs/ folder, is used
# instead. KAFKA_BROKERS, when set, means "use that cluster": start and status only print it
# and stop does nothing. Only the KAFKA_BROKERS=... line goes to stdout; messages go to stderr.
#
# Env: JAVA_HOME (else java on PATH; Java 17+), MVN (default mvn),
#      KAFKA_HEAP_OPTS (default "-Xmx512m -Xms256m"), KAFKA_START_TIMEOUT (s, default 120).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
LOG4J_CONF="$ROOT/scripts/kafka/log4j2.properties"
TOOLS_DIR="$ROOT/.tools/kafka"
LIBS="$TOOLS_DIR/libs"
# Written last by install, so a half-finished copy is never mistaken for an installed one.
STAMP="$LIBS/.pom.sha256"
DEFAULT_DATA="$ROOT/.data/kafka"

log() { printf '[kafka] %s\n' "$*" >&2; }
die() { printf '[kafka] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=lib/local-servers.sh
source "$ROOT/scripts/lib/local-servers.sh"

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

java_bin() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; return; fi
  command -v java 2>/dev/null || die "java not found: install Java 17+ or set JAVA_HOME"
}

# Kafka 4 brokers need Java 17; say so up front rather than through an UnsupportedClassVersionError.
check_java() {
  local java="$1" spec major
  spec=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  major="${spec#1.}"; major="${major%%.*}"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt 17 ]; then
    die "$java is Java ${spec:-?}; the Kafka 4 broker needs Java 17+"
  fi
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

# The classpath folder: a user's own Kafka distribution wins over the project's copy.
libs_dir() {
  if [ -n "${KAFKA_HOME:-}" ] && [ -d "$KAFKA_HOME/libs" ]; then echo "$KAFKA_HOME/libs"; else echo "$LIBS"; fi
}

installed() {
  if [ -n "${KAFKA_HOME:-}" ] && [ -d "$KAFKA_HOME/libs" ]; then return 0; fi
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(pom_hash)" ]
}

cmd_install() {
  if installed; then log "broker jars present in $(libs_dir)"; return 0; fi
  command -v "${MVN:-mvn}" >/dev/null 2>&1 || die "${MVN:-mvn} not found: install Maven 3.8+ (apt-get install maven) or set KAFKA_HOME"
  mkdir -p "$TOOLS_DIR"
  # Two jest workers or a CI step may install at once: serialise on a lock, then re-check.
  exec 9>"$TOOLS_DIR/.install.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  if installed; then log "broker jars present in $LIBS"; else resolve_jars; fi
  # Release the lock now: a broker started next would otherwise inherit fd 9 and hold it for good.
  exec 9>&-
}

resolve_jars() {
  local tmp="$TOOLS_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  log "resolving Kafka broker jars from Maven Central (scripts/kafka/pom.xml) into .tools/kafka/libs"
  # mvn's output goes to a file (even -q prints colour resets); it is shown only when mvn fails.
  if ! "${MVN:-mvn}" -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >"$TOOLS_DIR/install.log" 2>&1; then
    tail -n 40 "$TOOLS_DIR/install.log" >&2
    rm -rf "$tmp"
    die "mvn could not resolve the broker jars (full output: $TOOLS_DIR/install.log)"
  fi
  pom_hash >"$tmp/.pom.sha256"
  # Swap the whole folder so a reader sees the old set or the new one, never a mix.
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  log "installed $(find "$LIBS" -name '*.jar' | wc -l) jars"
}

# A KRaft cluster id: 16 random bytes, base64url without padding (what kafka-storage random-uuid prints).
# Never one that starts with '-': kafka-storage would read it as an option (1 start in 64 failed so).
new_cluster_id() {
  if command -v node >/dev/null 2>&1; then
    node -e 'let id; do id = require("crypto").randomBytes(16).toString("base64url"); while (id.startsWith("-")); console.log(id)'
  else
    python3 -c 'import base64, os
while True:
    id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not id.startswith("-"): break
print(id)'
  fi
}

# Guards against PID reuse: only a java running kafka.Kafka on this data dir's config is ours.
pid_is_our_broker() {
  local pid="$1" data="$2" args
  args=$(ps -o args= -p "$pid" 2>/dev/null || true)
  [[ "$args" == *kafka.Kafka* && "$args" == *"$data/server.properties"* ]]
}

running_pid() { # prints the broker PID of DATA if it is running
  local data="$1" pid
  [ -f "$data/broker.pid" ] || return 1
  pid=$(cat "$data/broker.pid")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  if pid_alive "$pid" && pid_is_our_broker "$pid" "$data"; then echo "$pid"; else return 1; fi
}

log_tail() {
  if [ -f "$1/broker.log" ]; then tail -n "${2:-40}" "$1/broker.log" | sed 's/^/    /' >&2; fi
}

write_config() {
  local data="$1" port="$2" cport="$3"
  cat >"$data/server.properties" <<EOF
# Written by scripts/kafka.sh start; rewritten on every start (ports may change).
process.roles=broker,controller
node.id=1
# A static one-voter quorum: the simplest KRaft setup, and restarts on new ports need no re-format.
controller.quorum.voters=1@127.0.0.1:$cport
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/kraft

# One broker: every internal topic gets one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
# Fewer internal partitions than production's 50, so the first consumer group is ready fast.
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5

auto.create.topics.enable=true
num.partitions=3
# Consumer groups start without the 3 s wait for more members (tests join one at a time).
group.initial.rebalance.delay.ms=0

# Small segments and indexes: a dev broker holds little, and disk use stays small.
log.segment.bytes=1048576
log.index.size.max.bytes=1048576
log.retention.hours=24
log.retention.check.interval.ms=60000

# Sized for a laptop or a 2-core CI box.
num.network.threads=2
num.io.threads=4
EOF
}

parse_opts() { # parse_opts DEFAULT_TIMEOUT ARGS...: sets PORT, DATA, TIMEOUT from --port/--data/--timeout
  PORT=""; DATA="$DEFAULT_DATA"; OWNER=""; TIMEOUT="$1"; shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) [ $# -ge 2 ] || die "--port needs a value"; PORT="$2"; shift 2 ;;
      --port=*) PORT="${1#*=}"; shift ;;
      --data) [ $# -ge 2 ] || die "--data needs a value"; DATA="$2"; shift 2 ;;
      --data=*) DATA="${1#*=}"; shift ;;
      --timeout) [ $# -ge 2 ] || die "--timeout needs a value"; TIMEOUT="$2"; shift 2 ;;
      --timeout=*) TIMEOUT="${1#*=}"; shift ;;
      --owner-pid) [ $# -ge 2 ] || die "--owner-pid needs a value"; OWNER="$2"; shift 2 ;;
      --owner-pid=*) OWNER="${1#*=}"; shift ;;
      -h|--help) usage ;;
      *) die "unknown option $1" ;;
    esac
  done
  if [ -n "$PORT" ] && ! [[ "$PORT" =~ ^[0-9]+$ && "$PORT" -ge 1 && "$PORT" -le 65535 ]]; then die "bad --port $PORT"; fi
  [[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "bad --timeout $TIMEOUT"
  if [ -n "$OWNER" ] && ! [[ "$OWNER" =~ ^[0-9]+$ ]]; then die "bad --owner-pid $OWNER"; fi
  # Kafka reads log.dirs as a comma-separated list.
  [[ "$DATA" != *,* ]] || die "the data dir must not contain a comma: $DATA"
  DATA="$(realpath -m "$DATA")"
}

cmd_start() {
  parse_opts "${KAFKA_START_TIMEOUT:-120}" "$@"
  if [ -n "${KAFKA_BROKERS:-}" ]; then
    log "KAFKA_BROKERS is set: using that cluster, not starting a broker"
    echo "KAFKA_BROKERS=$KAFKA_BROKERS"
    return 0
  fi

  local pid
  if pid=$(running_pid "$DATA"); then
    log "broker already running (pid $pid, data $DATA)"
    echo "KAFKA_BROKERS=$(cat "$DATA/brokers")"
    return 0
  fi

  mkdir -p "$DATA"
  cmd_install
  local java; java="$(java_bin)"; check_java "$java"

  local cport
  if [ -n "$PORT" ]; then
    port_open "$PORT" && die "port $PORT on 127.0.0.1 is already in use"
    # Retry until the controller port is not the requested one.
    cport="$PORT"; while [ "$cport" = "$PORT" ]; do cport="$(free_ports 1)"; done
  else
    read -r PORT cport <<<"$(free_ports 2)"
  fi
  if [ -z "$PORT" ] || [ -z "$cport" ]; then die "could not pick free ports"; fi

  write_config "$DATA" "$PORT" "$cport"
  echo "127.0.0.1:$PORT" >"$DATA/brokers"
  # One log per run (the previous one kept as broker.log.1), so the readiness check below
  # cannot match a line an earlier run wrote.
  if [ -f "$DATA/broker.log" ]; then mv -f "$DATA/broker.log" "$DATA/broker.log.1"; fi
  : >"$DATA/broker.log"

  local cp heap
  cp="$(libs_dir)/*"
  # Word-split on purpose: KAFKA_HEAP_OPTS is a list of JVM flags, like in Kafka's own scripts.
  # shellcheck disable=SC2206
  heap=(${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m})
  local jvm=("$java" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true "-Dlog4j2.configurationFile=$LOG4J_CONF" -cp "$cp")

  # Format once per data dir; a restart reuses the data (and the cluster id kept in meta.properties).
  if [ ! -f "$DATA/kraft/meta.properties" ]; then
    local cid; cid="$(new_cluster_id)"
    log "formatting $DATA/kraft (cluster $cid)"
    if ! "${jvm[@]}" kafka.tools.StorageTool format -t "$cid" -c "$DATA/server.properties" >>"$DATA/broker.log" 2>&1; then
      log "storage format failed; broker.log:"; log_tail "$DATA"
      exit 1
    fi
  fi

  # setsid: the broker gets its own session, so a Ctrl-C or a killed parent (jest) does not
  # take it down half-way; it is stopped only through its PID (scripts/kafka.sh stop).
  local started; started=$(date +%s%N)
  setsid nohup "${jvm[@]}" kafka.Kafka "$DATA/server.properties" >>"$DATA/broker.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$DATA/broker.pid"
  log "broker pid $pid starting on 127.0.0.1:$PORT (controller :$cport), log $DATA/broker.log"
  if [ -n "$OWNER" ]; then
    setsid nohup bash -c "$WATCHDOG" kafka-watchdog "$OWNER" "$pid" "$DATA" >/dev/null 2>&1 </dev/null &
  fi

  # Ready = the listener accepts connections and the broker logged that it finished starting.
  # (The port alone is not enough: Kafka binds its listeners before it serves requests.)
  local deadline=$(( $(date +%s) + TIMEOUT ))
  while :; do
    if ! pid_alive "$pid"; then
      log "the broker exited during start-up; last lines of $DATA/broker.log:"; log_tail "$DATA"
      rm -f "$DATA/broker.pid"
      exit 1
    fi
    if port_open "$PORT" && grep -q 'Kafka Server started' "$DATA/broker.log"; then break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "the broker was not ready on 127.0.0.1:$PORT after ${TIMEOUT}s; last lines of $DATA/broker.log:"; log_tail "$DATA"
      stop_pid "$pid" 10 || true
      rm -f "$DATA/broker.pid"
      exit 1
    fi
    sleep 0.2
  done
  log "ready in $(( ($(date +%s%N) - started) / 1000000 )) ms"
  echo "KAFKA_BROKERS=127.0.0.1:$PORT"
}

# Run with --owner-pid (the test helper passes its own PID): once the owner is gone, TERM the
# broker, then KILL it after 15 s. A test run that dies or is killed (jest hook timeout, CI
# timeout) thus leaves no JVM behind, which an exit handler in the test process cannot ensure.
# It ends by itself as soon as the broker is gone. Args: OWNER_PID BROKER_PID DATA_DIR.
# shellcheck disable=SC2016
WATCHDOG='
  owner="$1" broker="$2" data="$3"
  alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st:0:1}" != Z ]; }
  ours() { case "$(ps -o args= -p "$broker" 2>/dev/null)" in *kafka.Kafka*"$data/server.properties"*) return 0 ;; esac; return 1; }
  while alive "$owner" && alive "$broker"; do sleep 1; done
  alive "$broker" && ours || exit 0
  kill -TERM "$broker" 2>/dev/null
  for _ in $(seq 150); do alive "$broker" || exit 0; sleep 0.1; done
  ours && kill -KILL "$broker" 2>/dev/null
'

cmd_stop() {
  # --timeout here is how long a clean shutdown may take before KILL.
  parse_opts 30 "$@"
  if [ -n "${KAFKA_BROKERS:-}" ] && [ ! -f "$DATA/broker.pid" ]; then
    log "KAFKA_BROKERS is set: not stopping an external cluster"; return 0
  fi
  local pid
  if ! pid=$(running_pid "$DATA"); then
    log "no broker running for $DATA"
    rm -f "$DATA/broker.pid"
    return 0
  fi
  log "stopping broker pid $pid"
  stop_pid "$pid" "$TIMEOUT" || die "pid $pid did not exit after KILL"
  rm -f "$DATA/broker.pid"
  log "stopped"
}

cmd_status() {
  parse_opts 0 "$@"
  if [ -n "${KAFKA_BROKERS:-}" ]; then log "external cluster (KAFKA_BROKERS)"; echo "KAFKA_BROKERS=$KAFKA_BROKERS"; return 0; fi
  local pid
  if pid=$(running_pid "$DATA"); then
    local rss; rss=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || true)
    log "running: pid $pid, rss ${rss:-?} KiB, data $DATA"
    echo "KAFKA_BROKERS=$(cat "$DATA/brokers")"
    return 0
  fi
  log "not running (data $DATA)"
  return 3
}

[ $# -ge 1 ] || usage
sub="$1"; shift
case "$sub" in
  install) [ $# -eq 0 ] || die "install takes no options"; cmd_install ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  -h|--help|help) usage ;;
  *) log "unknown command $sub"; usage ;;
esac

# Sourced by scripts/kafka.sh and scripts/kube.sh: free loopback ports and stopping a server by
# its PID. The sourcing script defines log and die.

# N distinct free loopback ports, all held open at once so they differ from each other.
# (The OS may hand one out again before a server binds it; start reports that clearly.)
free_ports() {
  local n="$1"
  if command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("net"); const n = Number(process.argv[1]); const held = [];
      const more = () => {
        if (held.length === n) { console.log(held.map((s) => s.address().port).join(" ")); held.forEach((s) => s.close()); return; }
        const s = net.createServer(); s.once("error", (e) => { console.error(e.message); process.exit(1); });
        s.listen(0, "127.0.0.1", () => { held.push(s); more(); });
      };
      more();' "$n"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))' "$n"
  else
    die "need node or python3 to pick free ports (or pass --port)"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Alive and not a zombie: a server reparented to a PID 1 that never reaps stays as a zombie.
pid_alive() {
  local pid="$1" state
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
  [ -n "$state" ] && [ "${state:0:1}" != Z ]
}

# TERM (the servers shut down cleanly on it), then KILL once the deadline passes.
stop_pid() {
  local pid="$1" timeout="$2"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + timeout ))
  while pid_alive "$pid"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "pid $pid still running after ${timeout}s: sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      pid_alive "$pid" && return 1
      return 0
    fi
    sleep 0.1
  done
}

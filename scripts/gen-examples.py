"""Builds examples/falco-alerts.jsonl: the 17 real alerts from shared/data/falco, plus three
variants of them (new namespace/pod/rule/time) that exercise escalation paths in the demo."""
import copy
import json
import sys

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

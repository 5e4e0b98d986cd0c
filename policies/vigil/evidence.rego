# Evidence of compromise: what the alert's (and its incident's) true facts show, weighed with the
# weights and indicators in data.vigil.config.evidence / .indicators. Automation needs positive
# evidence; "anomalous and inside policy" alone is never enough. The model's opinion (technique,
# confidence, summary) is not evidence: only Falco's rule, priority, tags and fields are.
package vigil.evidence

import rego.v1

import data.vigil.format

cfg := data.vigil.config.evidence

ind := data.vigil.config.indicators

# The incident's alerts: this one and any the incident joined before it.
alerts := array.concat([input.alert], object.get(input, "chain", []))

tags := {t | some a in alerts; some t in object.get(a, "tags", [])}

rules := {a.rule | some a in alerts}

findings contains {"code": "priority", "weight": w, "message": sprintf("Falco priority %s", [p])} if {
	ranked := [[w, p] | some p in {a.priority | some a in alerts}; w := object.get(cfg.priority, p, 0)]
	top := max(ranked)
	w := top[0]
	p := top[1]
	w > 0
}

findings contains {"code": "tactic", "weight": w, "message": sprintf("MITRE tactic %s", [trim_prefix(t, "mitre_")])} if {
	some t in tags
	w := cfg.tactics[t]
	w > 0
}

findings contains {"code": "technique", "weight": w, "message": sprintf("MITRE technique %s", [t])} if {
	some t in tags
	w := cfg.techniques[t]
	w > 0
}

findings contains {"code": "anomaly_score", "weight": cfg.anomaly_score.weight, "message": sprintf("anomaly score %s", [format.two_decimals(input.anomaly.score)])} if {
	input.anomaly.score >= cfg.anomaly_score.at
}

# One intrusion seen by several rules on one workload is stronger than any of them alone.
findings contains {"code": "chain", "weight": w, "message": sprintf("%d distinct rules on this workload", [count(rules)])} if {
	count(rules) > 1
	w := min([cfg.chain.max, (count(rules) - 1) * cfg.chain.per_extra_rule])
}

findings contains {"code": i.code, "weight": cfg.indicator_weight, "message": i.message} if {
	some i in indicators
}

weight := round(sum([f.weight | some f in findings]) * 100) / 100

# --- known-bad indicators, from the fields Falco reported ----------------------------------------

indicators contains {"code": "miner_pool_port", "message": sprintf("connection to %s on miner pool port %d", [ip, port])} if {
	some a in alerts
	some ip in outside_peers(a)
	some port in ports(a)
	port in ind.miner_ports
}

indicators contains {"code": "miner_process", "message": sprintf("process %s is a known miner", [name])} if {
	some a in alerts
	some name in processes(a)
	name in ind.miner_processes
}

indicators contains {"code": "reverse_shell", "message": sprintf("shell %s connected to outside address %s", [name, ip])} if {
	some a in alerts
	some name in processes(a)
	name in ind.shell_processes
	some ip in outside_peers(a)
}

indicators contains {"code": "known_bad_address", "message": sprintf("connection to known-bad address %s", [ip])} if {
	some a in alerts
	some ip in peers(a)
	some cidr in ind.known_bad_cidrs
	net.cidr_contains(cidr, ip)
}

indicators contains {"code": "attack_command", "message": sprintf("command line contains \"%s\"", [pattern])} if {
	some a in alerts
	cmdline := lower(field(a, "proc.cmdline"))
	some pattern in ind.attack_commands
	contains(cmdline, lower(pattern))
}

field(a, k) := v if {
	v := object.get(object.get(a, "fields", {}), k, null)
	is_string(v)
}

processes(a) := {lower(n) | some k in ["proc.name", "proc.pname"]; n := field(a, k)}

peers(a) := {ip | some k in ["fd.rip", "fd.sip", "fd.cip"]; ip := field(a, k); valid_ip(ip)}

# Outside: a valid address in none of the internal ranges (cluster, node and private networks).
outside_peers(a) := {ip |
	some ip in peers(a)
	every cidr in ind.internal_cidrs {
		not net.cidr_contains(cidr, ip)
	}
}

valid_ip(ip) if net.cidr_contains("0.0.0.0/0", ip)

valid_ip(ip) if net.cidr_contains("::/0", ip)

ports(a) := {p |
	some k in ["fd.rport", "fd.sport"]
	v := object.get(object.get(a, "fields", {}), k, null)
	p := port_number(v)
}

port_number(v) := v if is_number(v)

port_number(v) := to_number(v) if {
	is_string(v)
	regex.match(`^[0-9]{1,5}$`, v)
}

# --- what the evidence allows ----------------------------------------------------------------------

# Enough to contain without a human (other checks permitting).
sufficient if weight >= cfg.auto_execute_at

# So little that the finding is notified and closed, not contained and not paged.
insufficient if weight < cfg.auto_reject_below

summary := sprintf("evidence %s (%s)", [format.two_decimals(weight), concat(", ", sort([sprintf("%s %s", [f.message, format.two_decimals(f.weight)]) | some f in findings]))])

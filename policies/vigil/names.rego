# Kubernetes name rules (DNS-1123), the same the contracts enforce (contracts/k8s-names.ts).
# The contracts refuse a bad name before policy is asked; policy checks again because an exact-match
# protection is only as good as the spelling it compares ("Kube-System", "kube-system.").
package vigil.names

import rego.v1

dns_label(s) if {
	is_string(s)
	count(s) <= 63
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, s)
}

dns_subdomain(s) if {
	is_string(s)
	count(s) <= 253
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`, s)
}

# Every name a step's target carries is a valid Kubernetes name (a namespace is required).
valid_target(t) if {
	dns_label(t.namespace)
	every k in ["pod", "workload", "node"] {
		valid_optional(object.get(t, k, null))
	}
}

valid_optional(null)

valid_optional(name) if dns_subdomain(name)

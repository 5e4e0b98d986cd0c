package vigil.names_test

import rego.v1

import data.vigil.names

test_valid_names if {
	names.dns_label("kube-system")
	names.dns_subdomain("coredns-5d78c9869d-abcde")
	names.dns_subdomain("worker-3.example.internal")
	names.valid_target({"namespace": "default", "pod": "web-1", "workload": "web"})
	names.valid_target({"namespace": "default"})
}

test_spellings_that_dodge_exact_matches_are_not_names if {
	every bad in ["Kube-System", "kube-system.", "kube-system/x", "../kube-system", "kube\u0455ystem", " kube-system", "", "-x"] {
		not names.dns_label(bad)
		not names.valid_target({"namespace": bad, "pod": "p"})
	}
	not names.dns_label(concat("", ["a" | some _ in numbers.range(1, 64)]))
	not names.dns_subdomain(concat("", ["a" | some _ in numbers.range(1, 254)]))
	not names.valid_target({"namespace": "default", "pod": "P"})
	not names.valid_target({"namespace": "default", "node": "n/../m"})
	not names.dns_label(7)
}

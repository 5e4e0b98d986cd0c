package vigil.assets_test

import rego.v1

import data.vigil.assets

test_control_plane_namespace_is_protected if {
	assets.protection("kube-system", set()) == {{"code": "protected_asset", "message": "namespace kube-system always escalates"}}
}

test_customer_facing_workload_by_pod_name if {
	assets.protection("shop", {"checkout-5d8f9c7b6-x2x9q"}) == {{"code": "customer_facing", "message": "shop/checkout is a customer-facing workload"}}
}

test_customer_facing_workload_by_workload_name if {
	count(assets.protection("shop", {"web-frontend"})) == 1
}

test_same_name_in_another_namespace_is_not_protected if {
	assets.protection("default", {"checkout-5d8f9c7b6-x2x9q"}) == set()
}

test_name_prefix_must_end_at_a_dash if {
	assets.protection("shop", {"checkoutx-1"}) == set()
}

test_names_of_reads_pod_workload_and_name if {
	assets.names_of({"namespace": "n", "pod": "p", "workload": "w", "name": "o"}) == {"p", "w", "o"}
	assets.names_of({"namespace": "n"}) == set()
}

test_unprotected_is_proven_only_against_every_protection if {
	assets.unprotected("default", {"web-1"})
	assets.unprotected("shop", {"checkoutx-1"})
	not assets.unprotected("kube-system", set())
	not assets.unprotected("shop", {"checkout-5d8f9c7b6-x2x9q"})
	not assets.unprotected("shop", {"checkout"})
	not assets.unprotected(null, set())
}

test_unprotected_is_unproven_when_its_data_is_missing if {
	# A typo in the data key (or the Rego reading it) must not read as "nothing is protected".
	not assets.unprotected("default", {"web-1"}) with data.vigil.config as object.remove(data.vigil.config, ["always_escalate_namespaces"])
	not assets.unprotected("default", {"web-1"}) with data.vigil.config as object.remove(data.vigil.config, ["customer_facing_workloads"])
	not assets.unprotected("shop", {"web-1"}) with data.vigil.config.customer_facing_workloads as [{"namespace": "shop", "workloadx": "web"}]
}

// etcd from the same dependency graph as the API server (go.etcd.io/etcd/server/v3, the version
// k8s.io/kubernetes v1.35.4 requires), so one `go build` pins both.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }

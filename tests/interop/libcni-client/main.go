// libcni-client drives CNI plugins through libcni's CNIConfig, the way podman and
// containerd do: it loads a conflist, builds a RuntimeConf and calls AddNetworkList,
// CheckNetworkList or DelNetworkList.  Used by tests/integration/libcni_interop.sh.
//
// Usage: libcni-client add|check|del CONFLIST_FILE NETNS_PATH CONTAINER_ID IFNAME
//
// Plugins are searched in $CNI_PATH (':'-separated); results are cached under
// $NR_CNI_CACHE (libcni's default /var/lib/cni when unset).  On add the result is printed
// as JSON on stdout.  Errors go to stderr with exit status 1; bad usage exits 2.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

func usage() {
	fmt.Fprintf(os.Stderr, "usage: %s add|check|del CONFLIST_FILE NETNS_PATH CONTAINER_ID IFNAME\n",
		filepath.Base(os.Args[0]))
	os.Exit(2)
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "libcni-client: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 6 {
		usage()
	}
	cmd, confFile, netns, containerID, ifName := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]

	var paths []string
	for _, p := range strings.Split(os.Getenv("CNI_PATH"), ":") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	cninet := libcni.NewCNIConfigWithCacheDir(paths, os.Getenv("NR_CNI_CACHE"), nil)

	list, err := libcni.ConfListFromFile(confFile)
	if err != nil {
		fail("loading %s: %v", confFile, err)
	}
	rt := &libcni.RuntimeConf{ContainerID: containerID, NetNS: netns, IfName: ifName}
	ctx := context.Background()

	switch cmd {
	case "add":
		result, err := cninet.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail("add: %v", err)
		}
		if err := result.Print(); err != nil {
			fail("printing result: %v", err)
		}
	case "check":
		if err := cninet.CheckNetworkList(ctx, list, rt); err != nil {
			fail("check: %v", err)
		}
	case "del":
		if err := cninet.DelNetworkList(ctx, list, rt); err != nil {
			fail("del: %v", err)
		}
	default:
		usage()
	}
}

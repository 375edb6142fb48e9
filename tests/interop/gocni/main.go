// gocni: a CNI caller built on Debian's go-cni (github.com/containerd/go-cni), the library
// containerd's CRI plugin calls CNI through, loaded the way the CRI loads it (the loopback
// network, then the first conflist of a directory) and given capabilities the way the CRI
// gives them: go-cni's untagged structs, so runtimeConfig carries "HostPort",
// "RangeStart", "IngressRate", "Servers"... (docs/go-clients.md).  Built offline in
// GOPATH mode by tests/lib/gocni.sh; driven by tests/integration/gocni.sh.
//
// Usage: gocni [flags] setup|remove|check ID NETNS
//
//	-plugins DIR    the plugin directory (CNI_PATH)
//	-confdir DIR    the conflist directory (the first file in it is the network)
//	-port H:C/P     a port mapping (repeatable); -hostip sets HostIP for all
//	-range S,A,B,G  an IP range: subnet, rangeStart, rangeEnd, gateway (empty parts allowed)
//	-bw IR,IB,ER,EB the bandwidth capability (bits/s and bits)
//	-dns S;D;O      servers;searches;options, each comma-separated
//
// setup prints "eth0 ADDRESS" for every address of eth0; errors go to stderr, exit 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	gocni "github.com/containerd/go-cni"
)

type ports []string

func (p *ports) String() string     { return strings.Join(*p, " ") }
func (p *ports) Set(s string) error { *p = append(*p, s); return nil }

func die(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gocni: "+f+"\n", a...)
	os.Exit(1)
}

func split(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

func main() {
	var mappings ports
	plugins := flag.String("plugins", "/opt/cni/bin", "plugin directory")
	confdir := flag.String("confdir", "/etc/cni/net.d", "conflist directory")
	hostIP := flag.String("hostip", "", "HostIP of every mapping")
	ipRange := flag.String("range", "", "subnet,rangeStart,rangeEnd,gateway")
	bw := flag.String("bw", "", "ingressRate,ingressBurst,egressRate,egressBurst")
	dns := flag.String("dns", "", "servers;searches;options")
	flag.Var(&mappings, "port", "HOST:CONTAINER/PROTO (repeatable)")
	flag.Parse()
	if flag.NArg() != 3 {
		die("usage: gocni [flags] setup|remove|check ID NETNS")
	}
	verb, id, netns := flag.Arg(0), flag.Arg(1), flag.Arg(2)

	c, err := gocni.New(gocni.WithPluginDir([]string{*plugins}), gocni.WithPluginConfDir(*confdir),
		gocni.WithInterfacePrefix("eth"))
	if err != nil {
		die("new: %v", err)
	}
	// As containerd's CRI: loopback first, then the default network.
	if err := c.Load(gocni.WithLoNetwork, gocni.WithDefaultConf); err != nil {
		die("load: %v", err)
	}

	var opts []gocni.NamespaceOpts
	var pm []gocni.PortMapping
	for _, m := range mappings {
		var h, ct int32
		var proto string
		if _, err := fmt.Sscanf(strings.Replace(m, "/", " ", 1), "%d:%d %s", &h, &ct, &proto); err != nil {
			die("bad -port %q: %v", m, err)
		}
		pm = append(pm, gocni.PortMapping{HostPort: h, ContainerPort: ct, Protocol: proto, HostIP: *hostIP})
	}
	if len(pm) > 0 {
		opts = append(opts, gocni.WithCapabilityPortMap(pm))
	}
	if *ipRange != "" {
		p := append(strings.Split(*ipRange, ","), "", "", "")
		opts = append(opts, gocni.WithCapabilityIPRanges([]gocni.IPRanges{
			{Subnet: p[0], RangeStart: p[1], RangeEnd: p[2], Gateway: p[3]}}))
	}
	if *bw != "" {
		var v [4]uint64
		for i, s := range strings.Split(*bw, ",") {
			if i < 4 {
				if v[i], err = strconv.ParseUint(s, 10, 64); err != nil {
					die("bad -bw %q", *bw)
				}
			}
		}
		opts = append(opts, gocni.WithCapabilityBandWidth(gocni.BandWidth{
			IngressRate: v[0], IngressBurst: v[1], EgressRate: v[2], EgressBurst: v[3]}))
	}
	if *dns != "" {
		p := append(strings.Split(*dns, ";"), "", "")
		opts = append(opts, gocni.WithCapabilityDNS(gocni.DNS{
			Servers: split(p[0], ","), Searches: split(p[1], ","), Options: split(p[2], ",")}))
	}
	// The pod identity containerd's CRI passes as CNI_ARGS.
	opts = append(opts, gocni.WithLabels(map[string]string{
		"K8S_POD_NAMESPACE": "default", "K8S_POD_NAME": "pod-" + id, "K8S_POD_INFRA_CONTAINER_ID": id,
		"IgnoreUnknown": "1"}))

	ctx := context.Background()
	switch verb {
	case "setup":
		res, err := c.Setup(ctx, id, netns, opts...)
		if err != nil {
			die("setup: %v", err)
		}
		if eth0, ok := res.Interfaces["eth0"]; ok {
			for _, ip := range eth0.IPConfigs {
				fmt.Printf("eth0 %s\n", ip.IP)
			}
		}
	case "remove":
		if err := c.Remove(ctx, id, netns, opts...); err != nil {
			die("remove: %v", err)
		}
	case "check":
		if err := c.Check(ctx, id, netns, opts...); err != nil {
			die("check: %v", err)
		}
	default:
		die("unknown verb %q", verb)
	}
}

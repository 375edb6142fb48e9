/* `netns-run network create`: Docker's options into struct netdef_opts; the engine
 * (engine/netdef.h) checks them all and writes the conflist. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cni/cni_cleanup.h"
#include "engine/netdef.h"
#include "network.h"

static const char usage[] =
	"Usage: netns-run network create [OPTIONS] NAME\n"
	"\n"
	"Create a bridge network: a conflist NAME.conflist in the first config directory\n"
	"($NETNS_RUN_CONFIG_DIR, else /etc/netns-run/net.d), bridge + host-local + portmap, with\n"
	"DNS between its containers.  Prints the network's id.\n"
	"\n"
	"  -d, --driver DRIVER   bridge (default), or overlay: a network across hosts through etcd,\n"
	"                        made by netns-run-overlay (`network create --driver overlay --help`)\n"
	"      --subnet CIDR     a subnet (repeatable, IPv4 and IPv6); default: a free one of\n"
	"                        172.17-31.0.0/16, then 192.168.0.0/16 in /20s\n"
	"      --gateway IP      the gateway of the --subnet that contains it (default: its first address)\n"
	"      --ip-range CIDR   hand out addresses from this part of the --subnet that contains it\n"
	"      --ipv6            IPv6 too (a unique local fdXX:XXXX:XXXX::/64 from the id without a v6 --subnet)\n"
	"      --internal        no way out: no masquerade, no default route, no forwarding\n"
	"  -o, --opt KEY=VALUE   com.docker.network.bridge.name=NAME (default nr-<12 hex of the id>)\n"
	"                        com.docker.network.bridge.enable_icc=false\n"
	"                        com.docker.network.bridge.enable_ip_masquerade=false\n"
	"                        com.docker.network.driver.mtu=N\n"
	"                        others are kept (inspect shows them) and ignored, as Docker does\n"
	"      --label KEY[=VALUE]  metadata (repeatable)\n"
	"      --attachable      accepted (every network takes `network connect`)\n"
	"      --scope local     accepted (the only scope)\n"
	"      --ipam-driver default  accepted (the only IPAM driver: host-local)\n";

enum {
	OPT_SUBNET = 1000,
	OPT_GATEWAY,
	OPT_IP_RANGE,
	OPT_IPV6,
	OPT_INTERNAL,
	OPT_LABEL,
	OPT_ATTACHABLE,
	OPT_SCOPE,
	OPT_IPAM_DRIVER,
	OPT_UNSUPPORTED,
};

/* Whether argv asks for the overlay driver (-d overlay, -doverlay, --driver overlay,
 * --driver=overlay), looked for before the bridge's option loop: those networks are
 * netns-run-overlay's, with options of their own. */
static bool wants_overlay(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return false;
		if ((!strcmp(a, "-d") || !strcmp(a, "--driver")) && i + 1 < argc && !strcmp(argv[i + 1], "overlay"))
			return true;
		if (!strcmp(a, "-doverlay") || !strcmp(a, "--driver=overlay"))
			return true;
	}
	return false;
}

int cmd_network_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "driver", required_argument, NULL, 'd' },
		{ "opt", required_argument, NULL, 'o' },
		{ "subnet", required_argument, NULL, OPT_SUBNET },
		{ "gateway", required_argument, NULL, OPT_GATEWAY },
		{ "ip-range", required_argument, NULL, OPT_IP_RANGE },
		{ "ipv6", no_argument, NULL, OPT_IPV6 },
		{ "internal", no_argument, NULL, OPT_INTERNAL },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "attachable", no_argument, NULL, OPT_ATTACHABLE },
		{ "scope", required_argument, NULL, OPT_SCOPE },
		{ "ipam-driver", required_argument, NULL, OPT_IPAM_DRIVER },
		/* Docker's, not ours (yet): named so the refusal says so. */
		{ "aux-address", required_argument, NULL, OPT_UNSUPPORTED },
		{ "ipam-opt", required_argument, NULL, OPT_UNSUPPORTED },
		{ "config-from", required_argument, NULL, OPT_UNSUPPORTED },
		{ "config-only", no_argument, NULL, OPT_UNSUPPORTED },
		{ "ingress", no_argument, NULL, OPT_UNSUPPORTED },
		{ NULL, 0, NULL, 0 },
	};
	struct netdef_opts o = { 0 };
	size_t n_gw = 0, n_range = 0;
	struct nr_error err = { 0 };
	int c, idx;

	if (wants_overlay(argc, argv))
		return cli_exec_overlay("create", argc, argv);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hd:o:", longopts, &idx)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'd':
			o.driver = optarg;
			break;
		case 'o':
			if (o.n_opts == NETDEF_KV_MAX)
				return cli_usage_error("network",
						       "create: "
						       "at most %d --opt",
						       NETDEF_KV_MAX);
			o.opts[o.n_opts++] = optarg;
			break;
		case OPT_LABEL:
			if (o.n_labels == NETDEF_KV_MAX)
				return cli_usage_error("network",
						       "create: "
						       "at most %d --label",
						       NETDEF_KV_MAX);
			o.labels[o.n_labels++] = optarg;
			break;
		case OPT_SUBNET:
			if (o.n_subnets == NETDEF_SUBNETS_MAX)
				return cli_usage_error("network",
						       "create: "
						       "at most %d --subnet",
						       NETDEF_SUBNETS_MAX);
			o.subnets[o.n_subnets++].subnet = optarg;
			break;
		/* The engine gives each --gateway and --ip-range to the subnet that contains
		 * it (Docker's pairing); here they only need a slot each. */
		case OPT_GATEWAY:
			if (n_gw == NETDEF_SUBNETS_MAX)
				return cli_usage_error("network", "create: "
								  "more --gateway than --subnet");
			o.subnets[n_gw++].gateway = optarg;
			break;
		case OPT_IP_RANGE:
			if (n_range == NETDEF_SUBNETS_MAX)
				return cli_usage_error("network", "create: "
								  "more --ip-range than --subnet");
			o.subnets[n_range++].ip_range = optarg;
			break;
		case OPT_IPV6:
			o.ipv6 = true;
			break;
		case OPT_INTERNAL:
			o.internal = true;
			break;
		case OPT_ATTACHABLE:
			break;
		case OPT_SCOPE:
			if (strcmp(optarg, "local") != 0)
				return cli_usage_error("network",
						       "create: "
						       "scope %s is not supported: the only scope is local",
						       optarg);
			break;
		case OPT_IPAM_DRIVER:
			if (strcmp(optarg, "default") != 0)
				return cli_usage_error("network",
						       "create: "
						       "IPAM driver %s is not supported: the only one is default (host-local)",
						       optarg);
			break;
		case OPT_UNSUPPORTED:
			return cli_usage_error("network",
					       "create: "
					       "--%s is not supported",
					       longopts[idx].name);
		default:
			return cli_usage_error("network",
					       "create: "
					       "bad option %s (see --help)",
					       argv[optind - 1]);
		}
	}
	/* Options may follow NAME, as Docker takes them (GNU getopt permutes). */
	if (argc - optind != 1)
		return cli_usage_error("network", "create %s (see --help)",
				       argc - optind < 1 ? "expects a network name" : "expects one network name");
	if (n_gw > o.n_subnets)
		return cli_usage_error("network", "create: "
						  "more --gateway than --subnet: each gateway belongs to a --subnet");
	if (n_range > o.n_subnets)
		return cli_usage_error("network", "create: "
						  "more --ip-range than --subnet: each ip-range belongs to a --subnet");
	o.name = argv[optind];
	_cleanup_(cni_netconf_freep) struct cni_netconf *net = NULL;
	if (netdef_create(&o, &net, &err) < 0)
		return cli_error(&err);
	struct netdef_meta m;
	netdef_meta_get(net, &m);
	puts(m.id);
	return 0;
}

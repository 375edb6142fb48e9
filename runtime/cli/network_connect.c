/* `netns-run network connect [--ip IP] [--ip6 IP] [--alias NAME]... NETWORK CONTAINER` and
 * `netns-run network disconnect [-f] NETWORK CONTAINER` (engine/net_attach.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/net_attach.h"
#include "engine/net_opts.h"
#include "network.h"

static const char connect_usage[] =
	"Usage: netns-run network connect [OPTIONS] NETWORK CONTAINER\n"
	"\n"
	"Attach a running container to a further CNI network: its next interface (eth1, eth2 ...),\n"
	"the network's subnets routed through it, the default route left to its first network.\n"
	"/etc/hosts and resolv.conf follow; on a DNS-enabled network its name, short id and\n"
	"aliases resolve for the network's other containers.\n"
	"\n"
	"      --ip IP        its IPv4 address (the network's IPAM must offer it)\n"
	"      --ip6 IP       its IPv6 address\n"
	"      --alias NAME   a further name on this network (repeatable)\n"
	"  -h, --help         this help\n";

static const char disconnect_usage[] = "Usage: netns-run network disconnect [-f] NETWORK CONTAINER\n"
				       "\n"
				       "Detach a container from a network (any of its networks, the first too:\n"
				       "the default route then goes with it).\n"
				       "\n"
				       "  -f, --force   success when the container or its attachment is already gone,\n"
				       "                and forget the attachment even when its plugins fail to DEL\n"
				       "  -h, --help    this help\n";

enum { OPT_IP = 1000, OPT_IP6, OPT_ALIAS };

int cmd_network_connect(int argc, char **argv)
{
	static const struct option longopts[] = { { "ip", required_argument, NULL, OPT_IP },
						  { "ip6", required_argument, NULL, OPT_IP6 },
						  { "alias", required_argument, NULL, OPT_ALIAS },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct net_endpoint_opts e = { 0 };
	struct nr_error err = { 0 };
	int c, r = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(connect_usage, stdout);
			return 0;
		case OPT_IP:
			r = net_opts_set_ip(&e, "--ip", optarg, &err);
			break;
		case OPT_IP6:
			r = net_opts_set_ip6(&e, "--ip6", optarg, &err);
			break;
		case OPT_ALIAS:
			r = net_opts_add_alias(&e, "--alias", optarg, &err);
			break;
		default:
			return cli_usage_error("network connect", "bad option %s (see --help)", argv[optind - 1]);
		}
		if (r < 0)
			return cli_error(&err);
	}
	if (argc - optind != 2)
		return cli_usage_error("network connect", "expects NETWORK CONTAINER (see --help)");
	e.network = argv[optind];
	if (net_connect(argv[optind + 1], &e, &err) < 0)
		return cli_error(&err);
	return 0;
}

int cmd_network_disconnect(int argc, char **argv)
{
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	struct nr_error err = { 0 };
	bool force = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(disconnect_usage, stdout);
			return 0;
		}
		if (c != 'f')
			return cli_usage_error("network disconnect", "bad option %s (see --help)", argv[optind - 1]);
		force = true;
	}
	if (argc - optind != 2)
		return cli_usage_error("network disconnect", "expects NETWORK CONTAINER (see --help)");
	if (net_disconnect(argv[optind], argv[optind + 1], force, &err) < 0)
		return cli_error(&err);
	return 0;
}

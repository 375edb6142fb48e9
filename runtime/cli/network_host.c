/* `netns-run network rm NAME...`, `network prune` and `network reload`: their arguments
 * and output; what they do is the engine's (engine/network_host.h). */
#include <stdio.h>

#include "cli/cli.h"
#include "engine/network_host.h"
#include "network.h"

static const char rm_usage[] =
	"Usage: netns-run network rm NAME...\n"
	"\n"
	"Remove what the plugins made on this host for each network: the bridge of every\n"
	"\"bridge\" plugin of its chain, the bridge's isolation entry, the network's masquerade\n"
	"entries, and our nftables tables once they are empty.  The conflist file stays (other\n"
	"CNI runtimes may use it).  A network with a running container (or one sharing its\n"
	"bridge) is refused; containers whose processes are gone are cleaned up first, as by\n"
	"`netns-run gc`.  A network with nothing left to remove is success.\n";

static const char prune_usage[] = "Usage: netns-run network prune\n"
				  "\n"
				  "`network rm` for every network without a running container; prints the names of\n"
				  "those that had something to remove.\n";

static const char reload_usage[] =
	"Usage: netns-run network reload\n"
	"\n"
	"Re-apply the nftables rules and elements of every running container (masquerade,\n"
	"isolation, published ports) from its recorded network, cached result and cached port\n"
	"mappings: after `nft flush ruleset`, for instance.  What is already there is kept.\n";

/* A name on stdout for each success, the error on stderr for each failure. */
static void report(const char *name, const struct nr_error *err, void *data)
{
	if (err)
		rt_print_error(err);
	else
		puts(name);
}

static int status_of(int r, const struct nr_error *err)
{
	if (r < 0)
		rt_print_error(err);
	return r != 0 ? RT_EXIT_RUNTIME : 0;
}

int cmd_network_rm(int argc, char **argv)
{
	struct nr_error err = { 0 };
	int r = net_verb_args(argc, argv, rm_usage, 1, -1);

	if (r >= 0)
		return r;
	return status_of(nethost_rm(argv + 1, (size_t)(argc - 1), report, NULL, &err), &err);
}

int cmd_network_prune(int argc, char **argv)
{
	struct nr_error err = { 0 };
	int r = net_verb_args(argc, argv, prune_usage, 0, 0);

	if (r >= 0)
		return r;
	return status_of(nethost_prune(report, NULL, &err), &err);
}

int cmd_network_reload(int argc, char **argv)
{
	struct nr_error err = { 0 };
	int r = net_verb_args(argc, argv, reload_usage, 0, 0);

	if (r >= 0)
		return r;
	return status_of(nethost_reload(report, NULL, &err), &err);
}

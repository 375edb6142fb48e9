/* `netns-run network rm NAME...`, `network prune` and `network reload`: their arguments
 * and output; what they do is the engine's (engine/network_host.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

#include "cli/cli.h"
#include "engine/network_host.h"
#include "network.h"

static const char rm_usage[] =
	"Usage: netns-run network rm NAME|ID...\n"
	"\n"
	"Remove what the plugins made on this host for each network: the bridge of every\n"
	"\"bridge\" plugin of its chain, the bridge's isolation entry, the network's masquerade\n"
	"entries, and our nftables tables once they are empty.  A network made by `network\n"
	"create` goes altogether (its conflist and DNS state too); a hand-written conflist stays\n"
	"(other CNI runtimes may use it).  A network with a running container (on any of its\n"
	"interfaces, or on a network sharing its bridge) is refused, as are the pre-defined\n"
	"bridge, host and none; containers whose processes are gone are cleaned up first, as by\n"
	"`netns-run gc`.  A network with nothing left to remove is success.  An overlay network\n"
	"is left on this host and, when no other host holds a subnet of it, removed from etcd\n"
	"(netns-run-overlay rm).\n";

static const char prune_usage[] =
	"Usage: netns-run network prune [-f]\n"
	"\n"
	"Remove every network made by `network create` without a running container, and the\n"
	"host state (bridge, isolation, masquerade) of every other network without one (the\n"
	"pre-defined bridge's too: the next container makes it again).  Prints \"Deleted\n"
	"Networks:\" and the names of those it removed or cleaned, as Docker; nothing when there\n"
	"was nothing to do.  -f, --force: accepted (there is no prompt).\n";

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

/* rm prints each network as it was named (a name or an id), as Docker does. */
struct rm_names {
	char **given;
	char (*resolved)[256];
	int n;
};

static void rm_report(const char *name, const struct nr_error *err, void *data)
{
	const struct rm_names *x = data;

	if (err) {
		rt_print_error(err);
		return;
	}
	for (int i = 0; i < x->n; i++)
		if (!strcmp(x->resolved[i], name))
			name = x->given[i];
	puts(name);
}

int cmd_network_rm(int argc, char **argv)
{
	struct nr_error err = { 0 };
	int r = net_verb_args(argc, argv, rm_usage, 1, -1);

	if (r >= 0)
		return r;
	_cleanup_free_ char(*resolved)[256] = calloc((size_t)argc, sizeof(*resolved));
	_cleanup_free_ char **names = calloc((size_t)argc, sizeof(*names));
	if (!resolved || !names)
		return cli_usage_error("network", "rm: "
						  "out of memory");
	int n = 0, overlay_status = 0;
	for (int i = 1; i < argc; i++) {
		const char *name = net_cli_resolve(argv[i], resolved[n], sizeof(resolved[n]));
		/* An overlay network goes through netns-run-overlay rm (the store too). */
		if (net_cli_is_overlay(name)) {
			char *v[] = { argv[0], (char *)name, NULL };
			int st = cli_run_overlay("rm", 2, v);
			overlay_status = overlay_status ? overlay_status : st;
			continue;
		}
		names[n] = (char *)name;
		argv[n + 1] = argv[i];
		n++;
	}
	if (n == 0)
		return overlay_status;
	struct rm_names x = { argv + 1, resolved, n };
	int st = status_of(nethost_rm(names, (size_t)n, rm_report, &x, &err), &err);
	return st ? st : overlay_status;
}

/* Docker's "Deleted Networks:" header before the first name, nothing when none. */
static void prune_report(const char *name, const struct nr_error *err, void *data)
{
	bool *header = data;

	if (err) {
		rt_print_error(err);
		return;
	}
	if (!*header)
		puts("Deleted Networks:");
	*header = true;
	puts(name);
}

int cmd_network_prune(int argc, char **argv)
{
	struct nr_error err = { 0 };
	bool header = false;
	int n = argc;

	if (argc >= 2 && (!strcmp(argv[1], "-f") || !strcmp(argv[1], "--force")))
		argv[1] = argv[0], argv++, n--;
	int r = net_verb_args(n, argv, prune_usage, 0, 0);
	if (r >= 0)
		return r;
	return status_of(nethost_prune(NULL, prune_report, &header, &err), &err);
}

int cmd_network_reload(int argc, char **argv)
{
	struct nr_error err = { 0 };
	int r = net_verb_args(argc, argv, reload_usage, 0, 0);

	if (r >= 0)
		return r;
	return status_of(nethost_reload(report, NULL, &err), &err);
}

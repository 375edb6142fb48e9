/* `netns-run network ls | inspect NAME | rm NAME... | prune | reload`: ls and inspect
 * here, rm, prune and reload in network_host.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/net.h"
#include "network.h"

static const char usage[] = "Usage: netns-run network ls\n"
			    "       netns-run network inspect NAME\n"
			    "       netns-run network rm NAME...\n"
			    "       netns-run network prune\n"
			    "       netns-run network reload\n"
			    "\n"
			    "Networks are CNI conflists in $NETNS_RUN_CONFIG_DIR, or in /etc/netns-run/net.d then\n"
			    "/etc/cni/net.d (first file wins per name); \"bridge\" (bridge nr0, host-local IPAM,\n"
			    "masquerade) and \"none\" are built in; \"host\" and \"container:NAME\" are modes.\n"
			    "\n"
			    "  ls        list the networks\n"
			    "  inspect   print a network's conflist\n"
			    "  rm        remove a network's bridge, isolation and masquerade state (not its conflist)\n"
			    "  prune     rm every network without a running container\n"
			    "  reload    re-apply the nftables rules and elements of every running container\n"
			    "\n"
			    "`netns-run network VERB --help` describes each.\n";

static const char *plugin_types(const struct cni_netconf *n, char *buf, size_t len)
{
	json_t *plugins = json_object_get(n->list, "plugins"), *p;
	size_t used = 0, i;

	buf[0] = '\0';
	json_array_foreach(plugins, i, p) {
		if (used >= len)
			break;
		used += snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 json_string_value(json_object_get(p, "type")) ?: "?");
	}
	return buf;
}

/* ls (name == NULL) or inspect name. */
static int list_or_inspect(const char *name)
{
	struct nr_error err = { 0 };
	struct cni_netconf **nets = NULL;
	size_t n = 0;
	bool found = false;

	if (net_list(&nets, &n, &err) < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	if (!name)
		printf("%-20s %-10s %-28s %s\n", "NAME", "VERSION", "PLUGINS", "SOURCE");
	for (size_t i = 0; i < n; i++) {
		char types[256];
		if (!name)
			printf("%-20s %-10s %-28s %s\n", nets[i]->name, nets[i]->cni_version,
			       plugin_types(nets[i], types, sizeof(types)),
			       nets[i]->path ? nets[i]->path : "(built in)");
		else if (!found && !strcmp(nets[i]->name, name)) {
			char *text = json_dumps(nets[i]->list, JSON_INDENT(2));
			if (text)
				puts(text);
			free(text);
			found = true;
		}
		cni_netconf_free(nets[i]);
	}
	free(nets);
	if (name && !found) {
		fprintf(stderr, "netns-run: no such network: %s\n", name);
		return RT_EXIT_RUNTIME;
	}
	return 0;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help");
}

int net_verb_args(int argc, char **argv, const char *help, int min, int max)
{
	int n = argc - 1;

	if (n >= 1 && is_help(argv[1])) {
		fputs(help, stdout);
		return 0;
	}
	if (n < min || (max >= 0 && n > max)) {
		fprintf(stderr, "netns-run network: %s %s (see --help)\n", argv[0],
			max == 0   ? "takes no arguments"
			: max == 1 ? "expects one network name"
				   : "expects network names");
		return RT_EXIT_RUNTIME;
	}
	return -1;
}

static int cmd_network_ls(int argc, char **argv)
{
	int r = net_verb_args(argc, argv, "Usage: netns-run network ls\n\nList the networks one can name with --net.\n",
			      0, 0);

	return r >= 0 ? r : list_or_inspect(NULL);
}

static int cmd_network_inspect(int argc, char **argv)
{
	int r = net_verb_args(argc, argv, "Usage: netns-run network inspect NAME\n\nPrint the network's conflist.\n", 1,
			      1);

	return r >= 0 ? r : list_or_inspect(argv[1]);
}

int cmd_network(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = { { "ls", cmd_network_ls }, { "list", cmd_network_ls },     { "inspect", cmd_network_inspect },
		      { "rm", cmd_network_rm }, { "prune", cmd_network_prune }, { "reload", cmd_network_reload },
		      { "connect", cmd_network_connect }, { "disconnect", cmd_network_disconnect } };

	if (argc < 2 || is_help(argv[1])) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? RT_EXIT_RUNTIME : 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "netns-run network: unknown verb %s: expected ls, inspect, rm, prune or reload (see --help)\n",
		argv[1]);
	return RT_EXIT_RUNTIME;
}

/* `netns-run network ls | inspect NAME`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "net.h"
#include "rt.h"

static const char usage[] =
	"Usage: netns-run network ls\n"
	"       netns-run network inspect NAME\n"
	"\n"
	"Networks are CNI conflists in $NETNS_RUN_CONFIG_DIR, or in /etc/netns-run/net.d then\n"
	"/etc/cni/net.d (first file wins per name); \"bridge\" (bridge nr0, host-local IPAM,\n"
	"masquerade) and \"none\" are built in; \"host\" and \"container:NAME\" are modes.\n";

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

int cmd_network(int argc, char **argv)
{
	struct nr_error err = {0};
	struct cni_netconf **nets = NULL;
	size_t n = 0;
	int status = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? RT_EXIT_RUNTIME : 0;
	}
	bool ls = !strcmp(argv[1], "ls") || !strcmp(argv[1], "list");
	bool inspect = !strcmp(argv[1], "inspect");
	if ((!ls && !inspect) || (ls && argc != 2) || (inspect && argc != 3)) {
		if (argc >= 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			fputs(usage, stdout);
			return 0;
		}
		fprintf(stderr, "netns-run network: expected `ls` or `inspect NAME` (see --help)\n");
		return RT_EXIT_RUNTIME;
	}
	if (net_list(&nets, &n, &err) < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	if (ls)
		printf("%-20s %-10s %-28s %s\n", "NAME", "VERSION", "PLUGINS", "SOURCE");
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		char types[256];
		if (ls)
			printf("%-20s %-10s %-28s %s\n", nets[i]->name, nets[i]->cni_version,
			       plugin_types(nets[i], types, sizeof(types)), nets[i]->path ? nets[i]->path : "(built in)");
		else if (!found && !strcmp(nets[i]->name, argv[2])) {
			char *text = json_dumps(nets[i]->list, JSON_INDENT(2));
			if (text)
				puts(text);
			free(text);
			found = true;
		}
		cni_netconf_free(nets[i]);
	}
	free(nets);
	if (inspect && !found) {
		fprintf(stderr, "netns-run: no such network: %s\n", argv[2]);
		status = RT_EXIT_RUNTIME;
	}
	return status;
}

/* `netns-run network create | ls | inspect | rm | prune | reload`: ls and inspect here
 * (Docker's columns and JSON, from engine/netdef_list.h), create in network_create.c,
 * rm, prune and reload in network_host.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_field.h"
#include "cli/cli.h"
#include "engine/netdef.h"
#include "engine/netdef_list.h"
#include "engine/netdef_query.h"
#include "engine/overlay_net.h"
#include "network.h"

static const char usage[] =
	"Usage: netns-run network create [OPTIONS] NAME\n"
	"       netns-run network create --driver overlay --store etcd://HOST:PORT[,...] [OPTIONS] NAME\n"
	"       netns-run network join --store etcd://HOST:PORT[,...] [-o underlay=IFACE|ADDR] NAME\n"
	"       netns-run network leave NAME\n"
	"       netns-run network ls [-q] [--no-trunc] [--format json] [-f KEY=VALUE]...\n"
	"       netns-run network inspect NAME...\n"
	"       netns-run network connect [--ip IP] [--alias NAME]... NETWORK CONTAINER\n"
	"       netns-run network disconnect [-f] NETWORK CONTAINER\n"
	"       netns-run network rm NAME...\n"
	"       netns-run network prune [-f]\n"
	"       netns-run network reload\n"
	"\n"
	"Networks are CNI conflists in $NETNS_RUN_CONFIG_DIR, or in /etc/netns-run/net.d then\n"
	"/etc/cni/net.d (first file wins per name); `network create` writes them as Docker's does\n"
	"its networks.  \"bridge\" (bridge nr0, host-local IPAM, masquerade), \"host\" and \"none\"\n"
	"are pre-defined; \"container:NAME\" is a mode.\n"
	"\n"
	"  create    create a bridge network (with DNS between its containers), or with\n"
	"            --driver overlay a network across hosts (netns-run-overlay; docs/multihost.md)\n"
	"  join      join this host to an overlay network another host created\n"
	"  leave     leave an overlay network on this host (its definition stays in etcd)\n"
	"  ls        list the networks\n"
	"  inspect   print networks as JSON, in Docker's shape\n"
	"  connect   attach a running container to a further network (eth1, eth2 ...)\n"
	"  disconnect  detach a container from a network\n"
	"  rm        remove networks: one made by create altogether; for the others, their\n"
	"            bridge, isolation and masquerade state (not their conflist)\n"
	"  prune     rm every network without a running container\n"
	"  reload    re-apply the nftables rules and elements of every running container\n"
	"\n"
	"`netns-run network VERB --help` describes each.\n";

static const char ls_usage[] =
	"Usage: netns-run network ls [OPTIONS]\n"
	"\n"
	"List the networks one can name with --network: NETWORK ID, NAME, DRIVER, SCOPE (as\n"
	"Docker), SUBNET (every subnet, comma-separated; - when none) and CONTAINERS (running\n"
	"containers of ours attached to it, by any of their interfaces).  Sorted by name.\n"
	"\n"
	"  -q, --quiet          only the ids\n"
	"      --no-trunc       full 64-digit ids\n"
	"      --format json    one JSON object per line (Docker's keys, plus Subnet and Containers)\n"
	"  -f, --filter K=V     name=SUBSTRING, id=PREFIX, driver=DRIVER, label=KEY[=VALUE],\n"
	"                       scope=local, type=custom|builtin, dangling=true|false; one key\n"
	"                       given several times matches any of its values, different keys\n"
	"                       all must match\n";

static const char inspect_usage[] =
	"Usage: netns-run network inspect [--conflist] NAME|ID...\n"
	"\n"
	"Print the networks as a JSON array in Docker's shape (Name, Id, Created, Scope, Driver,\n"
	"EnableIPv6, IPAM, Internal, Attachable, Ingress, ConfigFrom, ConfigOnly, Containers,\n"
	"Options, Labels).  A hand-written conflist shows what can be read from it.\n"
	"\n"
	"  --conflist   print each network's conflist instead (one JSON document per network)\n";

static int netlist_load(struct netdef_set *l)
{
	struct nr_error err = { 0 };

	return netdef_set_load(l, true, &err) < 0 ? cli_error(&err) : 0;
}

const char *net_cli_resolve(const char *arg, char *buf, size_t len)
{
	struct netdef_set l;
	struct nr_error err = { 0 };

	snprintf(buf, len, "%s", arg);
	if (netdef_set_load(&l, false, &err) >= 0) {
		const struct cni_netconf *c = netdef_find(l.v, l.n, arg);
		if (c)
			snprintf(buf, len, "%s", c->name);
	}
	netdef_set_release(&l);
	return buf;
}

bool net_cli_is_overlay(const char *name)
{
	struct netdef_set l;
	struct nr_error err = { 0 };
	bool r = false;

	if (netdef_set_load(&l, false, &err) >= 0) {
		for (size_t i = 0; i < l.n && !r; i++)
			r = !strcmp(l.v[i]->name, name) && overlay_net_is(l.v[i]);
	}
	netdef_set_release(&l);
	return r;
}

static void subnets_text(json_t *net, char *buf, size_t len)
{
	json_t *c;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(json_object_get(net, "IPAM"), "Config"), i, c) {
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "",
					 json_string_value(json_object_get(c, "Subnet")) ?: "");
	}
	if (!*buf)
		snprintf(buf, len, "-");
}

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Docker's Labels column: "k=v,k2=v2", sorted by key. */
static void labels_text(json_t *labels, char *buf, size_t len)
{
	const char *keys[256], *k;
	size_t n = 0, used = 0;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(labels, k, v)
		if (n < 256)
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), by_key);
	for (size_t i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s=%s", i ? "," : "", keys[i],
				 json_string_value(json_object_get(labels, keys[i])) ?: "");
}

/* Docker's CreatedAt: "2006-01-02 15:04:05.999999999 +0000 UTC" from our RFC 3339. */
static void created_text(const char *rfc, char *buf, size_t len)
{
	size_t n = strlen(rfc);

	snprintf(buf, len, "%.*s +0000 UTC", n && rfc[n - 1] == 'Z' ? (int)n - 1 : (int)n, rfc);
	char *t = strchr(buf, 'T');
	if (t)
		*t = ' ';
}

#define LS_COLS 6

static int cmd_network_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },         { "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' },     { "format", required_argument, NULL, 'F' },
		{ "filter", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 },
	};
	struct netdef_filter filters[32];
	size_t n_filters = 0;
	bool quiet = false, no_trunc = false, json = false;
	struct netdef_set l;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hqf:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(ls_usage, stdout);
			return 0;
		case 'q':
			quiet = true;
			break;
		case 'T':
			no_trunc = true;
			break;
		case 'F':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
				return cli_usage_error("network",
						       "ls: "
						       "--format %s is not supported: json or table",
						       optarg);
			json = !strcmp(optarg, "json");
			break;
		case 'f': {
			char *eq = strchr(optarg, '=');
			struct nr_error err = { 0 };
			if (!eq)
				return cli_usage_error("network",
						       "ls: "
						       "invalid filter '%s': expected name=, id=, driver=, label=, scope=, type= or dangling=",
						       optarg);
			if (n_filters == sizeof(filters) / sizeof(filters[0]))
				return cli_usage_error("network", "ls: "
								  "too many filters");
			*eq = '\0';
			if (netdef_filter_check(optarg, eq + 1, &err) < 0)
				return cli_usage_error("network", "ls: %s", err.msg);
			filters[n_filters++] = (struct netdef_filter){ optarg, eq + 1 };
			break;
		}
		default:
			return cli_usage_error("network",
					       "ls: "
					       "bad option %s (see --help)",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("network", "ls takes no arguments (see --help)");
	if ((r = netlist_load(&l)) != 0)
		return r;

	static const char *const head[LS_COLS] = { "NETWORK ID", "NAME", "DRIVER", "SCOPE", "SUBNET", "CONTAINERS" };
	char *(*rows)[LS_COLS] = calloc(l.n + 1, sizeof(*rows));
	size_t n_rows = 1;

	if (!rows) {
		netdef_set_release(&l);
		return cli_usage_error("network", "ls: "
						  "out of memory");
	}
	for (int k = 0; k < LS_COLS; k++)
		rows[0][k] = (char *)head[k];
	for (size_t i = 0; i < l.n; i++) {
		_cleanup_json_ json_t *net = netdef_inspect_json(l.v[i], l.ctrs);
		char id[65], sub[512], count[16];
		if (!net)
			continue;
		if (!netdef_filters_match(filters, n_filters, l.v[i], net))
			continue;
		snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, json_string_value(json_object_get(net, "Id")));
		subnets_text(net, sub, sizeof(sub));
		snprintf(count, sizeof(count), "%zu", json_object_size(json_object_get(net, "Containers")));
		if (quiet) {
			puts(id);
		} else if (json) {
			char labels[1024], created[64];
			labels_text(json_object_get(net, "Labels"), labels, sizeof(labels));
			created_text(json_string_value(json_object_get(net, "Created")), created, sizeof(created));
			_cleanup_json_ json_t *o =
				json_pack("{s:s, s:O, s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:s}", "CreatedAt", created,
					  "Driver", json_object_get(net, "Driver"), "ID", id, "IPv6",
					  json_is_true(json_object_get(net, "EnableIPv6")) ? "true" : "false",
					  "Internal", json_is_true(json_object_get(net, "Internal")) ? "true" : "false",
					  "Labels", labels, "Name", json_object_get(net, "Name"), "Scope", "local",
					  "Subnet", sub, "Containers", count);
			_cleanup_free_ char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
			if (text)
				puts(text);
		} else {
			const char *cols[LS_COLS] = { id,
						      json_string_value(json_object_get(net, "Name")),
						      json_string_value(json_object_get(net, "Driver")),
						      "local",
						      sub,
						      count };
			for (int k = 0; k < LS_COLS; k++)
				rows[n_rows][k] = strdup(cols[k] ?: "");
			n_rows++;
		}
	}
	/* Docker's table: columns as wide as their widest cell, three spaces apart. */
	size_t w[LS_COLS] = { 0 };
	for (size_t i = 0; i < n_rows; i++)
		for (int k = 0; k < LS_COLS; k++)
			if (rows[i][k] && strlen(rows[i][k]) > w[k])
				w[k] = strlen(rows[i][k]);
	for (size_t i = 0; !quiet && !json && i < n_rows; i++) {
		for (int k = 0; k < LS_COLS; k++)
			printf(k < LS_COLS - 1 ? "%-*s   " : "%-*s\n", k < LS_COLS - 1 ? (int)w[k] : 0,
			       rows[i][k] ?: "");
	}
	for (size_t i = 1; i < n_rows; i++)
		for (int k = 0; k < LS_COLS; k++)
			free(rows[i][k]);
	free(rows);
	netdef_set_release(&l);
	return 0;
}

static int cmd_network_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "conflist", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	_cleanup_json_ json_t *out = json_array();
	bool conflist = false;
	struct netdef_set l;
	int c, r, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(inspect_usage, stdout);
			return 0;
		}
		if (c != 'C')
			return cli_usage_error("network",
					       "inspect: "
					       "bad option %s (see --help)",
					       argv[optind - 1]);
		conflist = true;
	}
	if (optind >= argc)
		return cli_usage_error("network", "inspect expects network names (see --help)");
	if ((r = netlist_load(&l)) != 0)
		return r;
	for (int i = optind; i < argc; i++) {
		const struct cni_netconf *net = netdef_find(l.v, l.n, argv[i]);
		if (!net) {
			fprintf(stderr, "netns-run: no such network: %s\n", argv[i]);
			status = RT_EXIT_RUNTIME;
		} else if (conflist) {
			_cleanup_free_ char *text = json_dumps(net->list, JSON_INDENT(2));
			if (text)
				puts(text);
		} else {
			/* An overlay network's agent that died is started again, so that what
			 * inspect shows of the other hosts is current. */
			struct nr_error e = { 0 };
			if (overlay_net_ensure(net, &e) < 0)
				cli_warn(&e, "");
			json_array_append_new(out, netdef_inspect_json(net, l.ctrs));
		}
	}
	/* Nothing found: nothing on stdout (Docker prints "[]"), only the errors. */
	if (!conflist && json_array_size(out) > 0) {
		_cleanup_free_ char *text = json_dumps(out, JSON_INDENT(4));
		if (text)
			puts(text);
	}
	netdef_set_release(&l);
	return status;
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

/* Overlay networks are netns-run-overlay's: join and leave are its verbs. */
int cmd_network_join(int argc, char **argv)
{
	return cli_exec_overlay("join", argc, argv);
}

int cmd_network_leave(int argc, char **argv)
{
	return cli_exec_overlay("leave", argc, argv);
}

int cmd_network(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = {
		{ "create", cmd_network_create },   { "ls", cmd_network_ls },
		{ "list", cmd_network_ls },         { "inspect", cmd_network_inspect },
		{ "rm", cmd_network_rm },           { "remove", cmd_network_rm },
		{ "prune", cmd_network_prune },     { "reload", cmd_network_reload },
		{ "connect", cmd_network_connect }, { "disconnect", cmd_network_disconnect },
		{ "join", cmd_network_join },       { "leave", cmd_network_leave },
	};

	if (argc < 2 || is_help(argv[1])) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? RT_EXIT_RUNTIME : 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "netns-run network: unknown verb %s (see netns-run network --help)\n", argv[1]);
	return RT_EXIT_RUNTIME;
}

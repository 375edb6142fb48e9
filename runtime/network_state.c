/* `netns-run network rm NAME...` and `network prune`: remove the host-side state our
 * plugins made for a network: the bridge of each "bridge" plugin of its chain, the
 * bridge's isolation entry, the network's masquerade entries, and our nftables tables
 * once nothing is left in them.  The conflist stays: a file in /etc/cni/net.d may be
 * shared with other CNI runtimes, and it is the user's. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "ctr.h"
#include "base/json_field.h"
#include "nl/link.h"
#include "net.h"
#include "network.h"
#include "nft/nft_isolate.h"
#include "bridge/nft_masq_net.h"
#include "nft/nft_portmap.h"
#include "nl/nldump.h"
#include "nl/nlsock.h"
#include "rt.h"
#include "state.h"

static const char rm_usage[] =
	"Usage: netns-run network rm NAME...\n"
	"\n"
	"Remove what the plugins made on this host for each network: the bridge of every\n"
	"\"bridge\" plugin of its chain, the bridge's isolation entry, the network's masquerade\n"
	"entries, and our nftables tables once they are empty.  The conflist file stays (other\n"
	"CNI runtimes may use it).  A network with a running container (or one sharing its\n"
	"bridge) is refused; containers whose processes are gone are cleaned up first, as by\n"
	"`netns-run gc`.  A network with nothing left to remove is success.\n";

static const char prune_usage[] =
	"Usage: netns-run network prune\n"
	"\n"
	"`network rm` for every network without a running container; prints the names of\n"
	"those that had something to remove.\n";

const char *net_bridge_name(json_t *plugin)
{
	const char *type = json_string_value(json_object_get(plugin, "type"));
	json_t *br = json_object_get(plugin, "bridge");

	if (!type || strcmp(type, "bridge") != 0)
		return NULL;
	if (!br)
		return "cni0"; /* plugins/bridge's default, as the reference's */
	/* A name the plugin refuses (empty, not a string) never made a bridge. */
	return json_string_value(br) && *json_string_value(br) ? json_string_value(br) : NULL;
}

int net_bridge_of(json_t *plugin, struct net_bridge *ret, struct nr_error *err)
{
	struct net_bridge b = { .bridge = net_bridge_name(plugin), .isolate = true };
	int r;

	if (!b.bridge)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "not a bridge plugin with a valid bridge name");
	if ((r = jfield_bool(plugin, "ipMasq", "bridge config", &b.ip_masq, err)) < 0 ||
	    (r = jfield_bool(plugin, "isolate", "bridge config", &b.isolate, err)) < 0 ||
	    (r = jfield_bool(plugin, "internal", "bridge config", &b.internal, err)) < 0)
		return r;
	*ret = b;
	return 0;
}

/* Whether the conflist list has a bridge plugin on bridge br. */
static bool chain_has_bridge(json_t *list, const char *br)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(list, "plugins"), i, p)
	{
		const char *b = net_bridge_name(p);
		if (b && !strcmp(b, br))
			return true;
	}
	return false;
}

/* Whether the container's recorded network is net, or shares a bridge with net: removing
 * the bridge would cut that container off just the same. */
static bool attached(json_t *st, const struct cni_netconf *net)
{
	json_t *n = json_object_get(st, "network"), *p;
	size_t i;

	if (!strcmp(state_str(n, "name"), net->name))
		return true;
	json_array_foreach(json_object_get(net->list, "plugins"), i, p)
	{
		const char *b = net_bridge_name(p);
		if (b && chain_has_bridge(json_object_get(n, "conflist"), b))
			return true;
	}
	return false;
}

/* The containers of ours attached to net that are not exited, as "a, b" ("" if none).
 * Called under the state lock after gc_reconcile(), so every record that is not exited
 * has its init or its netns-run alive. */
static int net_users(const struct cni_netconf *net, char *buf, size_t len, struct nr_error *err)
{
	char **names = NULL;
	size_t used = 0;
	int r;

	buf[0] = '\0';
	if ((r = state_names(&names, err)) < 0)
		return r;
	for (char **p = names; *p; p++) {
		_cleanup_json_ json_t *st = NULL;
		if (state_load(*p, &st, NULL) < 0 || !strcmp(state_str(st, "status"), "exited") || !attached(st, net))
			continue;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *p);
	}
	state_names_free(names);
	return 0;
}

/* A port of bridge br_index, if any, into ret (the first one found). */
struct port_find {
	struct nlsock *s;
	int br_index;
	char *ret;
};

static int on_link(const struct nldump_link *l, void *arg)
{
	struct port_find *f = arg;
	int master = 0;

	if (link_master_of(f->s, l->ifindex, &master, NULL) < 0 || master != f->br_index)
		return 0;
	snprintf(f->ret, IF_NAMESIZE, "%s", l->name);
	return 1;
}

/* Delete bridge br when it is one and has no ports; *found: it existed.  A link that is
 * not a bridge, or a bridge with ports, is not ours to delete (a host's br0 a conflist
 * names, say): refused.  Our containers' ports go with their network namespaces. */
static int bridge_delete(struct nlsock *s, const char *br, bool *found, struct nr_error *err)
{
	char kind[32], port[IF_NAMESIZE] = "";
	struct port_find f = { .s = s, .ret = port };
	int r;

	if ((f.br_index = link_index(s, br, NULL)) < 0)
		return 0; /* already gone: success */
	*found = true;
	if ((r = link_kind(s, br, kind, sizeof(kind), err)) < 0)
		return r;
	if (strcmp(kind, "bridge") != 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EEXIST,
				    "%s is a %s link, not a bridge: not deleting it", br, *kind ? kind : "physical");
	if ((r = nldump_links(s, on_link, &f, err)) < 0)
		return r;
	if (*port)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EBUSY,
				    "bridge %s still has port %s, which no container of ours owns: not deleting it", br,
				    port);
	return link_delete(s, br, err);
}

static bool any_owner(const char *owner, void *data)
{
	return true;
}

/* Our nftables tables that are left empty: masquerade, portmap (an nft_portmap GC that
 * keeps every owner removes the table when it has no owner's element).  The isolation
 * table goes with its last bridge in nft_isolate_forget(). */
static int tables_drop_empty(struct nr_error *err)
{
	int r;

	if ((r = nft_masq_drop_if_empty(err)) < 0 || (r = nft_portmap_gc(any_owner, NULL, err)) < 0)
		return r;
	return 0;
}

/* Remove net's host-side state; *ret_found: whether there was any (bridge or entries). */
static int net_remove(const struct cni_netconf *net, bool *ret_found, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	bool found = false, masq = false;
	json_t *p;
	size_t i;
	int r;

	if ((r = nlsock_open(&s, err)) < 0)
		return r;
	json_array_foreach(json_object_get(net->list, "plugins"), i, p)
	{
		const char *br = net_bridge_name(p);
		if (!br)
			continue;
		if ((r = bridge_delete(s, br, &found, err)) < 0 || (r = nft_isolate_forget(br, err)) < 0)
			return nr_error_wrap(err, r, "network %s: bridge %s", net->name, br);
	}
	if ((r = nft_masq_del_network(net->name, &masq, err)) < 0 || (r = tables_drop_empty(err)) < 0)
		return nr_error_wrap(err, r, "network %s", net->name);
	*ret_found = found || masq;
	return 0;
}

/* Refuse when a container of ours uses net, else remove its state.  Under the lock. */
static int net_rm_locked(const struct cni_netconf *net, bool *ret_found, struct nr_error *err)
{
	char users[1024];
	int r;

	if ((r = net_users(net, users, sizeof(users), err)) < 0)
		return r;
	if (*users)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EBUSY,
				    "network %s is in use by running container(s) %s: stop them first", net->name, users);
	return net_remove(net, ret_found, err);
}

static void nets_free(struct cni_netconf **nets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cni_netconf_free(nets[i]);
	free(nets);
}

/* Run fn over every known network (net_list) after stale containers are reconciled, under
 * the state lock; fn returns the exit status. */
typedef int (*nets_fn)(struct cni_netconf **nets, size_t n, int argc, char **argv);

static int with_networks(nets_fn fn, int argc, char **argv)
{
	struct nr_error err = { 0 };
	struct cni_netconf **nets = NULL;
	size_t n = 0;
	int lock = -1, status;

	if (net_list(&nets, &n, &err) < 0 || gc_reconcile(false, &err) < 0 || (lock = state_lock(&err)) < 0) {
		rt_print_error(&err);
		nets_free(nets, n);
		return RT_EXIT_RUNTIME;
	}
	status = fn(nets, n, argc, argv);
	close(lock);
	nets_free(nets, n);
	return status;
}

static int rm_each(struct cni_netconf **nets, size_t n, int argc, char **argv)
{
	struct nr_error err = { 0 };
	int status = 0;

	for (int i = 1; i < argc; i++) {
		const struct cni_netconf *net = NULL;
		bool found;
		for (size_t j = 0; j < n && !net; j++)
			net = !strcmp(nets[j]->name, argv[i]) ? nets[j] : NULL;
		if (!net)
			nr_error_set(&err, CNI_ERR_INVALID_CONFIG, ENOENT,
				     "no such network: %s (see `netns-run network ls`)", argv[i]);
		if (!net || net_rm_locked(net, &found, &err) < 0) {
			rt_print_error(&err);
			status = RT_EXIT_RUNTIME;
			continue;
		}
		puts(argv[i]);
	}
	return status;
}

static int prune_each(struct cni_netconf **nets, size_t n, int argc, char **argv)
{
	struct nr_error err = { 0 };
	char users[8];
	int status = 0;

	for (size_t i = 0; i < n; i++) {
		bool found = false;
		if (net_users(nets[i], users, sizeof(users), &err) < 0 ||
		    (!*users && net_remove(nets[i], &found, &err) < 0)) {
			rt_print_error(&err);
			status = RT_EXIT_RUNTIME;
		} else if (found) {
			puts(nets[i]->name);
		}
	}
	return status;
}

int cmd_network_rm(int argc, char **argv)
{
	int r = net_verb_args(argc, argv, rm_usage, 1, -1);

	return r >= 0 ? r : with_networks(rm_each, argc, argv);
}

int cmd_network_prune(int argc, char **argv)
{
	int r = net_verb_args(argc, argv, prune_usage, 0, 0);

	return r >= 0 ? r : with_networks(prune_each, argc, argv);
}

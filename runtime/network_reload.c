/* `netns-run network reload`: put back our nftables rules and elements (after `nft flush
 * ruleset`, say) from what the runtime keeps: every running container's recorded chain,
 * cached CNI result and cached capability args.  Per plugin of the chain, in process,
 * the calls its ADD makes: "bridge" re-applies its isolation settings and, with ipMasq,
 * its masquerade entries; "portmap" re-publishes the cached portMappings.  Each call
 * keeps what is already right, so a reload on an intact ruleset changes nothing. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cni/cni_cache.h"
#include "ctr.h"
#include "base/json_field.h"
#include "net.h"
#include "network.h"
#include "nft/nft_build.h"
#include "nft/nft_isolate.h"
#include "nft/nft_masq.h"
#include "bridge/nft_masq_net.h"
#include "nft/nft_portmap.h"
#include "portmap/portmap_args.h"
#include "rt.h"
#include "state.h"

static const char reload_usage[] =
	"Usage: netns-run network reload\n"
	"\n"
	"Re-apply the nftables rules and elements of every running container (masquerade,\n"
	"isolation, published ports) from its recorded network, cached result and cached port\n"
	"mappings: after `nft flush ruleset`, for instance.  What is already there is kept.\n";

/* One running container's attachment. */
struct attach {
	const struct cni_netconf *conf;
	const char *id, *ifname;
	const struct cni_result *res;
	json_t *caps;
};

static int reload_bridge(const struct attach *a, json_t *plugin, struct nr_error *err)
{
	_cleanup_free_ struct ip_prefix *v = NULL;
	char owner[NFT_MASQ_OWNER_MAX];
	struct net_bridge b;
	size_t n = 0;
	int r;

	if ((r = net_bridge_of(plugin, &b, err)) < 0)
		return r;
	struct nft_isolation iso = { .bridge = b.bridge, .isolate = b.isolate, .internal = b.internal };
	if ((r = nft_isolate_apply(&iso, err)) < 0 || !b.ip_masq)
		return r;
	/* The bridge plugin's ipMasq: every address of its result, owned by the attachment. */
	if ((r = nft_masq_result_prefixes(a->res, &v, &n, err)) < 0)
		return r;
	nft_masq_owner(owner, a->conf->name, a->id, a->ifname);
	return nft_masq_add(v, n, owner, err);
}

/* plugin_cfg is the portmap plugin's configuration as its ADD got it (runtimeConfig
 * holding the capability args it declares), so the mappings are the ones it published. */
static int reload_portmap(const struct attach *a, json_t *plugin_cfg, struct nr_error *err)
{
	struct pm_map maps[NFT_PORTMAP_MAX];
	struct pm_attach pa = { .snat = true, .maps = maps };
	char owner[NFTB_COMMENT_MAX]; /* "<container id>/<ifname>", as plugins/portmap */
	json_t *rc = json_object_get(plugin_cfg, "runtimeConfig");
	int r;

	if ((r = jfield_bool(plugin_cfg, "snat", "portmap config", &pa.snat, err)) < 0 ||
	    (r = jfield_bool(plugin_cfg, "masqAll", "portmap config", &pa.masq_all, err)) < 0 ||
	    (r = pm_maps_parse(json_object_get(rc, "portMappings"), maps, &pa.n_maps, err)) < 0)
		return r;
	snprintf(owner, sizeof(owner), "%s/%s", a->id, a->ifname);
	pa.owner = owner;
	pm_result_addr(a->res, AF_INET, &pa.ctr4);
	pm_result_addr(a->res, AF_INET6, &pa.ctr6);
	return nft_portmap_add(&pa, err);
}

static int reload_chain(const struct attach *a, struct nr_error *err)
{
	json_t *p;
	size_t i;
	int r = 0;

	json_array_foreach(json_object_get(a->conf->list, "plugins"), i, p)
	{
		const char *type = json_string_value(json_object_get(p, "type"));
		if (type && !strcmp(type, "bridge")) {
			r = reload_bridge(a, p, err);
		} else if (type && !strcmp(type, "portmap")) {
			_cleanup_json_ json_t *cfg = cni_chain_plugin_config(a->conf, i, a->caps, NULL);
			r = cfg ? reload_portmap(a, cfg, err) : nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		}
		if (r < 0)
			return nr_error_wrap(err, r, "network %s, plugin %s", a->conf->name, type);
	}
	return 0;
}

/* The container's attachment from its record and the cache; nothing cached (a container
 * still starting, or a network without plugins) is nothing to reload. */
static int reload_container(json_t *st, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	struct cni_cache_entry *e = NULL;
	struct net_plan plan;
	int r;

	if ((r = net_plan_from_state(st, &plan, err)) < 0 || !plan.conf)
		return r;
	r = cni_cache_load(rt_paths()->cache_dir, plan.conf->name, state_str(st, "id"), plan.ifname, &e, err);
	if (r >= 0 && e && e->result)
		r = cni_result_parse(e->result, "the cached result", &res, err);
	if (r >= 0 && res) {
		struct attach a = { .conf = plan.conf, .id = state_str(st, "id"), .ifname = plan.ifname, .res = res,
				    .caps = e->caps ? e->caps : json_object_get(st, "capability_args") };
		r = reload_chain(&a, err);
	}
	cni_cache_entry_free(e);
	net_plan_clear(&plan);
	return r;
}

int cmd_network_reload(int argc, char **argv)
{
	_cleanup_close_ int lock = -1;
	struct nr_error err = { 0 };
	char **names = NULL;
	int status = 0;

	if ((status = net_verb_args(argc, argv, reload_usage, 0, 0)) >= 0)
		return status;
	status = 0;
	/* Stale containers first, so nothing of a dead one is put back; then under the lock,
	 * so no record changes under us. */
	if (gc_reconcile(false, &err) < 0 || (lock = state_lock(&err)) < 0 || state_names(&names, &err) < 0) {
		rt_print_error(&err);
		return RT_EXIT_RUNTIME;
	}
	for (char **p = names; *p; p++) {
		_cleanup_json_ json_t *st = NULL;
		if (state_load(*p, &st, NULL) < 0 || !strcmp(state_str(st, "status"), "exited") || !state_init_alive(st))
			continue;
		if (reload_container(st, &err) < 0) {
			nr_error_wrap(&err, -1, "reloading container %s", *p);
			rt_print_error(&err);
			status = RT_EXIT_RUNTIME;
		}
	}
	state_names_free(names);
	return status;
}

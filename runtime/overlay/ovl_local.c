/* An overlay network's conflist: made from the definition, read back for the store. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/json_field.h"
#include "engine/netdef.h"
#include "engine/rt.h"
#include "engine/rt_error.h"
#include "ovl.h"

json_t *ovl_conflist(const char *name, const struct ovl_def *d, const struct ovl_store *s, const char *subnet_file,
		     const char *const *labels, size_t n_labels, const char *const *opts, size_t n_opts)
{
	_cleanup_json_ json_t *list = NULL, *options = netdef_kv_object(opts, n_opts);
	char net[IP_PREFIX_STRLEN], buf[32];
	json_t *meta;

	if (!options)
		return NULL;
	/* The definition's values, so that inspect shows them without the store; every
	 * host writes the same (the definition is the store's). */
	json_object_set_new(options, "subnet", json_string(ip_prefix_format(&d->network, net, sizeof(net))));
	snprintf(buf, sizeof(buf), "%d", d->subnet_len);
	json_object_set_new(options, "subnet_len", json_string(buf));
	snprintf(buf, sizeof(buf), "%u", d->vni);
	json_object_set_new(options, "vni", json_string(buf));
	snprintf(buf, sizeof(buf), "%d", d->port);
	json_object_set_new(options, "vxlan_port", json_string(buf));
	snprintf(buf, sizeof(buf), "%d", d->mtu);
	json_object_set_new(options, "mtu", json_string(buf));
	snprintf(buf, sizeof(buf), "%ds", d->lease_ttl);
	json_object_set_new(options, "lease_ttl", json_string(buf));
	list = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:{s:b}}], s:{s:s, s:s, s:s, s:b, s:s, s:o, s:O}}",
			 "cniVersion", "1.1.0", "name", name, "plugins", "type", "overlay", "subnetFile", subnet_file,
			 "type", "portmap", "capabilities", "portMappings", 1, "netns-run", "id", d->id, "created",
			 d->created, "driver", "overlay", "dns", 1, "store", s->endpoints, "labels",
			 netdef_kv_object(labels, n_labels), "options", options);
	if (!list || !(meta = json_object_get(list, "netns-run")))
		return NULL;
	if ((s->cacert && json_object_set_new(meta, "storeCacert", json_string(s->cacert)) < 0) ||
	    (s->cert && json_object_set_new(meta, "storeCert", json_string(s->cert)) < 0) ||
	    (s->key && json_object_set_new(meta, "storeKey", json_string(s->key)) < 0))
		return NULL;
	return TAKE_PTR(list);
}

void ovl_local_release(struct ovl_local *l)
{
	cni_netconf_free(l->conf);
	*l = (struct ovl_local){ 0 };
}

int ovl_local_load(const char *name, struct ovl_local *ret, struct nr_error *err)
{
	struct ovl_local l = { 0 };
	struct netdef_meta m;
	json_t *meta;
	int r;

	if (!rt_name_valid(name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid network name \"%s\"", name);
	if ((r = cni_netconf_load(rt_paths()->conf_list, name, &l.conf, err)) < 0) {
		if (r == -ENOENT)
			return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "no such network: %s", name);
		return r;
	}
	netdef_meta_get(l.conf, &m);
	meta = json_object_get(l.conf->list, "netns-run");
	l.store.endpoints = json_string_value(json_object_get(meta, "store"));
	if (!m.ours || strcmp(m.driver, "overlay") || !l.store.endpoints) {
		ovl_local_release(&l);
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "network %s is not an overlay network", name);
	}
	memcpy(l.id, m.id, sizeof(l.id));
	l.store.cacert = json_string_value(json_object_get(meta, "storeCacert"));
	l.store.cert = json_string_value(json_object_get(meta, "storeCert"));
	l.store.key = json_string_value(json_object_get(meta, "storeKey"));
	l.underlay = json_string_value(json_object_get(json_object_get(meta, "options"), "underlay"));
	*ret = l;
	return 0;
}

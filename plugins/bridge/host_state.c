/* What a bridge ADD leaves on the host, maintained for the runtime (struct cni_host_ops):
 * the bridge (the shared object of every network on it), its isolation entry and the
 * network's masquerade entries.  The fields are read with config.c's parser and
 * defaults, so this never disagrees with what ADD did. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "br.h"
#include "nft/nft_isolate.h"
#include "nft_masq_net.h"
#include "nl/nldump.h"

static int bridge_object(json_t *conf, char *buf, size_t len)
{
	const char *br;

	/* A name the plugin refuses never made a bridge. */
	if (br_conf_bridge(conf, &br, NULL) < 0)
		return 0;
	snprintf(buf, len, "%s", br);
	return 1;
}

static int bridge_reapply(json_t *conf, const struct cni_host_attach *a, struct nr_error *err)
{
	struct br_conf c;
	int r;

	if ((r = br_conf_host(conf, &c, err)) < 0 || (r = br_isolation_apply(&c, err)) < 0)
		return r;
	return br_masq_add(&c, a, err);
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
static int bridge_delete_portless(struct nlsock *s, const char *br, bool *found, struct nr_error *err)
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

static int bridge_remove(json_t *conf, bool *found, struct nr_error *err)
{
	_cleanup_nlsock_ struct nlsock *s = NULL;
	const char *br;
	int r;

	if (br_conf_bridge(conf, &br, NULL) < 0)
		return 0; /* it never made a bridge */
	if ((r = nlsock_open(&s, err)) < 0 || (r = bridge_delete_portless(s, br, found, err)) < 0 ||
	    (r = nft_isolate_forget(br, err)) < 0)
		return nr_error_wrap(err, r, "bridge %s", br);
	return 0;
}

/* Whatever ipMasq says now, as DEL does: an entry left behind would keep masquerading an
 * address someone else gets next.  The isolation table goes with its last bridge, in
 * nft_isolate_forget(). */
static int bridge_forget_network(const char *network, bool *found, struct nr_error *err)
{
	bool any = false;
	int r;

	if ((r = br_masq_del_network(network, &any, err)) < 0 || (r = br_masq_drop_if_empty(err)) < 0)
		return r;
	*found = *found || any;
	return 0;
}

const struct cni_host_ops br_host_state_ops = {
	.object = bridge_object,
	.reapply = bridge_reapply,
	.remove = bridge_remove,
	.forget_network = bridge_forget_network,
};

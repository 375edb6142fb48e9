/* `netns-run-overlay join`: the definition read from etcd, the conflist written, the agent
 * started and waited for (it holds a subnet when join returns). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/json_field.h"
#include "cmd_args.h"
#include "engine/netdef.h"
#include "engine/overlay_net.h"
#include "engine/rt_error.h"
#include "ovl.h"

static const char usage[] =
	"Usage: netns-run-overlay join --store etcd://HOST:PORT[,HOST:PORT...] [OPTIONS] NAME\n"
	"\n"
	"Join this host to the overlay network NAME that `create` recorded in the store: its\n"
	"conflist is written here and the host agent started (it claims a subnet).\n"
	"\n"
	"      --store URLS, --store-cacert FILE, --store-cert FILE, --store-key FILE  (as create)\n"
	"  -o, --opt underlay=IFACE|ADDR  this host's VTEP (default: the source of the route to the store)\n";

int ovl_join_local(const char *name, const struct ovl_def *d, const struct ovl_store *s, const char *const *labels,
		   size_t n_labels, const char *const *opts, size_t n_opts, struct nr_error *err)
{
	_cleanup_json_ json_t *list = NULL;
	char dir[PATH_MAX], file[PATH_MAX + 16];
	int r;

	if ((r = overlay_dir(name, dir, sizeof(dir), err)) < 0)
		return r;
	snprintf(file, sizeof(file), "%s/subnet.json", dir);
	if (!(list = ovl_conflist(name, d, s, file, labels, n_labels, opts, n_opts)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((r = netdef_write(name, &d->network, list, err)) < 0)
		return r;
	if ((r = overlay_net_start(name, err)) < 0) {
		struct nr_error e = { 0 };
		/* Nothing half-made: the agent's lease, device and directory go with the conflist. */
		ovl_leave_local(name, &e);
		return r;
	}
	return 0;
}

/* Labels of the definition are the creator's: a joining host keeps its own (none). */
int ovl_cmd_join(int argc, char **argv)
{
	struct etcd_client *c = NULL;
	struct nr_error err = { 0 };
	struct ovl_local l = { 0 };
	struct ovl_args a;
	struct ovl_def d;
	int r;

	if ((r = ovl_args_parse(argc, argv, OVL_ARG_STORE | OVL_ARG_OPT, usage, &a)) <= 0)
		return r == 0 ? 0 : OVL_EXIT_FAIL;
	for (size_t i = 0; i < a.n_opts; i++)
		if (strncmp(a.opts[i], "underlay=", 9)) {
			nr_error_set(&err, RT_ERR_USAGE, EINVAL,
				     "join takes --opt underlay=IFACE|ADDR only (the rest is the network's): %s",
				     a.opts[i]);
			goto fail;
		}
	if (!a.store.endpoints) {
		nr_error_set(&err, RT_ERR_USAGE, EINVAL, "join: --store etcd://HOST:PORT[,HOST:PORT...] is wanted");
		goto fail;
	}
	if ((r = ovl_store_open(&a.store, &c, &err)) < 0 || (r = ovl_store_def(c, a.name, &d, &err)) < 0)
		goto fail;
	if (r == 0) {
		nr_error_set(&err, RT_ERR_NOT_FOUND, ENOENT, "no overlay network %s in the store %s", a.name,
			     a.store.endpoints);
		goto fail;
	}
	/* Joined already (this very network): make sure its agent runs. */
	if (ovl_local_load(a.name, &l, NULL) >= 0 && !strcmp(l.id, d.id)) {
		ovl_local_release(&l);
		if ((r = overlay_net_start(a.name, &err)) < 0)
			goto fail;
		printf("%s\n", d.id);
		etcd_client_free(c);
		return 0;
	}
	ovl_local_release(&l);
	if ((r = ovl_join_local(a.name, &d, &a.store, NULL, 0, a.opts, a.n_opts, &err)) < 0)
		goto fail;
	printf("%s\n", d.id);
	etcd_client_free(c);
	return 0;
fail:
	etcd_client_free(c);
	ovl_print_error(&err);
	return OVL_EXIT_FAIL;
}

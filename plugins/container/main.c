/* container: the plugin behind --net=container:NAME.  The joining container lives in the
 * network namespace of another one, the owner, which is already attached to a network; so
 * ADD configures nothing and answers with the owner's result, read from the runtime's
 * cache (cni_cache_read), after making sure CNI_NETNS really is the owner's namespace.
 * DEL never touches the owner's network.
 *
 * Config: containerID (the owner's id) and network (the owner's network name), required;
 * ifName (the owner's interface in that network, "eth0"); cacheDir (the runtime's cache,
 * CNI_CHAIN_DEFAULT_CACHE_DIR).
 *
 * Errors: 3 when the owner has no cached result for that network and interface (it is not
 * attached, or was DELeted) or its namespace is gone; 4 when CNI_NETNS is a different
 * namespace from the owner's; 2 for fields this plugin does not know; 7 for invalid
 * values; 100 when the owner's result names no namespace to compare with. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json_field.h"
#include "cni/cni_chain.h"
#include "cni/cni_plugin.h"
#include "nl/netns.h"

#define WHAT "container config"

static const char *const known_fields[] = {
	"cniVersion",
	"name",
	"type",
	"containerID",
	"network",
	"ifName",
	"cacheDir",
	"capabilities",
	"runtimeConfig",
	"args",
	"prevResult",
	"cni.dev/valid-attachments",
	"cni.dev/attachments",
	NULL,
};

struct owner_conf {
	const char *container_id;
	const char *network;
	const char *ifname;
	const char *cache_dir;
};

static int parse_conf(json_t *root, struct owner_conf *c, struct nr_error *err)
{
	int r;

	*c = (struct owner_conf){ .ifname = "eth0", .cache_dir = CNI_CHAIN_DEFAULT_CACHE_DIR };
	if ((r = jfield_reject_unknown(root, known_fields, WHAT, err)) < 0 ||
	    (r = jfield_string(root, "containerID", WHAT, true, &c->container_id, err)) < 0 ||
	    (r = jfield_string(root, "network", WHAT, true, &c->network, err)) < 0 ||
	    (r = jfield_string(root, "ifName", WHAT, false, &c->ifname, err)) < 0 ||
	    (r = jfield_string(root, "cacheDir", WHAT, false, &c->cache_dir, err)) < 0)
		return r;
	if (!cni_container_id_valid(c->container_id))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, WHAT ": containerID '%s' is invalid",
				    c->container_id);
	if (!cni_name_valid(c->network))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, WHAT ": network '%s' is invalid", c->network);
	if (cni_ifname_validate(c->ifname, NULL) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, WHAT ": ifName '%s' is invalid", c->ifname);
	if (!*c->cache_dir)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, WHAT ": cacheDir is empty");
	return 0;
}

/* The owner's namespace: the sandbox of its interface ifname, else of any interface. */
static const char *owner_sandbox(const struct cni_result *res, const char *ifname)
{
	const char *any = NULL;

	for (size_t i = 0; i < res->n_ifaces; i++) {
		const struct cni_iface *f = &res->ifaces[i];
		if (!f->sandbox || !*f->sandbox)
			continue;
		if (strcmp(f->name, ifname) == 0)
			return f->sandbox;
		if (!any)
			any = f->sandbox;
	}
	return any;
}

/* The owner's cached result, once CNI_NETNS is shown to be the owner's namespace. */
static int owner_result(struct cni_plugin_ctx *ctx, struct cni_result **ret, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *res = NULL;
	_cleanup_close_ int fd = -1;
	struct owner_conf c;
	struct stat mine, theirs;
	const char *sandbox;
	int r;

	if ((r = parse_conf(ctx->conf.root, &c, err)) < 0)
		return r;
	if ((r = cni_cache_read(c.cache_dir, c.network, c.container_id, c.ifname, &res, NULL, err)) < 0)
		return nr_error_wrap(err, r, "reading the cached result of container %s", c.container_id);
	if (!res)
		return nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, ENOENT,
				    "container %s is not attached to network %s on %s (no cached result in %s)",
				    c.container_id, c.network, c.ifname, c.cache_dir);
	if (!(sandbox = owner_sandbox(res, c.ifname)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOENT,
				    "the cached result of container %s on network %s names no network namespace",
				    c.container_id, c.network);
	if ((r = netns_open(ctx->env.netns, &fd, err)) < 0)
		return r;
	if (fstat(fd, &mine) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot stat %s: %s", ctx->env.netns, strerror(errno));
	if (stat(sandbox, &theirs) < 0)
		return nr_error_set(err, errno == ENOENT ? CNI_ERR_UNKNOWN_CONTAINER : CNI_ERR_IO, errno,
				    "the network namespace %s of container %s: %s", sandbox, c.container_id,
				    strerror(errno));
	if (mine.st_dev != theirs.st_dev || mine.st_ino != theirs.st_ino)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				    "CNI_NETNS %s is not the network namespace of container %s (%s)", ctx->env.netns,
				    c.container_id, sandbox);
	*ret = TAKE_PTR(res);
	return 0;
}

static int container_add(struct cni_plugin_ctx *ctx, struct cni_result *res, struct nr_error *err)
{
	struct cni_result *owner = NULL;
	int r;

	if ((r = owner_result(ctx, &owner, err)) < 0)
		return r;
	/* res comes empty from the skeleton, which owns it: hand it the owner's contents. */
	*res = *owner;
	free(owner);
	return 0;
}

/* The network belongs to the owner: nothing here is ours to remove, whatever the config. */
static int container_del(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	return 0;
}

static int container_check(struct cni_plugin_ctx *ctx, struct nr_error *err)
{
	_cleanup_result_ struct cni_result *owner = NULL;

	return owner_result(ctx, &owner, err);
}

static const struct cni_plugin_ops container_ops = {
	.name = "container",
	.add = container_add,
	.del = container_del,
	.check = container_check,
};

int main(void)
{
	return cni_plugin_main(&container_ops);
}

/* A linux node's container options (lab_node.h): the topology's node in the engine's
 * terms, as `netns-run run -d` would get them from its command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container.h"
#include "engine/image_run.h"
#include "engine/net_opts.h"
#include "engine/rt_error.h"
#include "engine/security.h"
#include "engine/volume_spec.h"
#include "lab/lab_node.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void lab_node_opts_free(struct lab_node_opts *no)
{
	struct run_opts *o = &no->o;

	free(o->caps);
	free(o->sec.seccomp_profile);
	free(o->sec.bpf);
	image_run_free(o->img);
	rt_strv_free(no->own);
	rt_strv_free(no->argv);
	memset(no, 0, sizeof(*no));
}

/* Keep s for as long as the options live; the copy, or NULL. */
static char *own(struct lab_node_opts *no, const char *s)
{
	if (rt_strv_push(&no->own, s) < 0)
		return NULL;
	return no->own[rt_strv_len(no->own) - 1];
}

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

/* "HOST:CTR[:ro]", parsed as -v is (the topology made a relative HOST absolute, from
 * its file's directory, as containerlab does). */
static int add_bind(const char *bind, struct lab_node_opts *no, struct nr_error *err)
{
	struct run_opts *o = &no->o;
	int r;

	if (o->n_vols == ARRAY_LEN(o->vols))
		return nr_error_set(err, RT_ERR_USAGE, E2BIG, "more than %zu binds", ARRAY_LEN(o->vols));
	char *s = own(no, bind);
	if (!s)
		return nomem(err);
	if ((r = volume_spec_parse(s, &o->vols[o->n_vols], err)) < 0)
		return nr_error_wrap(err, r, "bind %s", bind);
	o->n_vols++;
	return 0;
}

static int caps(const struct lab_node *n, struct security_opts *sec, struct nr_error *err)
{
	uint64_t add = 0, drop = 0;
	int r;

	for (size_t i = 0; n->cap_add && n->cap_add[i]; i++)
		if ((r = rt_cap_add_to(&add, "cap-add", n->cap_add[i], err)) < 0)
			return r;
	for (size_t i = 0; n->cap_drop && n->cap_drop[i]; i++)
		if ((r = rt_cap_add_to(&drop, "cap-drop", n->cap_drop[i], err)) < 0)
			return r;
	/* The engine keeps what is added over what is dropped: a node's cap-drop narrows
	 * the lab's defaults, not what the node asks for itself. */
	sec->cap_add = (drop & RT_CAP_ALL ? 0 : LAB_NODE_CAPS & ~drop) | add;
	sec->cap_drop = drop;
	return 0;
}

static int command(const struct lab_node *n, struct lab_node_opts *no, struct nr_error *err)
{
	int r = 0;

	/* Long-running by default: a node lives until the lab is destroyed. */
	if (n->cmd)
		r = rt_strv_push(&no->argv, "sh") < 0 || rt_strv_push(&no->argv, "-c") < 0 ||
		    rt_strv_push(&no->argv, n->cmd) < 0;
	else
		r = rt_strv_push(&no->argv, "sleep") < 0 || rt_strv_push(&no->argv, "infinity") < 0;
	return r ? nomem(err) : 0;
}

static int image(const struct lab_node *n, struct lab_node_opts *no, struct nr_error *err)
{
	struct image_run *im = NULL;
	int r;

	if ((r = image_run_find(rt_paths()->state_dir, n->image, &im, err)) < 0)
		return r;
	if (r == 0)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "no such image: %s", n->image);
	no->o.image = n->image;
	return image_run_apply(im, &no->o, no->argv, err);
}

static int network(const struct lab_topo *t, const struct lab_node *n, struct run_opts *o, struct nr_error *err)
{
	struct net_endpoint_opts flags = { 0 };
	bool host = n->network_mode && !strcmp(n->network_mode, "host");

	o->n_nets = 1;
	if (!host && t->mgmt.network) {
		o->nets[0].network = t->mgmt.network;
		o->nets[0].ip = n->mgmt_ipv4;
	} else {
		o->nets[0].network = host ? "host" : "none";
	}
	o->net = o->nets[0].network;
	return net_opts_finish_run(o->nets, o->n_nets, &flags, err);
}

static int build(const struct lab_topo *t, const struct lab_node *n, const char *ctr, struct lab_node_opts *no,
		 struct nr_error *err)
{
	struct run_opts *o = &no->o;
	int r;

	snprintf(o->name, sizeof(o->name), "%s", ctr);
	o->hostname = rt_hostname_valid(n->name) ? n->name : NULL;
	o->detach = true;
	o->log_max_size = 10 << 20;
	o->log_max_files = 1;
	o->sysctl_net_rw = !n->sysctl_net_ro;
	for (size_t i = 0; n->env && n->env[i]; i++) {
		if (o->n_env == ARRAY_LEN(o->env))
			return nr_error_set(err, RT_ERR_USAGE, E2BIG, "more than %zu env entries", ARRAY_LEN(o->env));
		o->env[o->n_env++] = n->env[i];
	}
	for (size_t i = 0; n->binds && n->binds[i]; i++)
		if ((r = add_bind(n->binds[i], no, err)) < 0)
			return r;
	if ((r = caps(n, &o->sec, err)) < 0 || (r = network(t, n, o, err)) < 0 || (r = command(n, no, err)) < 0)
		return r;
	if (n->image)
		return image(n, no, err);
	o->argv = no->argv;
	return 0;
}

int lab_node_opts_build(const struct lab_topo *t, const struct lab_node *n, const char *ctr, struct lab_node_opts *ret,
			struct nr_error *err)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	if ((r = build(t, n, ctr, ret, err)) < 0) {
		lab_node_opts_free(ret);
		return nr_error_wrap(err, r, "node %s", n->name);
	}
	return 0;
}

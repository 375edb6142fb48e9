#include "container.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ctr_record *ctr_record_new(void)
{
	struct ctr_record *rec = calloc(1, sizeof(*rec));

	if (rec)
		rec->version = CTR_RECORD_VERSION;
	return rec;
}

void ctr_record_free(struct ctr_record *rec)
{
	if (!rec)
		return;
	ctr_network_clear(&rec->net);
	for (size_t i = 0; i < rec->n_more; i++)
		ctr_network_clear(&rec->more[i]);
	free(rec->more);
	free(rec->hostname);
	free(rec->user);
	free(rec->image);
	free(rec->image_ref);
	free(rec->netns_path);
	free(rec->capability_args);
	free(rec->seccomp_profile);
	cgroup_set_free(rec->cgroup);
	rt_strv_free(rec->argv);
	rt_strv_free(rec->env);
	free(rec);
}

void ctr_network_clear(struct ctr_network *n)
{
	free(n->name);
	free(n->conflist);
	free(n->ip);
	free(n->ip6);
	free(n->mac);
	free(n->mac_addr);
	rt_strv_free(n->aliases);
	rt_strv_free(n->addresses);
	rt_strv_free(n->gateways);
	memset(n, 0, sizeof(*n));
}

struct ctr_network *ctr_record_network(const struct ctr_record *rec, const char *name)
{
	if (rec->net.name && !strcmp(rec->net.name, name))
		return (struct ctr_network *)&rec->net;
	for (size_t i = 0; i < rec->n_more; i++)
		if (rec->more[i].name && !strcmp(rec->more[i].name, name))
			return &rec->more[i];
	return NULL;
}

struct ctr_network *ctr_record_add_network(struct ctr_record *rec)
{
	struct ctr_network *more;

	if (rec->n_more + 1 >= CTR_NETWORKS_MAX)
		return NULL;
	if (!(more = realloc(rec->more, (rec->n_more + 1) * sizeof(*more))))
		return NULL;
	rec->more = more;
	memset(&more[rec->n_more], 0, sizeof(*more));
	more[rec->n_more].mode = CTR_NET_CNI;
	return &more[rec->n_more++];
}

void ctr_record_drop_network(struct ctr_record *rec, size_t i)
{
	if (i >= rec->n_more)
		return;
	ctr_network_clear(&rec->more[i]);
	memmove(&rec->more[i], &rec->more[i + 1], (rec->n_more - i - 1) * sizeof(*rec->more));
	rec->n_more--;
}

bool ctr_init_alive(const struct ctr_record *rec)
{
	return rt_pid_is(rec->pid, rec->pid_start);
}

bool ctr_monitor_alive(const struct ctr_record *rec)
{
	return rt_pid_is(rec->monitor, rec->monitor_start);
}

bool ctr_running(const struct ctr_record *rec)
{
	return rec->status != CTR_EXITED && ctr_init_alive(rec);
}

size_t rt_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

char **rt_strv_copy(char *const *v)
{
	size_t n = rt_strv_len(v);
	char **out = calloc(n + 1, sizeof(*out));

	for (size_t i = 0; out && i < n; i++)
		if (!(out[i] = strdup(v[i]))) {
			rt_strv_free(out);
			return NULL;
		}
	return out;
}

int rt_strv_push(char ***v, const char *s)
{
	size_t n = rt_strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[n + 1] = NULL;
	if (!(nv[n] = strdup(s)))
		return -ENOMEM;
	return 0;
}

void rt_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

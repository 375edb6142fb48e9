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
	free(rec->net.name);
	free(rec->net.conflist);
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
	rt_strv_free(rec->addresses);
	free(rec);
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

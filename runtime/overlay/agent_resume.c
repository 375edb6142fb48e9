/* An agent started while the store cannot be reached (its predecessor died during a loss of
 * quorum): it resumes on what the predecessor left (the definition it cached, subnet.json,
 * the lease and the time of its last renewal), so containers keep starting until lease_ttl
 * has passed since that renewal, as for an agent that never stopped (docs/multihost.md
 * "The agent"); its threads then carry on as usual. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "base/cleanup.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

static long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void path_of(const struct agent *a, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", a->dir, file);
}

void agent_cache_definition(const struct agent *a)
{
	_cleanup_free_ char *text = ovl_def_format(&a->def);
	char path[PATH_MAX + 16];

	path_of(a, "definition.json", path, sizeof(path));
	if (!text || rt_write_file_atomic(path, text, 0644) < 0)
		agent_log("cannot write %s", path);
}

void agent_renewed_record(const struct agent *a)
{
	char path[PATH_MAX + 16], buf[32];

	path_of(a, "renewed", path, sizeof(path));
	snprintf(buf, sizeof(buf), "%lld\n", wall_ms());
	if (rt_write_file_atomic(path, buf, 0644) < 0)
		agent_log("cannot write %s", path);
}

static char *read_small(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f || !(buf = calloc(1, 4096)))
		return NULL;
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	return buf;
}

int agent_resume(struct agent *a, struct nr_error *err)
{
	char path[PATH_MAX + 16], sub[IP_PREFIX_STRLEN];
	_cleanup_free_ char *def = NULL, *renewed = NULL;
	struct overlay_subnet s;
	long long when, age;
	int r;

	path_of(a, "definition.json", path, sizeof(path));
	if (!(def = read_small(path)) || ovl_def_parse(def, strlen(def), &a->def, NULL) < 0 ||
	    strcmp(a->def.id, a->local.id))
		return nr_error_set(err, RT_ERR_SYSTEM, ENOENT, "no definition of %s cached here", a->name);
	path_of(a, "renewed", path, sizeof(path));
	if (!(renewed = read_small(path)) || sscanf(renewed, "%lld", &when) != 1)
		return nr_error_set(err, RT_ERR_SYSTEM, ENOENT, "no renewal of the lease recorded here");
	age = wall_ms() - when;
	if (age < 0 || age >= a->def.lease_ttl * 1000LL)
		return nr_error_set(err, RT_ERR_SYSTEM, ETIMEDOUT,
				    "the lease was last renewed %lld s ago, lease_ttl is %d s: the subnet may be another host's",
				    age / 1000, a->def.lease_ttl);
	if (overlay_subnet_read(a->dir, &s, NULL) < 0 || s.vni != a->def.vni)
		return nr_error_set(err, RT_ERR_SYSTEM, ENOENT, "no subnet held here");
	if ((r = overlay_vtep_ensure(&s, a->u.ifindex, a->mac, err)) < 0)
		return r;
	a->sub = s;
	a->has_sub = true;
	a->held = true;
	a->lease = ovl_lease_read(a->dir);
	a->last_renew_ms = agent_now_ms() - age;
	a->revision = 0;
	agent_log("the store is unreachable: resuming on %s (lease %llx renewed %lld s ago, lease_ttl %d s)",
		  ip_prefix_format(&s.subnet, sub, sizeof(sub)), (unsigned long long)a->lease, age / 1000,
		  a->def.lease_ttl);
	return 0;
}

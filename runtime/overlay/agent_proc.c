/* The agent's process from outside: stop it, and the lease it records.  "Alive" is "DIR/pid's
 * flock is taken", as for the DNS responder (engine/dns_proc.h), whose probe and stop work
 * on any such directory. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "engine/dns_proc.h"
#include "engine/rt.h"
#include "engine/rt_error.h"
#include "ovl.h"

int ovl_agent_stop(const char *dir, struct nr_error *err)
{
	int r = dns_proc_stop(dir, err);

	return r < 0 ? nr_error_wrap(err, r, "stopping the overlay agent of %s", dir) : r;
}

int64_t ovl_lease_read(const char *dir)
{
	char path[PATH_MAX], buf[32] = "";
	_cleanup_fclose_ FILE *f = NULL;
	int64_t v = 0;

	snprintf(path, sizeof(path), "%s/lease", dir);
	if (!(f = fopen(path, "re")) || !fgets(buf, sizeof(buf), f) || sscanf(buf, "%" SCNx64, &v) != 1)
		return 0;
	return v;
}

int ovl_lease_write(const char *dir, int64_t lease)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), "%s/lease", dir);
	snprintf(buf, sizeof(buf), "%" PRIx64 "\n", lease);
	return rt_write_file_atomic(path, buf, 0644);
}

/* Renaming a container (ctr.h, ctr_rename): its directory is named after it, so a rename
 * moves the directory and rewrites the record's name, under the store's lock.  Only a
 * container without a live monitor or init: a running one's monitor holds its record and
 * paths (the netns bind mount, the cgroups, the DNS names all follow the name) and would
 * write them back under the old name at its end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "ctr.h"
#include "rt_error.h"

int ctr_rename(const char *name, const char *new_name, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_close_ int lock = -1;
	char from[512], to[512];
	int r;

	if (!rt_name_valid(new_name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    new_name);
	if ((lock = ctr_store_lock(err)) < 0)
		return lock;
	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	if (ctr_init_alive(rec) || ctr_monitor_alive(rec))
		return nr_error_set(err, RT_ERR_CONFLICT, EBUSY,
				    "cannot rename container %s while it runs or waits to start: netns-run keeps a "
				    "container's directory, network namespace, cgroups and DNS names under its name; stop "
				    "it (or remove a created one) first",
				    name);
	rt_ctr_path(from, sizeof(from), name, NULL);
	rt_ctr_path(to, sizeof(to), new_name, NULL);
	/* RENAME_NOREPLACE: a name taken meanwhile by a directory without a record too. */
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0)
		return errno == EEXIST
			       ? nr_error_set(err, RT_ERR_CONFLICT, EEXIST,
					      "Conflict. The container name \"/%s\" is already in use", new_name)
			       : nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot rename %s to %s: %s", from, to,
					      strerror(errno));
	snprintf(rec->name, sizeof(rec->name), "%s", new_name);
	if ((r = ctr_store_save(rec, err)) < 0) {
		rename(to, from);
		return r;
	}
	return 0;
}

/* The records on disk: <state_dir>/containers/<name>/state.json, replaced atomically in
 * a slot of fixed size (record_file.h); the set of containers changes under one lock
 * file, <state_dir>/lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "container.h"
#include "record_file.h"
#include "rt_error.h"

int ctr_store_lock(struct nr_error *err)
{
	char path[512];
	_cleanup_close_ int fd = -1;
	int r;

	snprintf(path, sizeof(path), "%s/containers", rt_paths()->state_dir);
	r = rt_mkdir_p(path, 0711); /* traversable (not listable) for user-namespace roots */
	if (r >= 0)
		chmod(path, 0711);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create the state directory %s: %s", path,
				    strerror(-r));
	snprintf(path, sizeof(path), "%s/lock", rt_paths()->state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot lock %s: %s", path, strerror(errno));
	return TAKE_FD(fd);
}

int ctr_store_load(const char *name, struct ctr_record **ret, struct nr_error *err)
{
	char dir[512], path[600];
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	rt_ctr_path(dir, sizeof(dir), name, NULL);
	snprintf(path, sizeof(path), "%s/state.json", dir);
	r = record_file_read(dir, "state.json", 1 << 20, &buf, &len);
	if (r == -ENOENT)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "no such container: %s", name);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot read %s: %s", path, strerror(-r));
	return ctr_record_from_json_text(buf, len, path, ret, err);
}

/* In a slot of fixed size (record_file.h): a full state directory cannot refuse the save
 * of a container's exit status, the one thing nothing else knows. */
int ctr_store_save(const struct ctr_record *rec, struct nr_error *err)
{
	char dir[512];
	_cleanup_free_ char *text = NULL;
	int r;

	if ((r = ctr_record_to_json_text(rec, &text, err)) < 0)
		return r;
	rt_ctr_path(dir, sizeof(dir), rec->name, NULL);
	r = record_file_replace(dir, "state.json", text);
	if (r == -ENOSPC || r == -EDQUOT)
		return nr_error_set(err, RT_ERR_SYSTEM, -r,
				    "cannot write the record of %s: %s in %s (free some space there: a container's "
				    "writable layer or log may have filled it)",
				    rec->name, strerror(-r), rt_paths()->state_dir);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot write the record of %s in %s: %s", rec->name, dir,
				    strerror(-r));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ctr_store_names(char ***ret, struct nr_error *err)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	char **v = calloc(1, sizeof(*v));

	if (!v)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/containers", rt_paths()->state_dir);
	d = opendir(path);
	if (!d && errno != ENOENT) {
		rt_strv_free(v);
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot list %s: %s", path, strerror(errno));
	}
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && rt_name_valid(de->d_name) && rt_strv_push(&v, de->d_name) < 0)
			break;
	if (d)
		closedir(d);
	qsort(v, rt_strv_len(v), sizeof(*v), cmp_str);
	*ret = v;
	return 0;
}

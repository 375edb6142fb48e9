/* The records on disk: <state_dir>/containers/<name>/state.json, replaced atomically;
 * the set of containers changes under one lock file, <state_dir>/lock. */
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
	char path[512];
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	rt_ctr_path(path, sizeof(path), name, "state.json");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "no such container: %s", name);
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot read %s: %s", path, strerror(errno));
	}
	r = fd_read_all(fd, 1 << 20, &buf, &len);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot read %s: %s", path, strerror(-r));
	return ctr_record_from_json_text(buf, len, path, ret, err);
}

int ctr_store_save(const struct ctr_record *rec, struct nr_error *err)
{
	char path[512];
	_cleanup_free_ char *text = NULL;
	int r;

	if ((r = ctr_record_to_json_text(rec, &text, err)) < 0)
		return r;
	rt_ctr_path(path, sizeof(path), rec->name, "state.json");
	r = rt_write_file_atomic(path, text, 0600);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s: %s", path, strerror(-r));
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

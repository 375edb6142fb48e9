#include "state.h"

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
#include "base/json_field.h"
#include "rt.h"

int state_lock(struct nr_error *err)
{
	char path[512];
	int fd, r;

	snprintf(path, sizeof(path), "%s/containers", rt_paths()->state_dir);
	r = mkdir_p(path, 0711); /* traversable (not listable) for user-namespace roots */
	if (r >= 0)
		chmod(path, 0711);
	if (r < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot create the state directory %s: %s", path,
				    strerror(-r));
	snprintf(path, sizeof(path), "%s/lock", rt_paths()->state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		r = -errno;
		close(fd);
		return nr_error_set(err, CNI_ERR_IO, r, "cannot lock %s: %s", path, strerror(-r));
	}
	return fd;
}

int state_load(const char *name, json_t **ret, struct nr_error *err)
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
			return nr_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, ENOENT, "no such container: %s", name);
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot read %s: %s", path, strerror(errno));
	}
	r = fd_read_all(fd, 1 << 20, &buf, &len);
	if (r < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot read %s: %s", path, strerror(-r));
	return json_parse_object(buf, len, path, ret, err);
}

int state_save(const char *name, json_t *st, struct nr_error *err)
{
	char path[512];
	_cleanup_free_ char *text = json_dumps(st, JSON_INDENT(2) | JSON_SORT_KEYS);
	int r;

	if (!text)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rt_ctr_path(path, sizeof(path), name, "state.json");
	r = write_file_atomic(path, text, 0600);
	if (r < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot write %s: %s", path, strerror(-r));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_names(char ***ret, struct nr_error *err)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/containers", rt_paths()->state_dir);
	d = opendir(path);
	if (!d && errno != ENOENT)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot list %s: %s", path, strerror(errno));
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !rt_name_valid(de->d_name))
			continue;
		char **nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[n] = strdup(de->d_name);
		if (v[n])
			n++;
	}
	if (d)
		closedir(d);
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	return 0;
}

void state_names_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

const char *state_str(json_t *st, const char *key)
{
	const char *s = json_string_value(json_object_get(st, key));

	return s ? s : "";
}

long long state_int(json_t *st, const char *key)
{
	return json_integer_value(json_object_get(st, key));
}

bool state_init_alive(json_t *st)
{
	return pid_is((pid_t)state_int(st, "pid"), (unsigned long long)state_int(st, "pid_start"));
}

bool state_monitor_alive(json_t *st)
{
	return pid_is((pid_t)state_int(st, "monitor"), (unsigned long long)state_int(st, "monitor_start"));
}

/* A container's changes as `docker diff` lists them (image/layer.h): the upper walked,
 * each path looked up in the lowers as overlayfs would (top first, stopping at a
 * whiteout, an opaque directory or a non-directory on the way), then sorted by path as
 * Docker sorts them ("/a-b" before "/a/b"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "image/layer.h"
#include "image/layer_internal.h"

struct diff_change {
	enum layer_change kind;
	char *path; /* "/a/b" */
};

struct diff {
	const char *const *lowers;
	size_t n_lowers;
	struct diff_change *v;
	size_t n, cap;
	struct nr_error *err;
};

/* Whether rel ("a/b") is visible in the union of the lowers. */
static bool diff_in_lowers(const struct diff *d, const char *rel)
{
	for (size_t i = 0; i < d->n_lowers; i++) {
		_cleanup_close_ int fd = open(d->lowers[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		const char *p = rel;
		bool hidden_below = false;
		char name[256];
		struct stat st;
		size_t n;

		if (fd < 0)
			continue;
		for (;;) {
			int next;

			n = strcspn(p, "/");
			if (n >= sizeof(name))
				return false;
			memcpy(name, p, n);
			name[n] = '\0';
			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				break; /* not in this layer: maybe in one below */
			if (layer_is_whiteout(&st))
				return false;
			p += n;
			while (*p == '/')
				p++;
			if (!*p)
				return true;
			if (!S_ISDIR(st.st_mode))
				return false; /* a file here hides the path in every layer below */
			next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				return false;
			close(fd);
			fd = next;
			if (layer_is_opaque_fd(fd))
				hidden_below = true;
		}
		if (hidden_below)
			return false;
	}
	return false;
}

static int diff_add(struct diff *d, enum layer_change kind, const char *rel)
{
	struct diff_change *grown;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		grown = realloc(d->v, d->cap * sizeof(*d->v));
		if (!grown)
			return nr_error_set(d->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		d->v = grown;
	}
	if (asprintf(&d->v[d->n].path, "/%s", rel) < 0)
		return nr_error_set(d->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	d->v[d->n++].kind = kind;
	return 0;
}

/* hidden: below an opaque directory of the upper, where nothing of the lowers shows. */
static int diff_dir(struct diff *d, int parent, const char *rel, bool hidden)
{
	_cleanup_close_ int dup_fd = fcntl(parent, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;
	DIR *dir;
	int r = 0;

	if (dup_fd < 0 || !(dir = fdopendir(dup_fd)))
		return nr_error_set(d->err, RT_ERR_SYSTEM, errno, "diff: reading \"/%s\"", rel);
	dup_fd = -1; /* the DIR owns it */
	while (r >= 0 && (de = readdir(dir))) {
		_cleanup_free_ char *child = NULL;
		_cleanup_close_ int fd = -1;
		struct stat st;
		bool opaque;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", de->d_name) < 0) {
			r = nr_error_set(d->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
			break;
		}
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = nr_error_set(d->err, RT_ERR_SYSTEM, errno, "diff: \"/%s\"", child);
			break;
		}
		if (layer_is_whiteout(&st)) {
			r = hidden ? 0 : diff_add(d, LAYER_DELETED, child);
			continue;
		}
		r = diff_add(d, !hidden && diff_in_lowers(d, child) ? LAYER_CHANGED : LAYER_ADDED, child);
		if (r < 0 || !S_ISDIR(st.st_mode))
			continue;
		fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = nr_error_set(d->err, RT_ERR_SYSTEM, errno, "diff: opening \"/%s\"", child);
			break;
		}
		opaque = layer_is_opaque_fd(fd);
		r = diff_dir(d, fd, child, hidden || opaque);
	}
	closedir(dir);
	return r < 0 ? r : 0;
}

static int diff_cmp(const void *a, const void *b)
{
	return strcmp(((const struct diff_change *)a)->path, ((const struct diff_change *)b)->path);
}

int layer_diff(const char *upper, const char *const *lowers, size_t n_lowers,
	       int (*fn)(enum layer_change kind, const char *path, void *arg), void *arg, struct nr_error *err)
{
	_cleanup_close_ int fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct diff d = { .lowers = lowers, .n_lowers = n_lowers, .err = err };
	int r;

	if (fd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "diff: %s", upper);
	r = diff_dir(&d, fd, "", false);
	if (r >= 0 && d.n > 1)
		qsort(d.v, d.n, sizeof(*d.v), diff_cmp);
	for (size_t i = 0; i < d.n; i++) {
		if (r >= 0)
			r = fn(d.v[i].kind, d.v[i].path, arg);
		free(d.v[i].path);
	}
	free(d.v);
	return r < 0 ? r : 0;
}

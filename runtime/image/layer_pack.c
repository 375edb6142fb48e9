/* A container's overlay upper as an OCI layer tar (image/layer.h; docs/images.md,
 * "Layers"): the tree walked in sorted order, each entry's metadata, xattrs, ACLs and
 * sparse map read by libarchive's disk reader, written as a pax tar through a callback
 * that hashes what goes out.  Whiteouts become ".wh.NAME", opaque directories get a
 * ".wh..wh..opq" entry right after their own, as Docker writes them. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "image/layer.h"
#include "image/layer_internal.h"

DEFINE_PTR_CLEANUP(archive_write_freep, struct archive *, archive_write_free)
DEFINE_PTR_CLEANUP(archive_read_freep, struct archive *, archive_read_free)
DEFINE_PTR_CLEANUP(archive_entry_freep, struct archive_entry *, archive_entry_free)

#define PACK_CHUNK (1 << 20)

struct pack_link {
	dev_t dev;
	ino_t ino;
	char *path; /* the first name written */
};

struct pack {
	const char *upper;
	int fd;
	struct archive *disk; /* reads metadata: xattrs, ACLs, the sparse map */
	struct archive *out;
	struct img_hasher hasher;
	unsigned long uid_shift;
	void *links; /* tsearch tree of struct pack_link: hard links within the upper */
	long long size;
	char *buf;   /* PACK_CHUNK bytes: file data */
	char *zeros; /* PACK_CHUNK zero bytes: holes, which the pax writer skips */
	struct nr_error *err;
};

static la_ssize_t pack_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct pack *p = data;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(p->fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			archive_set_error(a, errno, "writing the layer: %s", strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	img_hasher_update(&p->hasher, buf, len);
	return (la_ssize_t)len;
}

static int pack_link_cmp(const void *a, const void *b)
{
	const struct pack_link *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void pack_link_free(void *l)
{
	free(((struct pack_link *)l)->path);
	free(l);
}

static unsigned long pack_id(const struct pack *p, unsigned long id)
{
	return p->uid_shift && id >= p->uid_shift ? id - p->uid_shift : id;
}

static int pack_archive_error(struct pack *p, struct archive *a, const char *rel)
{
	return nr_error_set(p->err, RT_ERR_SYSTEM, archive_errno(a) > 0 ? archive_errno(a) : EIO, "packing \"%s\": %s",
			    rel, archive_error_string(a) ?: "failed");
}

/* An empty regular file standing for a whiteout or an opaque mark, with the owner and
 * mode bits of what it stands for. */
static int pack_marker(struct pack *p, const char *dir, const char *name, const struct stat *st)
{
	_cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
	_cleanup_free_ char *path = NULL;

	if (!e || asprintf(&path, "%s%s%s", dir, *dir ? "/" : "", name) < 0)
		return nr_error_set(p->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	archive_entry_copy_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, st->st_mode & 0777);
	archive_entry_set_uid(e, pack_id(p, st->st_uid));
	archive_entry_set_gid(e, pack_id(p, st->st_gid));
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	archive_entry_set_size(e, 0);
	if (archive_write_header(p->out, e) < ARCHIVE_WARN)
		return pack_archive_error(p, p->out, path);
	return 0;
}

/* A regular file's bytes: the data regions of its sparse map (holes as zeros, which the
 * pax writer leaves out of the tar), or all of it. */
static int pack_data(struct pack *p, int fd, struct archive_entry *e, const char *rel)
{
	la_int64_t size = archive_entry_size(e), pos = 0, off, len, end;
	bool sparse = archive_entry_sparse_reset(e) > 0;
	size_t n;
	ssize_t got;

	while (pos < size) {
		if (sparse) {
			if (archive_entry_sparse_next(e, &off, &len) != ARCHIVE_OK) {
				off = size;
				len = 0;
			}
		} else {
			off = pos;
			len = size - pos;
		}
		for (; pos < off && pos < size; pos += (la_int64_t)n) {
			n = (size_t)(off - pos < PACK_CHUNK ? off - pos : PACK_CHUNK);
			if (archive_write_data(p->out, p->zeros, n) < 0)
				return pack_archive_error(p, p->out, rel);
		}
		end = off + len < size ? off + len : size;
		for (; pos < end; pos += got) {
			n = (size_t)(end - pos < PACK_CHUNK ? end - pos : PACK_CHUNK);
			got = pread(fd, p->buf, n, pos);
			if (got < 0 && errno == EINTR) {
				got = 0;
				continue;
			}
			if (got < 0)
				return nr_error_set(p->err, RT_ERR_SYSTEM, errno, "packing \"%s\": reading it", rel);
			if (got == 0)
				return nr_error_set(p->err, RT_ERR_SYSTEM, EIO, "packing \"%s\": it shrank while read",
						    rel);
			if (archive_write_data(p->out, p->buf, (size_t)got) < 0)
				return pack_archive_error(p, p->out, rel);
		}
		if (!sparse)
			break;
	}
	return 0;
}

/* Whether this inode was written already under another name (a hard link): *ret_first
 * is that name; otherwise it is recorded under rel. */
static int pack_hardlink(struct pack *p, const struct stat *st, const char *rel, const char **ret_first)
{
	struct pack_link key = { .dev = st->st_dev, .ino = st->st_ino }, *l, **found;

	*ret_first = NULL;
	found = tfind(&key, &p->links, pack_link_cmp);
	if (found) {
		*ret_first = (*found)->path;
		return 0;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->path = strdup(rel))) {
		free(l);
		return -ENOMEM;
	}
	l->dev = st->st_dev;
	l->ino = st->st_ino;
	if (!tsearch(l, &p->links, pack_link_cmp)) {
		pack_link_free(l);
		return -ENOMEM;
	}
	return 0;
}

static int pack_entry(struct pack *p, int parent, const char *name, const char *rel, const struct stat *st,
		      int dirfd_or_neg)
{
	_cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
	_cleanup_free_ char *src = NULL;
	_cleanup_close_ int fd = -1;
	const char *first = NULL;
	int r;

	if (!e || asprintf(&src, "%s/%s", p->upper, rel) < 0)
		return nr_error_set(p->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (S_ISREG(st->st_mode)) {
		fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return nr_error_set(p->err, RT_ERR_SYSTEM, errno, "packing \"%s\": opening it", rel);
	}
	archive_entry_copy_pathname(e, rel);
	archive_entry_copy_sourcepath(e, src);
	if (archive_read_disk_entry_from_file(p->disk, e, fd >= 0 ? fd : dirfd_or_neg, st) < ARCHIVE_WARN)
		return pack_archive_error(p, p->disk, rel);
	/* Only what an image carries: no access or change times (the digest would change
	 * with every read), no host names for the ids, no ext4 flags. */
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	archive_entry_set_fflags(e, 0, 0);
	archive_entry_copy_uname(e, NULL);
	archive_entry_copy_gname(e, NULL);
	archive_entry_set_uid(e, pack_id(p, st->st_uid));
	archive_entry_set_gid(e, pack_id(p, st->st_gid));
	if (layer_xattrs_drop_overlay(e) < 0)
		return nr_error_set(p->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		if (pack_hardlink(p, st, rel, &first) < 0)
			return nr_error_set(p->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		if (first) {
			archive_entry_copy_hardlink(e, first);
			archive_entry_set_size(e, 0);
			archive_entry_sparse_clear(e);
		}
	}
	if (archive_write_header(p->out, e) < ARCHIVE_WARN)
		return pack_archive_error(p, p->out, rel);
	if (S_ISREG(st->st_mode) && !first) {
		p->size += st->st_size;
		if (st->st_size > 0 && (r = pack_data(p, fd, e, rel)) < 0)
			return r;
	}
	return 0;
}

static int pack_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pack_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in a directory, sorted: the same tree gives the same tar. */
static int pack_names(int fd, char ***ret, size_t *ret_n)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -errno;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto nomem;
			names = grown;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto nomem;
		n++;
	}
	closedir(d);
	if (n > 1) /* qsort wants a non-NULL array, even empty */
		qsort(names, n, sizeof(*names), pack_name_cmp);
	*ret = names;
	*ret_n = n;
	return 0;
nomem:
	closedir(d);
	pack_names_free(names, n);
	return -ENOMEM;
}

static int pack_dir(struct pack *p, int dirfd, const char *rel)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = pack_names(dirfd, &names, &n);
	if (r < 0)
		return nr_error_set(p->err, RT_ERR_SYSTEM, -r, "packing \"%s\": reading the directory",
				    *rel ? rel : "/");
	for (size_t i = 0; i < n && r >= 0; i++) {
		_cleanup_free_ char *child = NULL;
		_cleanup_close_ int fd = -1;
		struct stat st;

		if (asprintf(&child, "%s%s%s", rel, *rel ? "/" : "", names[i]) < 0) {
			r = nr_error_set(p->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
			break;
		}
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = nr_error_set(p->err, RT_ERR_SYSTEM, errno, "packing \"%s\"", child);
			break;
		}
		if (layer_is_whiteout(&st)) {
			_cleanup_free_ char *wh = NULL;

			if (asprintf(&wh, LAYER_WH_PREFIX "%s", names[i]) < 0)
				r = nr_error_set(p->err, RT_ERR_NOMEM, ENOMEM, "out of memory");
			else
				r = pack_marker(p, rel, wh, &st);
			continue;
		}
		if (S_ISSOCK(st.st_mode))
			continue; /* a tar cannot hold one (Docker leaves them out too) */
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				r = nr_error_set(p->err, RT_ERR_SYSTEM, errno, "packing \"%s\": opening it", child);
				break;
			}
		}
		r = pack_entry(p, dirfd, names[i], child, &st, fd);
		if (r >= 0 && fd >= 0) {
			if (layer_is_opaque_fd(fd))
				r = pack_marker(p, child, LAYER_WH_OPAQUE, &st);
			if (r >= 0)
				r = pack_dir(p, fd, child);
		}
	}
	pack_names_free(names, n);
	return r < 0 ? r : 0;
}

int layer_pack(const char *upper, int fd, unsigned long uid_shift, img_digest ret_digest, long long *ret_size,
	       struct nr_error *err)
{
	_cleanup_(archive_write_freep) struct archive *out = archive_write_new();
	_cleanup_(archive_read_freep) struct archive *disk = archive_read_disk_new();
	_cleanup_free_ char *buf = malloc(PACK_CHUNK), *zeros = calloc(1, PACK_CHUNK);
	_cleanup_close_ int rootfd = -1;
	struct pack p = { .upper = upper, .fd = fd, .uid_shift = uid_shift, .err = err };
	int r;

	if (!out || !disk || !buf || !zeros)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	rootfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "packing %s", upper);
	p.out = out;
	p.disk = disk;
	p.buf = buf;
	p.zeros = zeros;
	img_hasher_init(&p.hasher);
	/* pax as Docker and podman write layers; blocks of 10240 bytes for the writes, the
	 * last one cut at the end of the tar's 512-byte records. */
	if (archive_write_set_format_pax_restricted(out) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(out, 1) != ARCHIVE_OK ||
	    archive_write_open(out, &p, NULL, pack_write, NULL) != ARCHIVE_OK) {
		r = pack_archive_error(&p, out, upper);
		goto out;
	}
	r = pack_dir(&p, rootfd, "");
	if (r >= 0 && archive_write_close(out) != ARCHIVE_OK)
		r = pack_archive_error(&p, out, upper);
out:
	tdestroy(p.links, pack_link_free);
	if (r < 0)
		return r;
	if (ret_digest)
		img_hasher_final(&p.hasher, ret_digest);
	if (ret_size)
		*ret_size = p.size;
	return 0;
}

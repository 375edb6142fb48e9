/* Unpack one layer tar into a directory in overlay form (image/layer.h; docs/images.md,
 * "Layers").  The tar is hostile until proven otherwise: every entry name is cleaned and
 * refused when absolute or with "..", and libarchive's SECURE_SYMLINKS / SECURE_NODOTDOT /
 * SECURE_NOABSOLUTEPATHS stay on as the second line (a symbolic link made by an earlier
 * entry is never followed).
 *
 * Names are given to libarchive relative to the layer's directory, which is the working
 * directory for the unpack: SECURE_SYMLINKS lstat()s and opens every component of a
 * name from the working directory on, three syscalls each, and with names prefixed by
 * the directory's absolute path (the store is ~8 components deep) that was most of the
 * unpack's system time (docs/images-perf.md).  The working directory is made the calling
 * thread's own first (unshare(CLONE_FS)), so that no other thread sees it move, and put
 * back after.
 *
 * Two libarchive readers in a chain: the outer one undoes the compression (raw format),
 * the inner one reads the tar from what the outer hands it, through a callback that
 * hashes every byte: the diff_id is the sha256 of the whole uncompressed stream,
 * including the end blocks and any padding after them, which are drained at the end. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "image/layer.h"
#include "image/layer_internal.h"

DEFINE_PTR_CLEANUP(archive_read_freep, struct archive *, archive_read_free)
DEFINE_PTR_CLEANUP(archive_write_freep, struct archive *, archive_write_free)

/* OWNER with numeric ids only (no name lookup: the layer's ids, not the host's names);
 * PERM for setuid bits and exact modes; XATTR carries file capabilities.
 * Not SPARSE: libarchive's sparse mode writes 4 KiB per write(2); unpack_data makes the
 * holes itself (runs of zero blocks skipped, the rest written in one piece).  Not FFLAGS:
 * an immutable file would make the layer unremovable.  Not UNLINK: with SECURE_SYMLINKS
 * it removes a symbolic link found on an entry's way instead of refusing the entry. */
#define UNPACK_FLAGS                                                                                   \
	(ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR | \
	 ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |     \
	 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

struct unpack {
	struct archive *outer; /* decompression only */
	struct img_hasher hasher;
	bool hash; /* the caller wants the diff id */
	bool eof;
	int rootfd; /* the layer's directory, also the working directory meanwhile */
};

/* The inner reader's source: the outer's decompressed blocks, hashed on the way.  No
 * skip callback, so data the inner reader skips is read, and hashed, too. */
static la_ssize_t unpack_read(struct archive *a, void *data, const void **buf)
{
	struct unpack *u = data;
	size_t len = 0;
	la_int64_t off;
	int r;

	if (u->eof)
		return 0;
	r = archive_read_data_block(u->outer, buf, &len, &off);
	if (r == ARCHIVE_EOF) {
		u->eof = true;
		return 0;
	}
	if (r < ARCHIVE_WARN) {
		archive_set_error(a, archive_errno(u->outer) > 0 ? archive_errno(u->outer) : EIO, "%s",
				  archive_error_string(u->outer) ?: "decompression failed");
		return -1;
	}
	if (u->hash)
		img_hasher_update(&u->hasher, *buf, len);
	return (la_ssize_t)len;
}

static int unpack_open_outer(struct unpack *u, int fd, struct nr_error *err)
{
	struct archive_entry *e;

	u->outer = archive_read_new();
	if (!u->outer)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	/* The compressions of image layers, each through its library (Debian's libarchive
	 * links zlib, libzstd, liblzma, libbz2), none through an external program (not
	 * filter_all: lrzip, lzop or grzip would run one). */
	archive_read_support_filter_gzip(u->outer);
	archive_read_support_filter_zstd(u->outer);
	archive_read_support_filter_xz(u->outer);
	archive_read_support_filter_lzma(u->outer);
	archive_read_support_filter_bzip2(u->outer);
	archive_read_support_format_raw(u->outer);
	if (archive_read_open_fd(u->outer, fd, 64 * 1024) != ARCHIVE_OK ||
	    archive_read_next_header(u->outer, &e) < ARCHIVE_WARN)
		return nr_error_set(err, RT_ERR_CORRUPT, archive_errno(u->outer) > 0 ? archive_errno(u->outer) : EIO,
				    "layer: %s", archive_error_string(u->outer) ?: "cannot read it");
	return 0;
}

/* An entry's name for libarchive: relative to the working directory, the layer's. */
static const char *unpack_path(const char *rel)
{
	return *rel ? rel : ".";
}

/* A hard link's target must be in the layer: a clean name whose directories are real
 * directories of the layer (link(2) follows symbolic links in them). */
static int unpack_check_link(struct unpack *u, const char *name, const char *target, char **ret, struct nr_error *err)
{
	_cleanup_free_ char *clean = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	const char *dir, *base;

	if (layer_path_clean(target, &clean) < 0 || !*clean)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
				    "layer entry \"%s\": hard link to \"%s\", which is outside the layer", name,
				    target);
	buf = malloc(strlen(clean) + 1);
	if (!buf)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	layer_path_split(clean, buf, &dir, &base);
	fd = layer_dir_open(u->rootfd, dir, false);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, -fd,
				    "layer entry \"%s\": hard link to \"%s\", which is not a file of the layer", name,
				    target);
	*ret = TAKE_PTR(clean);
	return 0;
}

/* libarchive's refusals (a symbolic link on the way, "..") carry no errno; a missing
 * hard link target or a file where a directory should be is the layer's fault too.  A
 * full disk, a quota or an I/O error is the machine's (RT_ERR_SYSTEM). */
static int unpack_disk_error(struct archive *disk, const char *name, struct nr_error *err)
{
	int e = archive_errno(disk);
	bool system = e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS || e == ENOMEM;

	return nr_error_set(err, system ? RT_ERR_SYSTEM : RT_ERR_CORRUPT, e > 0 ? e : EIO, "layer entry \"%s\": %s",
			    name, archive_error_string(disk) ?: "cannot be written");
}

/* Holes are made of zero blocks (UNPACK_HOLE, aligned on the file's offsets), as
 * libarchive's SPARSE mode would, but the data between them goes in one write. */
#define UNPACK_HOLE 4096

static bool unpack_zero(const char *p, size_t n)
{
	return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

static int unpack_data(struct archive *in, struct archive *disk, const char *name, struct nr_error *err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	for (;;) {
		r = archive_read_data_block(in, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return nr_error_set(err, RT_ERR_CORRUPT, archive_errno(in) > 0 ? archive_errno(in) : EIO,
					    "layer entry \"%s\": %s", name, archive_error_string(in) ?: "unreadable");
		const char *p = buf;
		size_t run = 0, pos = 0; /* the data not yet written: [run, pos) */

		while (pos < len) {
			size_t end = (size_t)(((off + pos) / UNPACK_HOLE + 1) * UNPACK_HOLE - off);

			if (end > len)
				end = len;
			if (unpack_zero(p + pos, end - pos)) {
				if (pos > run &&
				    archive_write_data_block(disk, p + run, pos - run, off + run) < ARCHIVE_OK)
					return unpack_disk_error(disk, name, err);
				run = end;
			}
			pos = end;
		}
		/* A file that ends in a hole gets its size at finish_entry (ftruncate). */
		if (pos > run && archive_write_data_block(disk, p + run, pos - run, off + run) < ARCHIVE_OK)
			return unpack_disk_error(disk, name, err);
	}
}

/* One entry: a whiteout is made by hand, anything else written by libarchive under the
 * directory.  Adds a regular file's bytes to *size. */
static int unpack_entry(struct unpack *u, struct archive *in, struct archive *disk, struct archive_entry *e,
			long long *size, struct nr_error *err)
{
	const char *target = archive_entry_hardlink(e);
	_cleanup_free_ char *name = NULL, *rel = NULL, *buf = NULL, *link = NULL;
	const char *dir, *base;
	int r;

	/* A copy: the entry's own string goes when the name is rewritten below, and errors
	 * name the entry as the tar does. */
	if (!archive_entry_pathname(e))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "layer: an entry without a readable name");
	name = strdup(archive_entry_pathname(e));
	if (!name)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (layer_path_clean(name, &rel) < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "layer entry \"%s\": its path leaves the layer", name);
	buf = malloc(strlen(rel) + 1);
	if (!buf)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	layer_path_split(rel, buf, &dir, &base);
	if (!strcmp(base, LAYER_WH_OPAQUE))
		return layer_whiteout_opaque(u->rootfd, dir, name, err);
	if (!strncmp(base, LAYER_WH_META_PREFIX, strlen(LAYER_WH_META_PREFIX)))
		return 0; /* aufs's own bookkeeping (.wh..wh.plnk, .wh..wh.aufs): nothing of the image */
	if (!strncmp(base, LAYER_WH_PREFIX, strlen(LAYER_WH_PREFIX))) {
		const char *gone = base + strlen(LAYER_WH_PREFIX);
		const struct stat *meta;
		_cleanup_free_ char *path = NULL;

		if (!*gone || !strcmp(gone, ".") || !strcmp(gone, ".."))
			return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "layer entry \"%s\": a whiteout of nothing",
					    name);
		if (asprintf(&path, "%s%s%s", dir, *dir ? "/" : "", gone) < 0 || !(meta = archive_entry_stat(e)))
			return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
		return layer_whiteout_make(u->rootfd, path, meta, name, err);
	}
	if (!*rel && archive_entry_filetype(e) != AE_IFDIR)
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL,
				    "layer entry \"%s\": the layer's root as a non-directory", name);
	if (target) {
		r = unpack_check_link(u, name, target, &link, err);
		if (r < 0)
			return r;
		archive_entry_copy_hardlink(e, link);
		/* A hard link's content is its target's: data after it (pax allows it) would be
		 * written through the link, and so through a symbolic link it may name. */
		archive_entry_set_size(e, 0);
	} else if (archive_entry_filetype(e) == AE_IFREG) {
		*size += archive_entry_size(e);
	}
	if (layer_xattrs_drop_overlay(e) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	archive_entry_copy_pathname(e, unpack_path(rel));
	/* A failure to restore an owner, a mode or an xattr is a WARN for libarchive; a layer
	 * that silently loses a file capability is wrong, so it fails here. */
	if (archive_write_header(disk, e) != ARCHIVE_OK)
		return unpack_disk_error(disk, name, err);
	if (archive_entry_size(e) > 0 && (r = unpack_data(in, disk, name, err)) < 0)
		return r;
	if (archive_write_finish_entry(disk) != ARCHIVE_OK)
		return unpack_disk_error(disk, name, err);
	return 0;
}

static int unpack_run(struct unpack *u, int fd, long long *size, struct nr_error *err)
{
	_cleanup_(archive_read_freep) struct archive *in = NULL;
	_cleanup_(archive_write_freep) struct archive *disk = NULL;
	struct archive_entry *e;
	int r;

	r = unpack_open_outer(u, fd, err);
	if (r < 0)
		return r;
	in = archive_read_new();
	disk = archive_write_disk_new();
	if (!in || !disk)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	archive_read_support_format_tar(in);
	if (archive_write_disk_set_options(disk, UNPACK_FLAGS) != ARCHIVE_OK)
		return nr_error_set(err, RT_ERR_SYSTEM, EINVAL, "layer: %s", archive_error_string(disk));
	if (archive_read_open(in, u, NULL, unpack_read, NULL) != ARCHIVE_OK)
		return nr_error_set(err, RT_ERR_CORRUPT, archive_errno(in) > 0 ? archive_errno(in) : EIO,
				    "layer: not a tar archive: %s", archive_error_string(in) ?: "unreadable");
	for (;;) {
		r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return nr_error_set(err, RT_ERR_CORRUPT, archive_errno(in) > 0 ? archive_errno(in) : EIO,
					    "layer: %s", archive_error_string(in) ?: "unreadable");
		r = unpack_entry(u, in, disk, e, size, err);
		if (r < 0)
			return r;
	}
	/* Directories' modes and times are set at close, once their contents are in. */
	if (archive_write_close(disk) != ARCHIVE_OK)
		return nr_error_set(err, RT_ERR_CORRUPT, archive_errno(disk) > 0 ? archive_errno(disk) : EIO,
				    "layer: %s", archive_error_string(disk) ?: "finishing the directories");
	/* The rest of the stream (tar pads to its record size) belongs to the diff_id. */
	while (!u->eof) {
		const void *buf;

		if (unpack_read(in, u, &buf) < 0)
			return nr_error_set(err, RT_ERR_CORRUPT, EIO, "layer: %s",
					    archive_error_string(in) ?: "unreadable after the end of the tar");
	}
	return 0;
}

int layer_unpack(int fd, const char *dir, img_digest ret_diff_id, long long *ret_size, struct nr_error *err)
{
	_cleanup_close_ int rootfd = -1, cwd = -1;
	struct unpack u = { 0 };
	long long size = 0;
	int r;

	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "layer: %s", dir);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "layer: the working directory");
	/* This thread's own working directory from now on (a no-op for a process of one
	 * thread): the fchdir below moves nobody else's. */
	if (unshare(CLONE_FS) < 0 || fchdir(rootfd) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "layer: entering %s", dir);
	u.rootfd = rootfd;
	u.hash = ret_diff_id != NULL;
	img_hasher_init(&u.hasher);
	r = unpack_run(&u, fd, &size, err);
	archive_read_free(u.outer);
	if (fchdir(cwd) < 0 && r >= 0)
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "layer: back to the working directory");
	if (r < 0)
		return r;
	if (ret_diff_id)
		img_hasher_final(&u.hasher, ret_diff_id);
	if (ret_size)
		*ret_size = size;
	return 0;
}

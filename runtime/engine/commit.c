/* commit (commit.h). */
#include "engine/commit.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/cgroup.h"
#include "engine/container.h"
#include "engine/image_use.h"
#include "engine/rt_error.h"
#include "image/config.h"
#include "image/derive.h"
#include "image/layer.h"
#include "image/store.h"

/* (libarchive's objects; the image library keeps its own definitions private) */
DEFINE_PTR_CLEANUP(archive_write_freep, struct archive *, archive_write_free)
DEFINE_PTR_CLEANUP(archive_read_freep, struct archive *, archive_read_free)
DEFINE_PTR_CLEANUP(archive_entry_freep, struct archive_entry *, archive_entry_free)

#define LAYER_MEDIA_TYPE "application/vnd.oci.image.layer.v1.tar"

/* <ctr_dir>/commit.lock, held (flock) while the container is frozen: gc thaws a frozen
 * container only when nobody holds it, i.e. its commit was killed. */
static int commit_lock(const char *name, int op)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = open(rt_ctr_path(path, sizeof(path), name, "commit.lock"),
				      O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || flock(fd, op) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* The command as Docker's commit records it in the history: its words joined by spaces. */
static char *created_by(char *const *argv)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; argv && argv[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	fclose(f);
	return out;
}

/* An anonymous file in the store's tmp/ (same file system as the blobs): nothing of it
 * survives a kill.  Where O_TMPFILE is not supported, a named one unlinked at once. */
static int tmp_file(const struct img_store *st, struct nr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s/tmp", img_store_root(st));
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/commit-XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create a file in %s: %s", dir, strerror(errno));
	unlink(path);
	return fd;
}

/* The runtime's mount targets, made in the upper layer when the image lacks them and
 * bind-mounted over (etc_write's files), or mounted on (/dev, /proc, /sys): Docker keeps
 * its own in an init layer that commit leaves out; so do we.  A file of these names in
 * the upper layer is always such a target: the command cannot replace a mount point. */
static bool mount_target_file(const char *path)
{
	return !strcmp(path, "etc/hostname") || !strcmp(path, "etc/hosts") || !strcmp(path, "etc/resolv.conf");
}

static bool mount_target_dir(const char *path)
{
	return !strcmp(path, "dev") || !strcmp(path, "proc") || !strcmp(path, "sys");
}

/* An entry's path as compared above: no leading "./" or trailing "/". */
static void entry_path(struct archive_entry *e, char *buf, size_t len)
{
	const char *p = archive_entry_pathname(e);

	p = p ? p : "";
	if (!strncmp(p, "./", 2))
		p += 2;
	snprintf(buf, len, "%s", p);
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '/')
		buf[n - 1] = '\0';
}

struct blob_sink {
	struct img_blob_writer *w;
	struct nr_error *err;
	bool failed;
};

static la_ssize_t sink_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct blob_sink *s = ctx;

	if (img_blob_write(s->w, buf, len, s->err) < 0) {
		s->failed = true;
		archive_set_error(a, EIO, "writing the layer blob");
		return -1;
	}
	return (la_ssize_t)len;
}

/* Zeros from *pos up to end (a hole). */
static int write_zeros(struct archive *out, la_int64_t *pos, la_int64_t end)
{
	static const char zeros[65536];

	while (*pos < end) {
		size_t n = end - *pos < (la_int64_t)sizeof(zeros) ? (size_t)(end - *pos) : sizeof(zeros);
		if (archive_write_data(out, zeros, n) < 0)
			return -1;
		*pos += (la_int64_t)n;
	}
	return 0;
}

/* One entry's data, holes as zeros (the pax writer skips them again, as layer_pack's). */
static int copy_data(struct archive *in, struct archive *out, la_int64_t size)
{
	const void *buf;
	size_t len;
	la_int64_t off, pos = 0;
	int r;

	while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK) {
		if (write_zeros(out, &pos, off) < 0 || (len && archive_write_data(out, buf, len) < 0))
			return -1;
		pos = off + (la_int64_t)len;
	}
	if (r != ARCHIVE_EOF)
		return -1;
	return write_zeros(out, &pos, size);
}

/* The packed layer (fd, at its start) into a blob, the runtime's mount targets left out:
 * the entries are copied as they are (libarchive, the pax format layer_pack writes), an
 * empty /dev, /proc or /sys dropped.  The blob's digest is the copy's. */
static int store_blob(struct img_store *st, int fd, img_digest ret, struct nr_error *err)
{
	_cleanup_(archive_read_freep) struct archive *in = archive_read_new();
	_cleanup_(archive_write_freep) struct archive *out = archive_write_new();
	_cleanup_(archive_entry_freep) struct archive_entry *held = NULL;
	struct blob_sink sink = { .err = err };
	struct archive_entry *e;
	char path[PATH_MAX], held_path[PATH_MAX] = "";
	int r;

	if (!in || !out)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot rewind the packed layer: %s", strerror(errno));
	if ((r = img_blob_begin(st, &sink.w, err)) < 0)
		return r;
	if (archive_read_support_format_tar(in) != ARCHIVE_OK || archive_read_open_fd(in, fd, 65536) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(out) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(out, 1) != ARCHIVE_OK ||
	    archive_write_open(out, &sink, NULL, sink_write, NULL) != ARCHIVE_OK)
		goto fail;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		entry_path(e, path, sizeof(path));
		if (held) {
			/* A held directory goes in only when something inside it follows. */
			size_t n = strlen(held_path);
			if (!strncmp(path, held_path, n) && path[n] == '/' &&
			    archive_write_header(out, held) != ARCHIVE_OK)
				goto fail;
			archive_entry_free(TAKE_PTR(held));
		}
		if (mount_target_file(path))
			continue;
		if (mount_target_dir(path) && archive_entry_filetype(e) == AE_IFDIR) {
			if (!(held = archive_entry_clone(e)))
				goto fail;
			snprintf(held_path, sizeof(held_path), "%s", path);
			continue;
		}
		if (archive_write_header(out, e) != ARCHIVE_OK ||
		    copy_data(in, out, archive_entry_size_is_set(e) ? archive_entry_size(e) : 0) < 0)
			goto fail;
	}
	if (r != ARCHIVE_EOF || archive_write_close(out) != ARCHIVE_OK)
		goto fail;
	return img_blob_commit(sink.w, NULL, ret, err);
fail:
	if (!sink.failed)
		nr_error_set(err, RT_ERR_SYSTEM, EIO, "copying the packed layer: %s",
			     archive_error_string(in) ?: archive_error_string(out) ?: "libarchive failed");
	img_blob_abort(sink.w);
	return -EIO;
}

/* Pack the upper layer into fd, the container frozen meanwhile when freeze: signals that
 * would end us are held back until it is thawed (a ^C must not leave it frozen). */
static int pack(const struct ctr_record *rec, bool freeze, int fd, img_digest ret, struct nr_error *err)
{
	_cleanup_close_ int lock = -1;
	char upper[PATH_MAX];
	sigset_t block, old;
	long long size;
	int r;

	rt_ctr_path(upper, sizeof(upper), rec->name, "upper");
	if (!freeze)
		return layer_pack(upper, fd, rec->userns_base, ret, &size, err);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old);
	if ((lock = commit_lock(rec->name, LOCK_EX)) < 0) {
		r = nr_error_set(err, RT_ERR_SYSTEM, -lock, "cannot lock %s's commit: %s", rec->name, strerror(-lock));
	} else if ((r = cgroup_freeze(rec->cgroup, true, err)) < 0) {
		nr_error_wrap(err, r, "pausing %s", rec->name);
	} else {
		struct nr_error thaw_err = { 0 };
		r = layer_pack(upper, fd, rec->userns_base, ret, &size, err);
		int t = cgroup_freeze(rec->cgroup, false, &thaw_err);
		if (r >= 0 && t < 0) {
			nr_error_copy(err, &thaw_err);
			r = nr_error_wrap(err, t, "unpausing %s", rec->name);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Try the -c lines on a copy of the parent's config first: a bad one is refused before
 * the container is paused and its layer stored. */
static int changes_check(const struct img_image *parent, const char *const *changes, struct nr_error *err)
{
	json_t *doc = json_deep_copy(parent->config);
	int r = 0;

	if (!doc)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	for (size_t i = 0; changes && changes[i] && r >= 0; i++)
		r = img_config_change(doc, changes[i], err);
	json_decref(doc);
	return r;
}

int ctr_commit(const char *name, const struct ctr_commit_opts *o, img_digest ret_id, struct nr_error *err)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_img_store_ struct img_store *st = NULL;
	_cleanup_img_image_ struct img_image *parent = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *by = NULL;
	img_digest packed, blob;
	struct img_ref ref;
	const char *image;
	int r;

	if (o->ref && (r = img_ref_parse(o->ref, &ref, err)) < 0)
		return r;
	if ((r = ctr_store_load(name, &rec, err)) < 0)
		return r;
	if (!(image = image_of_record(rec)))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "commit needs a container started from an image: %s runs on the host's root file "
				    "system (see netns-run import to make an image from a tar)",
				    name);
	if ((r = img_store_open(rt_paths()->state_dir, IMG_LOCK_EXCLUSIVE, &st, err)) < 0)
		return r;
	if ((r = img_image_find(st, image, &parent, err)) < 0)
		return nr_error_wrap(err, r, "the image of container %s", name);
	if ((r = changes_check(parent, o->changes, err)) < 0)
		return r;
	if ((fd = tmp_file(st, err)) < 0)
		return fd;
	if ((r = pack(rec, o->pause && ctr_running(rec) && rec->cgroup, fd, packed, err)) < 0)
		return nr_error_wrap(err, r, "packing %s's changes", name);
	if ((r = store_blob(st, fd, blob, err)) < 0)
		return r;
	if (!(by = created_by(rec->argv)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	struct img_derive d = {
		.parent = parent->id,
		.layer_blob = blob,
		.media_type = LAYER_MEDIA_TYPE,
		.changes = o->changes,
		.comment = o->comment,
		.author = o->author,
		.created_by = by,
		.ref = o->ref,
	};
	return img_image_derive(st, &d, ret_id, err);
}

int ctr_commit_thaw_orphans(struct nr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	int n = 0, r;

	if ((r = ctr_store_names(&names, err)) < 0)
		return r;
	for (char **p = names; *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		_cleanup_close_ int lock = -1;
		if (ctr_store_load(*p, &rec, NULL) < 0 || !ctr_running(rec) || !cgroup_freeze_requested(rec->cgroup))
			continue;
		/* Asked for, not only done: a commit killed just after asking leaves a cgroup
		 * that freezes after we looked.  Held: a commit is reading the layer now. */
		if ((lock = commit_lock(*p, LOCK_EX | LOCK_NB)) < 0)
			continue;
		if (cgroup_freeze(rec->cgroup, false, NULL) >= 0)
			n++;
	}
	return n;
}

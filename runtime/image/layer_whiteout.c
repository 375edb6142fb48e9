/* Whiteouts in overlayfs's form (docs/images.md, "Whiteouts"): a deleted path is a
 * character device 0/0, an opaque directory has trusted.overlay.opaque=y (read by a
 * root-mounted overlay) and user.overlay.opaque=y (read by one mounted with userxattr,
 * as --userns does).  The tar side (".wh.NAME", ".wh..wh..opq") is the callers'. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "image/layer_internal.h"

static const char *const opaque_xattrs[] = { "trusted.overlay.opaque", "user.overlay.opaque" };

/* A store on overlayfs (netns-run inside a container) cannot hold whiteouts: overlayfs
 * refuses mknod of a 0/0 device and its own xattrs on its files.  Layers without any load
 * and run there; for the others, say what to do (docs/images.md, "Limits"). */
static const char *overlay_hint(int fd, int errnum)
{
	struct statfs sf;

	if ((errnum == EPERM || errnum == EOPNOTSUPP) && fstatfs(fd, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC)
		return " (the image store is on overlayfs, which cannot hold a layer's whiteouts: put "
		       "NETNS_RUN_STATE_DIR on ext4, xfs or tmpfs, e.g. a volume)";
	return "";
}

bool layer_is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

bool layer_is_opaque_fd(int fd)
{
	char v[2];

	for (size_t i = 0; i < sizeof(opaque_xattrs) / sizeof(*opaque_xattrs); i++)
		if (fgetxattr(fd, opaque_xattrs[i], v, sizeof(v)) == 1 && v[0] == 'y')
			return true;
	return false;
}

int layer_remove_at(int parent, const char *name)
{
	_cleanup_close_ int fd = -1;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -errno;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -1; /* the DIR owns it */
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    (r = layer_remove_at(dirfd(d), de->d_name)) < 0)
			break;
	closedir(d);
	if (r < 0)
		return r;
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

/* Why a directory of the layer could not be opened, in words. */
static const char *whiteout_why(int r)
{
	return r == -ELOOP || r == -ENOTDIR ? "its directory is not a directory of the layer (a symbolic link?)"
					    : strerror(-r);
}

int layer_whiteout_opaque(int rootfd, const char *rel, const char *entry, struct nr_error *err)
{
	_cleanup_close_ int fd = layer_dir_open(rootfd, rel, true);

	if (fd < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, -fd, "layer entry \"%s\": %s", entry, whiteout_why(fd));
	for (size_t i = 0; i < sizeof(opaque_xattrs) / sizeof(*opaque_xattrs); i++)
		if (fsetxattr(fd, opaque_xattrs[i], "y", 1, 0) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "layer entry \"%s\": setting %s: %s%s", entry,
					    opaque_xattrs[i], strerror(errno), overlay_hint(fd, errno));
	return 0;
}

int layer_whiteout_make(int rootfd, const char *rel, const struct stat *meta, const char *entry, struct nr_error *err)
{
	_cleanup_free_ char *buf = malloc(strlen(rel) + 1);
	_cleanup_close_ int fd = -1;
	const char *dir, *base;
	int r;

	if (!buf)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	layer_path_split(rel, buf, &dir, &base);
	fd = layer_dir_open(rootfd, dir, true);
	if (fd < 0)
		return nr_error_set(err, RT_ERR_CORRUPT, -fd, "layer entry \"%s\": %s", entry, whiteout_why(fd));
	r = layer_remove_at(fd, base);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "layer entry \"%s\": removing \"%s\": %s", entry, rel,
				    strerror(-r));
	/* Mode 0, as overlayfs makes them; the owner is the entry's, as Docker's overlay2. */
	if (mknodat(fd, base, S_IFCHR | 0000, makedev(0, 0)) < 0 ||
	    fchownat(fd, base, meta->st_uid, meta->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    utimensat(fd, base, (struct timespec[]){ meta->st_mtim, meta->st_mtim }, AT_SYMLINK_NOFOLLOW) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno,
				    "layer entry \"%s\": making the whiteout of \"%s\": %s%s", entry, rel,
				    strerror(errno), overlay_hint(fd, errno));
	return 0;
}

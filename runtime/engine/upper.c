#include "upper.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "rt.h"
#include "rt_error.h"

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

static bool on_overlayfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC;
}

/* The tmpfs at <dir>/rw with upper/ and work/ in it, and the links to them. */
static int create_on_tmpfs(const char *dir, struct nr_error *err)
{
	const char *size = getenv("NETNS_RUN_UPPER_TMPFS_SIZE");
	char rw[PATH_MAX], p[PATH_MAX], data[64], target[16];
	long long bytes;

	if (!size || !*size)
		size = UPPER_TMPFS_SIZE_DEFAULT;
	if (rt_parse_bytes(size, &bytes) < 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "NETNS_RUN_UPPER_TMPFS_SIZE=%s: not a size (bytes, or with k, m, g: 512m)", size);
	snprintf(rw, sizeof(rw), "%s/rw", dir);
	if (mkdir(rw, 0711) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", rw, strerror(errno));
	/* 0711: a container's root in a user namespace must reach its layer. */
	snprintf(data, sizeof(data), "mode=0711,size=%lld", bytes);
	if (mount("netns-run-rw", rw, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno,
				    "the state dir is on overlayfs, which cannot hold a container's writable layer, "
				    "and a tmpfs for it cannot be mounted on %s: %s; set NETNS_RUN_STATE_DIR to a "
				    "directory on another file system (a volume or a tmpfs)",
				    rw, strerror(errno));
	static const char *const sub[] = { "upper", "work" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", rw, sub[i]);
		if (mkdir(p, 0755) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		snprintf(target, sizeof(target), "rw/%s", sub[i]);
		if (symlink(target, p) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
	}
	return 0;
}

int upper_create(const char *dir, struct nr_error *err)
{
	char p[PATH_MAX];

	/* An overlay's upper layer cannot sit on overlayfs (the kernel says only EINVAL). */
	if (on_overlayfs(dir))
		return create_on_tmpfs(dir, err);
	static const char *const sub[] = { "upper", "work" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sub[i]);
		if (mkdir(p, 0755) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
	}
	return 0;
}

const char *upper_hint(const char *dir, char *buf, size_t len)
{
	char p[PATH_MAX], link[16];

	snprintf(p, sizeof(p), "%s/upper", dir);
	if (readlink(p, link, sizeof(link)) > 0)
		snprintf(buf, len,
			 " (the writable layer is on a tmpfs because the state dir is on overlayfs; "
			 "NETNS_RUN_STATE_DIR on another file system avoids it)");
	else if (on_overlayfs(p))
		snprintf(buf, len,
			 " (the state dir is on overlayfs, which cannot hold a container's writable layer: "
			 "set NETNS_RUN_STATE_DIR to a directory on another file system)");
	else
		snprintf(buf, len, "%s", "");
	return buf;
}

int upper_remove_dir(const char *dir)
{
	char rw[PATH_MAX];

	snprintf(rw, sizeof(rw), "%s/rw", dir);
	/* Not a mount point (EINVAL) or not there: a layer in the state dir itself. */
	if (umount2(rw, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	return rt_rm_rf(dir);
}

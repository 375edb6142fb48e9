#include "masks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "rt.h"
#include "rt_error.h"

/* Readable by the host's root only because they hold credentials or privilege policy,
 * and the state of container runtimes (their containers' files and secrets).  Keep in
 * step with docs/security.md.  The home directories are in `emptied` instead. */
static const char *const masked[] = {
	"/etc/shadow",  "/etc/shadow-",    "/etc/gshadow",        "/etc/gshadow-",       "/etc/security/opasswd",
	"/etc/sudoers", "/etc/sudoers.d",  "/etc/ssl/private",    "/etc/krb5.keytab",    "/var/lib/netns-run",
	"/var/lib/cni", "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers",
};
/* Hidden like the masked directories, but by an empty WRITABLE tmpfs: HOME is /root, and
 * programs expect to write their dotfiles there as they can in a Docker image's /root. */
static const char *const emptied[] = {
	"/root",
	"/home",
};
/* SSH private host keys: /etc/ssh/<this>; the .pub files stay. */
#define SSH_HOST_KEY "ssh_host_*_key"

/* Whether one of the lower layers is the host's own /. */
static bool host_root_lower(const struct run_opts *o)
{
	char real[PATH_MAX];

	if (o->n_rootfs == 0)
		return true;
	for (size_t i = 0; i < o->n_rootfs; i++)
		if (realpath(o->rootfs[i], real) && !strcmp(real, "/"))
			return true;
	return false;
}

/* The next component of a path: its start and length; skips "" and ".". */
static const char *component(const char *p, size_t *len)
{
	for (;;) {
		while (*p == '/')
			p++;
		*len = strcspn(p, "/");
		if (!(*len == 1 && *p == '.'))
			return p;
		p += 1;
	}
}

/* 1: vol is path, 2: vol is under path, 0: neither. */
static int relation(const char *path, const char *vol)
{
	size_t a, b;

	for (;;) {
		path = component(path, &a);
		vol = component(vol, &b);
		if (a == 0)
			return b == 0 ? 1 : 2;
		if (a != b || memcmp(path, vol, a))
			return 0;
		path += a;
		vol += b;
	}
}

/* 0: no volume at or under path, 1: one at it, 2: one under it. */
static int volumes_at(const struct run_opts *o, const char *path)
{
	int ret = 0;

	for (size_t i = 0; i < o->n_vols; i++) {
		int r = relation(path, o->vols[i].cont);
		if (r == 1)
			return 1;
		if (r == 2)
			ret = 2;
	}
	return ret;
}

/* seal: read-only at once; writable: an emptied home (never read-only, no size cap beyond
 * the container's memory limit, as /tmp). */
static int mask_dir(int target, const struct stat *st, bool seal, bool writable, struct masks *m)
{
	_cleanup_close_ int fs = -1, mnt = -1;
	char mode[16];

	snprintf(mode, sizeof(mode), "%o", (unsigned)(st->st_mode & 07777));
	if ((fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "netns-run-mask", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) < 0 ||
	    (!writable && fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0) ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	unsigned attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if (!writable)
		attr |= MOUNT_ATTR_NOEXEC | (seal ? MOUNT_ATTR_RDONLY : 0);
	if ((mnt = fsmount(fs, FSMOUNT_CLOEXEC, attr)) < 0 ||
	    move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	if (!seal && !writable) {
		if (m->n >= sizeof(m->unsealed) / sizeof(m->unsealed[0]))
			return -E2BIG;
		m->unsealed[m->n++] = mnt;
		mnt = -1;
	}
	return 0;
}

static int mask_file(int target)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };
	_cleanup_close_ int tree = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
	    move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* Mask path, resolved inside the tree (a symbolic link cannot lead out to the host's). */
static int mask(const struct run_opts *o, int root, const char *path, bool writable, struct masks *m,
		struct nr_error *err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int fd = -1;
	struct stat st;
	int vol = volumes_at(o, path), r;

	if (vol == 1) /* the volume covers it */
		return 0;
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot mask %s: %s", path, strerror(errno));
	r = S_ISDIR(st.st_mode) ? mask_dir(fd, &st, vol == 0, writable, m) : mask_file(fd);
	if (r < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "cannot mask %s: %s", path, strerror(-r));
	return 0;
}

static int mask_ssh_host_keys(const struct run_opts *o, int root, struct masks *m, struct nr_error *err)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, root, "/etc/ssh", &how, sizeof(how));
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (r >= 0 && (de = readdir(d)))
		if (!fnmatch(SSH_HOST_KEY, de->d_name, FNM_PERIOD)) {
			snprintf(path, sizeof(path), "/etc/ssh/%s", de->d_name);
			r = mask(o, root, path, false, m, err);
		}
	closedir(d);
	return r;
}

/* A moved directory (NETNS_RUN_STATE_DIR ...) needs its own mask unless a listed one
 * covers it already. */
static int mask_moved(const struct run_opts *o, int root, const char *path, struct masks *m, struct nr_error *err)
{
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++)
		if (relation(masked[i], path))
			return 0;
	for (size_t i = 0; i < sizeof(emptied) / sizeof(emptied[0]); i++)
		if (relation(emptied[i], path))
			return 0;
	return mask(o, root, path, false, m, err);
}

int masks_apply(const struct run_opts *o, const char *merged, struct masks *m, struct nr_error *err)
{
	_cleanup_close_ int root = -1;
	const struct rt_paths *paths = rt_paths();
	int r = 0;

	m->n = 0;
	if (o->privileged || !host_root_lower(o))
		return 0;
	if ((root = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "%s: %s", merged, strerror(errno));
	for (size_t i = 0; r >= 0 && i < sizeof(masked) / sizeof(masked[0]); i++)
		r = mask(o, root, masked[i], false, m, err);
	for (size_t i = 0; r >= 0 && i < sizeof(emptied) / sizeof(emptied[0]); i++)
		r = mask(o, root, emptied[i], true, m, err);
	/* Wherever NETNS_RUN_STATE_DIR and NETNS_RUN_CNI_CACHE_DIR moved them. */
	if (r >= 0)
		r = mask_moved(o, root, paths->state_dir, m, err);
	if (r >= 0)
		r = mask_moved(o, root, paths->cache_dir, m, err);
	if (r >= 0)
		r = mask_ssh_host_keys(o, root, m, err);
	return r;
}

int masks_seal(struct masks *m, struct nr_error *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int r = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (r >= 0 && mount_setattr(m->unsealed[i], "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
			r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot make a masked path read-only: %s",
					 strerror(errno));
		close(m->unsealed[i]);
	}
	m->n = 0;
	return r;
}

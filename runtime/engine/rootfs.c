#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "child.h"
#include "masks.h"
#include "rt.h"
#include "rt_error.h"
#include "upper.h"

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data,
		    struct nr_error *err)
{
	if (mount(src, dst, type, flags, data) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot mount %s on %s: %s", type ? type : src, dst,
				    strerror(errno));
	return 0;
}

/* An empty file or directory at path (and its parents), for a mount target. */
static int ensure_target(const char *path, bool dir)
{
	char parent[PATH_MAX];
	struct stat st;
	int fd;

	if (lstat(path, &st) == 0)
		return 0;
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		int r = rt_mkdir_p(parent, 0755);
		if (r < 0)
			return r;
	}
	if (dir)
		return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int mount_fresh(const char *type, const char *merged, const char *dir, unsigned long flags, struct nr_error *err)
{
	char p[PATH_MAX];
	int r;

	snprintf(p, sizeof(p), "%s%s", merged, dir);
	if ((r = ensure_target(p, true)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", dir, strerror(-r));
	return do_mount(type, p, type, flags, NULL, err);
}

/* Whether any controller in the comma-separated opts has a cgroup of the container. */
static bool ours(const struct cgroup_set *cg, const char *opts)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", opts);
	for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (cgroup_set_path_by_name(cg, o))
			return true;
	return false;
}

/* /sys/fs/cgroup inside, read-only, as docker shows it: the same hierarchies as the host
 * (those the container has cgroups in), each rooted at the container's own cgroup by the
 * cgroup namespace, so tools inside read their limits where they expect them. */
static int mount_cgroups(const struct child_cfg *c, const char *merged, struct nr_error *err)
{
	enum cgroup_layout layout = c->cgroup ? c->cgroup->layout : CGROUP_LAYOUT_NONE;
	char root[PATH_MAX], line[1024];
	FILE *f;
	int r;

	if (layout == CGROUP_LAYOUT_NONE)
		return 0;
	snprintf(root, sizeof(root), "%s/sys/fs/cgroup", merged);
	if (layout == CGROUP_LAYOUT_UNIFIED)
		return do_mount("cgroup2", root, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL, err);
	if ((r = do_mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k", err)) < 0)
		return r;
	f = fopen("/proc/self/mountinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[512], fstype[32], src[64], sopts[512], target[PATH_MAX];
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(sep + 3, "%31s %63s %511s", fstype, src, sopts) != 3 || strncmp(mnt, "/sys/fs/cgroup/", 15))
			continue;
		bool v2 = !strcmp(fstype, "cgroup2");
		/* "rw,cpu,cpuacct" -> "cpu,cpuacct"; the hierarchy is mounted read-only anyway. */
		const char *data = !strncmp(sopts, "rw,", 3) || !strncmp(sopts, "ro,", 3) ? sopts + 3 : sopts;
		if (!v2 && (strcmp(fstype, "cgroup") || !ours(c->cgroup, data)))
			continue;
		snprintf(target, sizeof(target), "%s%s", merged, mnt);
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			continue;
		r = do_mount(fstype, target, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, v2 ? NULL : data,
			     err);
		/* A user namespace may not mount every v1 hierarchy; its limits hold anyway. */
		if (r < 0 && c->fd_sock >= 0) {
			rmdir(target);
			nr_error_clear(err);
			continue;
		}
		if (r < 0) {
			fclose(f);
			return r;
		}
	}
	if (f)
		fclose(f);
	return do_mount(NULL, root, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
}

/* --userns: the runtime's idmapped clones of the layers, attached under the container's
 * directory as lower0, lower1, ... (lower_path then names them). */
static int attach_layers(const struct child_cfg *c, const int *fds, int n, struct nr_error *err)
{
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/lower%d", c->ctr_dir, i);
		if (move_mount(fds[i], "", AT_FDCWD, p, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot attach layer %d at %s: %s", i, p,
					    strerror(errno));
		close(fds[i]);
	}
	return 0;
}

/* The overlay's lowers, top first: the attached idmapped clones (--userns), the image's
 * layers or --rootfs directories, or the host's /. */
struct lowers {
	const struct child_cfg *c;
	size_t n;
	bool attached;
	char buf[PATH_MAX];
};

static const char *lower_path(struct lowers *l, size_t i)
{
	if (l->attached) {
		snprintf(l->buf, sizeof(l->buf), "%s/lower%zu", l->c->ctr_dir, i);
		return l->buf;
	}
	return l->c->o->n_rootfs ? l->c->o->rootfs[i] : "/";
}

/* The mount(2) options, when they fit: the kernel takes one page of them. */
static int overlay_data(struct lowers *l, char *data, size_t len)
{
	const char *dir = l->c->ctr_dir;
	size_t used = (size_t)snprintf(data, len, "lowerdir=");

	for (size_t i = 0; i < l->n && used < len; i++)
		used += (size_t)snprintf(data + used, len - used, "%s%s", i ? ":" : "", lower_path(l, i));
	if (used < len)
		used += (size_t)snprintf(data + used, len - used, ",upperdir=%s/upper,workdir=%s/work%s", dir, dir,
					 l->attached ? ",userxattr" : "");
	return used < len ? 0 : -E2BIG;
}

/* Many or long lowers (an image has up to 127): the new mount API, one "lowerdir+" per
 * layer (Linux 6.8), which no page limit bounds and which takes ':' and ',' in paths.
 * The file system context's log says what the kernel refused. */
static int overlay_fsconfig(struct lowers *l, const char *merged, struct nr_error *err)
{
	const char *dir = l->c->ctr_dir, *step = "fsopen";
	char up[PATH_MAX], work[PATH_MAX], log[512] = "";
	_cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC), mnt = -1;
	int e = 0;

	snprintf(up, sizeof(up), "%s/upper", dir);
	snprintf(work, sizeof(work), "%s/work", dir);
	if (fs < 0)
		goto fail;
	step = "lowerdir+";
	for (size_t i = 0; i < l->n; i++)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lower_path(l, i), 0) < 0)
			goto fail;
	step = "upperdir, workdir";
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", up, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
	    (l->attached && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0))
		goto fail;
	step = "create";
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 || (mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0)) < 0)
		goto fail;
	step = "move_mount";
	if (move_mount(mnt, "", AT_FDCWD, merged, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	if (fs >= 0) {
		ssize_t n = read(fs, log, sizeof(log) - 1);
		log[n > 0 ? n - (log[n - 1] == '\n') : 0] = '\0';
	}
	return nr_error_set(err, RT_ERR_SYSTEM, e, "cannot mount the overlay root (%zu lowers; %s): %s%s%s%s", l->n,
			    step, strerror(e), log[0] ? " (" : "", log, log[0] ? ")" : "");
}

static int mount_overlay(const struct child_cfg *c, const int *fds, int n_fds, const char *merged, struct nr_error *err)
{
	const struct run_opts *o = c->o;
	struct lowers l = { .c = c, .n = n_fds > 0 ? (size_t)n_fds : o->n_rootfs ? o->n_rootfs : 1 };
	char data[4096], hint[256];
	int r;

	if (n_fds > 0) {
		/* Whiteouts as user.overlay.* xattrs: trusted.* is not ours to write here. */
		if ((r = attach_layers(c, fds, n_fds, err)) < 0)
			return r;
		l.attached = true;
	}
	if (overlay_data(&l, data, sizeof(data)) < 0)
		return overlay_fsconfig(&l, merged, err);
	for (size_t i = 0; !l.attached && i < o->n_rootfs; i++)
		if (strpbrk(o->rootfs[i], ":,"))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "--rootfs %s: overlayfs cannot take a path with ':' or ','", o->rootfs[i]);
	if (mount("overlay", merged, "overlay", 0, data) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot mount the overlay root (%s): %s%s", data,
				    strerror(errno), upper_hint(c->ctr_dir, hint, sizeof(hint)));
	return 0;
}

static int setup_dev(const char *merged, bool userns, struct nr_error *err)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = { { "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
		      { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 } };
	static const char *const links[][2] = { { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" },
						{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
						{ "ptmx", "pts/ptmx" },          { "core", "/proc/kcore" } };
	char dev[PATH_MAX], p[PATH_MAX];
	int r;

	snprintf(dev, sizeof(dev), "%s/dev", merged);
	if ((r = ensure_target(dev, true)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", dev, strerror(-r));
	r = do_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dev, nodes[i].name);
		if (userns) {
			/* No mknod in a user namespace: the host's node, bind-mounted. */
			char host[64];
			snprintf(host, sizeof(host), "/dev/%s", nodes[i].name);
			if ((r = ensure_target(p, false)) < 0)
				return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create %s: %s", p, strerror(-r));
			if ((r = do_mount(host, p, NULL, MS_BIND, NULL, err)) < 0)
				return r;
			continue;
		}
		if (mknod(p, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0 || chmod(p, 0666) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dev, links[i][0]);
		if (symlink(links[i][1], p) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
	}
	static const struct {
		const char *dir, *type;
		unsigned long flags;
		const char *data;
	} mounts[] = {
		{ "pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5" },
		{ "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k" },
		{ "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	};
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dev, mounts[i].dir);
		if (mkdir(p, 0755) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot create %s: %s", p, strerror(errno));
		r = do_mount(mounts[i].type, p, mounts[i].type, mounts[i].flags, mounts[i].data, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int bind_into(const char *src, const char *merged, const char *dst, bool ro, struct nr_error *err)
{
	char target[PATH_MAX];
	struct stat st;
	int r;

	if (stat(src, &st) < 0)
		return nr_error_set(err, RT_ERR_USAGE, errno, "%s: %s", src, strerror(errno));
	snprintf(target, sizeof(target), "%s%s", merged, dst);
	if ((r = ensure_target(target, S_ISDIR(st.st_mode))) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, r, "cannot create the mount point %s: %s", dst, strerror(-r));
	r = do_mount(src, target, NULL, MS_BIND | MS_REC, NULL, err);
	if (r >= 0 && ro)
		r = do_mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL, err);
	return r;
}

/* Docker's default masked and read-only /proc and /sys paths; with o->sysctl_net_rw,
 * /proc/sys/net bound writable again on top of the read-only /proc/sys (a bind mount
 * copies its source's read-only flag: the remount without MS_RDONLY clears it). */
static int mask_paths(const struct run_opts *o, struct nr_error *err)
{
	static const char *const masked[] = {
		"/proc/asound",      "/proc/acpi",          "/proc/interrupts", "/proc/kcore",
		"/proc/keys",        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/proc/scsi",          "/sys/firmware",    "/sys/devices/virtual/powercap"
	};
	static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
						"/proc/sysrq-trigger" };
	struct stat st;
	int r;

	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		if (stat(masked[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = do_mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, "size=0", err);
		else
			r = do_mount("/dev/null", masked[i], NULL, MS_BIND, NULL, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
		if (stat(readonly[i], &st) < 0)
			continue;
		if ((r = do_mount(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL, err)) < 0 ||
		    (r = do_mount(NULL, readonly[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC, NULL, err)) < 0)
			return r;
	}
	if (o->sysctl_net_rw && stat("/proc/sys/net", &st) == 0 &&
	    ((r = do_mount("/proc/sys/net", "/proc/sys/net", NULL, MS_BIND, NULL, err)) < 0 ||
	     (r = do_mount(NULL, "/proc/sys/net", NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			   err)) < 0))
		return r;
	return 0;
}

/* With the host's / as the lower layer, a /tmp of its own (the host's secrets and the
 * state of netns-run are masked later: masks.c). */
static int fresh_tmp(const char *merged, struct nr_error *err)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/tmp", merged);
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return do_mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err);
}

/* The part of the root that needs neither the cgroups nor the network: private
 * propagation, the overlay, /proc and /sys.  Runs while the runtime makes the cgroups. */
int rootfs_prepare(const struct child_cfg *c, const int *layer_fds, int n_layers, struct nr_error *err)
{
	char merged[PATH_MAX];
	int r;

	/* Nothing we mount may propagate back to the host, and host mounts must not follow us. */
	if ((r = do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, err)) < 0)
		return r;
	snprintf(merged, sizeof(merged), "%s/merged", c->ctr_dir);
	if ((r = mount_overlay(c, layer_fds, n_layers, merged, err)) < 0)
		return r;
	if (c->o->n_rootfs == 0 && (r = fresh_tmp(merged, err)) < 0)
		return r;
	if ((r = mount_fresh("proc", merged, "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, err)) < 0 ||
	    (r = mount_fresh("sysfs", merged, "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, err)) < 0)
		return r;
	return 0;
}

/* The rest, once the child is in its cgroups and cgroup namespace (the hierarchies it
 * mounts show the namespace's root): /sys/fs/cgroup, /dev, /etc files, volumes,
 * pivot_root, masks. */
int rootfs_finish(const struct child_cfg *c, struct nr_error *err)
{
	const struct run_opts *o = c->o;
	char merged[PATH_MAX], p[PATH_MAX], src[PATH_MAX];
	static const char *const etc_files[] = { "hostname", "hosts", "resolv.conf" };
	int r;

	snprintf(merged, sizeof(merged), "%s/merged", c->ctr_dir);
	if ((r = mount_cgroups(c, merged, err)) < 0 || (r = setup_dev(merged, c->fd_sock >= 0, err)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(etc_files) / sizeof(etc_files[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s", c->ctr_dir, etc_files[i]);
		snprintf(p, sizeof(p), "/etc/%s", etc_files[i]);
		if ((r = bind_into(src, merged, p, false, err)) < 0)
			return r;
	}
	/* The masks first, so that a volume on or under a masked path wins. */
	struct masks m;
	if ((r = masks_apply(o, merged, &m, err)) < 0) {
		masks_seal(&m, NULL);
		return r;
	}
	for (size_t i = 0; i < o->n_vols && r >= 0; i++)
		if ((r = bind_into(o->vols[i].host, merged, o->vols[i].cont, o->vols[i].ro, err)) < 0)
			nr_error_wrap(err, r, "-v %s:%s", o->vols[i].host, o->vols[i].cont);
	if (r < 0) {
		masks_seal(&m, NULL);
		return r;
	}
	if ((r = masks_seal(&m, err)) < 0)
		return r;
	if (o->workdir) {
		snprintf(p, sizeof(p), "%s%s", merged, o->workdir);
		if ((r = rt_mkdir_p(p, 0755)) < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, r, "-w %s: %s", o->workdir, strerror(-r));
	}
	/* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves
	 * no path back to the host's tree. */
	if (chdir(merged) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "pivot_root into %s: %s", merged, strerror(errno));
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot detach the old root: %s", strerror(errno));
	/* Not with --privileged, as in Docker. */
	if (!o->privileged && (r = mask_paths(o, err)) < 0)
		return r;
	if (o->read_only && (r = do_mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL, err)) < 0)
		return nr_error_wrap(err, r, "--read-only");
	return 0;
}

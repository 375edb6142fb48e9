#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"

#define PROC_SYS "/proc/sys"

/* Relative, and no component that climbs or is empty. */
static bool sysctl_path_valid(const char *path)
{
	const char *p = path;

	if (!path || !*path || *path == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* /proc/sys dentries are shared by every network namespace: each namespace that looked up
 * a name ("net", "ipv4", "conf", "eth0") has its own dentry in the same hash chain, and a
 * lookup compares them all (proc_sys_compare), so opening a sysctl, and with it the bridge
 * ADD, grew with the number of containers.  A proc instance of our own (fsopen + fsmount:
 * detached, in no mount table, gone with the process) has a dentry cache of its own: a
 * small cost once per process, then the same at any scale (figures in docs/benchmarks.md).
 * Where it cannot be made (no fsopen, no permission) we use /proc/sys.  Lookups below it
 * still resolve against the calling thread's network namespace. */
static int sys_root_fd = -1;

static int private_proc_sys(void)
{
	_cleanup_close_ int fs = -1, mnt = -1;

	fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0)
		return -1;
	/* The directory fd keeps the detached mount alive. */
	return openat(mnt, "sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int sys_root(void)
{
	int fd = __atomic_load_n(&sys_root_fd, __ATOMIC_ACQUIRE), expected = -1;

	if (fd >= 0)
		return fd;
	fd = private_proc_sys();
	if (fd < 0)
		fd = open(PROC_SYS, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!__atomic_compare_exchange_n(&sys_root_fd, &expected, fd, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd); /* another thread was first */
		return expected;
	}
	return fd;
}

static int sysctl_open(const char *path, int flags, int *ret_fd, struct nr_error *err)
{
	int root, fd;

	if (!sysctl_path_valid(path))
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "invalid sysctl path \"%s\"", path ? path : "");
	if ((root = sys_root()) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot open " PROC_SYS ": %s", strerror(errno));
	fd = openat(root, path, flags | O_CLOEXEC);
	if (fd < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot open sysctl " PROC_SYS "/%s: %s", path,
				    strerror(errno));
	*ret_fd = fd;
	return 0;
}

int sysctl_write(const char *path, const char *value, struct nr_error *err)
{
	_cleanup_close_ int fd = -1;
	size_t n = strlen(value);
	ssize_t w;
	int r;

	if ((r = sysctl_open(path, O_WRONLY, &fd, err)) < 0)
		return r;
	/* One write(): the kernel parses each write as a whole value. */
	w = write(fd, value, n);
	if (w < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot set sysctl %s to \"%s\": %s", path, value,
				    strerror(errno));
	if ((size_t)w != n)
		return nr_error_set(err, CNI_ERR_INTERNAL, EIO, "cannot set sysctl %s to \"%s\": short write", path,
				    value);
	return 0;
}

int sysctl_read(const char *path, char *buf, size_t len, struct nr_error *err)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r;

	if (len == 0)
		return -EINVAL;
	if ((r = sysctl_open(path, O_RDONLY, &fd, err)) < 0)
		return r;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot read sysctl %s: %s", path, strerror(errno));
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int sysctl_if_path(int family, const char *ifname, const char *key, char *buf, size_t len)
{
	int n;

	if ((family != AF_INET && family != AF_INET6) || !ifname || !*ifname || strchr(ifname, '/') || !key || !*key ||
	    strchr(key, '/'))
		return -EINVAL;
	n = snprintf(buf, len, "net/%s/conf/%s/%s", family == AF_INET ? "ipv4" : "ipv6", ifname, key);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int sysctl_if_write(int family, const char *ifname, const char *key, const char *value, struct nr_error *err)
{
	char path[256];

	if (sysctl_if_path(family, ifname, key, path, sizeof(path)) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "invalid sysctl for interface \"%s\" key \"%s\"",
				    ifname ? ifname : "", key ? key : "");
	return sysctl_write(path, value, err);
}

int sysctl_if_read(int family, const char *ifname, const char *key, char *buf, size_t len, struct nr_error *err)
{
	char path[256];

	if (sysctl_if_path(family, ifname, key, path, sizeof(path)) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "invalid sysctl for interface \"%s\" key \"%s\"",
				    ifname ? ifname : "", key ? key : "");
	return sysctl_read(path, buf, len, err);
}

int sysctl_set_accept_dad(const char *ifname, int value, struct nr_error *err)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", value);
	return sysctl_if_write(AF_INET6, ifname, "accept_dad", v, err);
}

int sysctl_set_arp_notify(const char *ifname, bool on, struct nr_error *err)
{
	return sysctl_if_write(AF_INET, ifname, "arp_notify", on ? "1" : "0", err);
}

int sysctl_absent_ok(int r, struct nr_error *err)
{
	if (r != -ENOENT)
		return r;
	nr_error_clear(err);
	return 0;
}

#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

#define PROC_SYS "/proc/sys/"

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

static int sysctl_open(const char *path, int flags, int *ret_fd, struct nr_error *err)
{
	char full[512];
	int fd;

	if (!sysctl_path_valid(path))
		return nr_error_set(err, CNI_ERR_INTERNAL, EINVAL, "invalid sysctl path \"%s\"", path ? path : "");
	snprintf(full, sizeof(full), PROC_SYS "%s", path);
	fd = open(full, flags | O_CLOEXEC);
	if (fd < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, errno, "cannot open sysctl %s: %s", full, strerror(errno));
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
		return nr_error_set(err, CNI_ERR_INTERNAL, EIO, "cannot set sysctl %s to \"%s\": short write", path, value);
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

	if ((family != AF_INET && family != AF_INET6) || !ifname || !*ifname || strchr(ifname, '/') || !key ||
	    !*key || strchr(key, '/'))
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

/* The lease store, byte-compatible with the reference's disk store so that leases survive
 * swapping binaries either way:
 *   <dataDir>/<network>/<IP>                  "<containerID>\r\n<ifname>"
 *   <dataDir>/<network>/last_reserved_ip.<N>  the last address handed out from set N
 *   <dataDir>/<network>/lock                  flock(LOCK_EX) around every operation
 * The per-IP files are the only truth; the store keeps a checked index beside them
 * (index.c), refilled from the leases whenever it is stale. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#include "base/cleanup.h"
#include "base/fdio.h"

#define LEASE_MAX 4096
#define LAST_IP_PREFIX "last_reserved_ip."

/* mkdir -p; could move to core/ should another plugin need it. */
static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int hl_store_open(const char *data_dir, const char *network, struct hl_store *ret, struct nr_error *err)
{
	struct hl_store s = HL_STORE_INIT;
	int r;

	if (asprintf(&s.dir, "%s/%s", data_dir, network) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((r = mkdir_p(s.dir, 0755)) < 0) {
		nr_error_set(err, CNI_ERR_IO, r, "cannot create the lease directory %s: %s", s.dir, strerror(-r));
		goto fail;
	}
	if ((s.dirfd = open(s.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = nr_error_set(err, CNI_ERR_IO, errno, "cannot open the lease directory %s: %m", s.dir);
		goto fail;
	}
	if ((s.lockfd = openat(s.dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		r = nr_error_set(err, CNI_ERR_IO, errno, "cannot open %s/lock: %m", s.dir);
		goto fail;
	}
	while ((r = flock(s.lockfd, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		r = nr_error_set(err, CNI_ERR_IO, errno, "cannot lock %s/lock: %m", s.dir);
		goto fail;
	}
	if ((r = hl_index_open(&s.index, s.dirfd, s.dir, err)) < 0 || (r > 0 && (r = hl_store_reindex(&s, err)) < 0))
		goto fail;
	*ret = s;
	return 0;
fail:
	hl_store_close(&s);
	return r;
}

void hl_store_close(struct hl_store *s)
{
	/* The stamp before the lock goes: nobody may change the store in between. */
	hl_index_close(&s->index);
	/* Closing the lock file drops the flock. */
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	*s = (struct hl_store)HL_STORE_INIT;
}

static int write_file(int dirfd, const char *name, int flags, const char *data, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	int r;

	if (fd < 0)
		return -errno;
	if ((r = fd_write_all(fd, data, len)) < 0)
		return r;
	return close(TAKE_FD(fd)) < 0 ? -errno : 0;
}

/* Create name with its content, or fail with -EEXIST when it exists.  The file appears
 * whole or not at all (an unnamed O_TMPFILE, linked in once written): killed between an
 * O_EXCL create and the write, the lease would be an empty file no DEL can match. */
static int create_file(int dirfd, const char *name, const char *data, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	char path[64];
	int r;

	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR)
		return -errno;
	if (fd >= 0) {
		if ((r = fd_write_all(fd, data, len)) < 0)
			return r;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, path, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != ENOENT) /* ENOENT: no /proc to link through */
			return -errno;
	}
	/* A filesystem without O_TMPFILE: create, then write. */
	r = write_file(dirfd, name, O_EXCL, data, len);
	if (r < 0 && r != -EEXIST)
		unlinkat(dirfd, name, 0);
	return r;
}

int hl_store_reserve(struct hl_store *s, const char *id, const char *ifname, const struct ip_addr *ip, size_t set_idx,
		     struct nr_error *err)
{
	_cleanup_free_ char *content = NULL;
	char name[INET6_ADDRSTRLEN], last[64];
	int len, r;

	ip_addr_format(ip, name, sizeof(name));
	hl_index_touch(&s->index);
	if ((len = asprintf(&content, "%s\r\n%s", id, ifname)) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	r = create_file(s->dirfd, name, content, (size_t)len);
	if (r == -EEXIST)
		return 0;
	if (r < 0)
		return nr_error_set(err, CNI_ERR_IO, r, "cannot write the lease %s/%s: %s", s->dir, name, strerror(-r));
	snprintf(last, sizeof(last), LAST_IP_PREFIX "%zu", set_idx);
	if ((r = write_file(s->dirfd, last, O_TRUNC, name, strlen(name))) < 0) {
		unlinkat(s->dirfd, name, 0);
		return nr_error_set(err, CNI_ERR_IO, r, "cannot write %s/%s: %s", s->dir, last, strerror(-r));
	}
	return 1;
}

bool hl_store_is_leased(struct hl_store *s, const struct ip_addr *ip)
{
	char name[INET6_ADDRSTRLEN];

	struct stat st;

	/* Anything but a definite "no such file" counts as taken: never hand out twice. */
	return fstatat(s->dirfd, ip_addr_format(ip, name, sizeof(name)), &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	       errno != ENOENT;
}

static int read_at(int dirfd, const char *name, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	return fd_read_all(fd, LEASE_MAX, ret, ret_len);
}

int hl_store_last_reserved(struct hl_store *s, size_t set_idx, struct ip_addr *ret)
{
	_cleanup_free_ char *buf = NULL;
	char name[64];
	size_t len;
	int r;

	snprintf(name, sizeof(name), LAST_IP_PREFIX "%zu", set_idx);
	if ((r = read_at(s->dirfd, name, &buf, &len)) < 0)
		return r;
	buf[strcspn(buf, " \t\r\n")] = '\0';
	return ip_addr_parse(buf, ret);
}

int hl_store_remove(struct hl_store *s, const struct ip_addr *ip, struct nr_error *err)
{
	char name[INET6_ADDRSTRLEN];

	hl_index_touch(&s->index);
	if (unlinkat(s->dirfd, ip_addr_format(ip, name, sizeof(name)), 0) < 0 && errno != ENOENT)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot remove the lease %s/%s: %m", s->dir, name);
	return 0;
}

/* Split "<id>\r\n<ifname>" in place; the reference trims surrounding whitespace first.
 * Old reference versions wrote only "<id>". */
static void lease_split(char *buf, struct hl_lease *l)
{
	char *end = buf + strlen(buf), *sep;

	while (*buf && strchr(" \t\r\n", *buf))
		buf++;
	while (end > buf && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	l->id = buf;
	l->ifname = NULL;
	if ((sep = strstr(buf, "\r\n"))) {
		*sep = '\0';
		l->ifname = sep + 2;
	}
}

int hl_store_foreach(struct hl_store *s, hl_lease_fn fn, void *arg, struct nr_error *err)
{
	_cleanup_close_ int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0 || !(d = fdopendir(fd)))
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot list %s: %m", s->dir);
	TAKE_FD(fd);
	while ((de = readdir(d))) {
		_cleanup_free_ char *buf = NULL;
		struct hl_lease l;
		size_t len;

		/* Lease files are exactly the names that are IP addresses. */
		if (ip_addr_parse(de->d_name, &l.ip) < 0)
			continue;
		if (read_at(s->dirfd, de->d_name, &buf, &len) < 0)
			continue; /* vanished or unreadable: not ours to judge */
		lease_split(buf, &l);
		if ((r = fn(s, &l, arg)) != 0)
			break;
	}
	closedir(d);
	return r;
}

bool hl_lease_matches(const struct hl_lease *l, const char *id, const char *ifname)
{
	return l->ifname && strcmp(l->id, id) == 0 && strcmp(l->ifname, ifname) == 0;
}

bool hl_store_lease_is(struct hl_store *s, const struct ip_addr *ip, const char *id, const char *ifname)
{
	_cleanup_free_ char *buf = NULL;
	char name[INET6_ADDRSTRLEN];
	struct hl_lease l;
	size_t len;

	if (read_at(s->dirfd, ip_addr_format(ip, name, sizeof(name)), &buf, &len) < 0)
		return false;
	lease_split(buf, &l);
	return ifname ? hl_lease_matches(&l, id, ifname) : !l.ifname && strcmp(l.id, id) == 0;
}

/* Through the index: remove the listed leases that really are (id, ifname)'s. */
static int release_indexed(struct hl_store *s, const char *id, const char *ifname, struct nr_error *err)
{
	struct ip_addr ips[64];
	size_t n;
	int r, removed = 0;

	if ((r = hl_index_get(&s->index, id, ifname, ips, 64, &n)) < 0)
		return 0; /* not indexable: the scan does it */
	for (size_t i = 0; i < n; i++) {
		if (!hl_store_lease_is(s, &ips[i], id, ifname))
			continue;
		if ((r = hl_store_remove(s, &ips[i], err)) < 0)
			return r;
		removed++;
	}
	hl_index_drop(&s->index, id, ifname);
	return removed;
}

struct release_op {
	const char *id, *ifname;
	bool old_format; /* second pass: id-only leases */
	int removed;
	struct nr_error *err;
};

static int release_one(struct hl_store *s, const struct hl_lease *l, void *arg)
{
	struct release_op *op = arg;
	bool match = op->old_format ? !l->ifname && strcmp(l->id, op->id) == 0
				    : hl_lease_matches(l, op->id, op->ifname);
	int r;

	if (!match)
		return 0;
	if ((r = hl_store_remove(s, &l->ip, op->err)) < 0)
		return r;
	op->removed++;
	return 0;
}

int hl_store_release(struct hl_store *s, const char *id, const char *ifname, struct nr_error *err)
{
	struct release_op op = { .id = id, .ifname = ifname, .err = err };
	int r;

	if ((r = release_indexed(s, id, ifname, err)) != 0)
		return r;
	/* Nothing indexed: scan, in case a change went unseen (docs/plugin-host-local.md). */
	if ((r = hl_store_foreach(s, release_one, &op, err)) < 0)
		return r;
	/* As the reference: only when nothing matched in the current format, fall back to
	 * leases of the old id-only format. */
	if (op.removed == 0) {
		op.old_format = true;
		hl_index_drop(&s->index, id, NULL);
		if ((r = hl_store_foreach(s, release_one, &op, err)) < 0)
			return r;
	}
	return op.removed;
}

int hl_store_indexed(struct hl_store *s, const char *id, const char *ifname, struct ip_addr *ret, size_t max,
		     size_t *ret_n)
{
	return hl_index_get(&s->index, id, ifname, ret, max, ret_n);
}

void hl_store_index_put(struct hl_store *s, const char *id, const char *ifname, const struct ip_prefix *ips, size_t n)
{
	if (hl_index_put(&s->index, id, ifname, ips, n) < 0)
		hl_index_abandon(&s->index);
}

static int reindex_one(struct hl_store *s, const struct hl_lease *l, void *arg)
{
	return hl_index_add(&s->index, l->id, l->ifname, &l->ip, arg);
}

int hl_store_reindex(struct hl_store *s, struct nr_error *err)
{
	int r;

	if ((r = hl_index_clear(&s->index, err)) < 0 || (r = hl_store_foreach(s, reindex_one, err, err)) < 0)
		return r;
	hl_index_touch(&s->index); /* complete: the stamp is written on close */
	return 0;
}

/* Remove every file of directory fd (no subdirectories expected); -errno. */
static int empty_dir(int fd)
{
	_cleanup_close_ int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	dfd = -1; /* the DIR owns it now */
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && unlinkat(fd, de->d_name, 0) < 0 &&
		    errno != ENOENT)
			r = -errno;
	closedir(d);
	return r;
}

/* Whether name is store bookkeeping rather than a lease. */
static bool bookkeeping(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "lock") || !strcmp(name, ".nr-index") ||
	       !strncmp(name, LAST_IP_PREFIX, strlen(LAST_IP_PREFIX));
}

int hl_store_forget(const char *data_dir, const char *network, bool *found, struct nr_error *err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dirfd = -1, lockfd = -1, ixfd = -1;
	DIR *d;
	struct dirent *de;
	bool leases = false;
	int r;

	if (!*network || strchr(network, '/') || !strcmp(network, ".") || !strcmp(network, ".."))
		return 0;
	if (asprintf(&dir, "%s/%s", data_dir, network) < 0)
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : nr_error_set(err, CNI_ERR_IO, errno, "cannot open %s: %m", dir);
	/* Under the store's lock: an ADD that waits for it finds the directory gone and makes
	 * it again (hl_store_open), never half of it. */
	if ((lockfd = openat(dirfd, "lock", O_RDWR | O_CLOEXEC)) >= 0)
		while (flock(lockfd, LOCK_EX) < 0 && errno == EINTR)
			;
	int scan = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (scan < 0 || !(d = fdopendir(scan))) {
		if (scan >= 0)
			close(scan);
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot read %s: %m", dir);
	}
	while ((de = readdir(d)) && !leases)
		leases = !bookkeeping(de->d_name);
	closedir(d);
	if (leases)
		return 0; /* a lease is somebody's: DEL releases it, not us */
	if ((ixfd = openat(dirfd, ".nr-index", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0 &&
	    ((r = empty_dir(ixfd)) < 0 || unlinkat(dirfd, ".nr-index", AT_REMOVEDIR) < 0))
		return nr_error_set(err, CNI_ERR_IO, r < 0 ? -r : errno, "cannot remove %s/.nr-index: %m", dir);
	if ((r = empty_dir(dirfd)) < 0 || rmdir(dir) < 0)
		return nr_error_set(err, CNI_ERR_IO, r < 0 ? -r : errno, "cannot remove %s: %s", dir,
				    strerror(r < 0 ? -r : errno));
	*found = true;
	return 0;
}

/* The attachment index beside the lease files: <store>/.nr-index/<containerID>@<ifname>
 * lists an attachment's addresses, .nr-index/stamp the store directory's mtime, ctime and
 * size when the index last matched it.  The lease files stay the only truth; why the
 * stamp can be trusted, and where it cannot: docs/plugin-host-local.md, "The index". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"

#include "base/cleanup.h"
#include "base/fdio.h"

#define INDEX_DIR ".nr-index"
#define STAMP "stamp"
#define ENTRY_MAX 4096

/* "<id>@<ifname>": '@' is in neither a container id nor (by our own rule) a usable name;
 * NULL ifname stands for the reference's old id-only leases. */
static int entry_name(const char *id, const char *ifname, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s@%s", id, ifname ? ifname : "");

	if (n < 0 || (size_t)n >= len || n > 250 || strchr(id, '/') || strchr(id, '@') ||
	    (ifname && (strchr(ifname, '/') || strchr(ifname, '@'))))
		return -ENAMETOOLONG; /* not indexable: callers scan instead */
	return 0;
}

static void stamp_of(const struct stat *st, char *buf, size_t len)
{
	snprintf(buf, len, "%lld.%09ld %lld.%09ld %lld\n", (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, (long long)st->st_size);
}

/* Write name in the index directory atomically (temporary file, rename). */
static int index_write(struct hl_index *ix, const char *name, const char *data, size_t len)
{
	char tmp[300];
	int r = 0;
	_cleanup_close_ int fd = -1;

	snprintf(tmp, sizeof(tmp), ".tmp.%s", name);
	if ((fd = openat(ix->fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -errno;
	if ((r = fd_write_all(fd, data, len)) < 0 || close(TAKE_FD(fd)) < 0 ||
	    renameat(ix->fd, tmp, ix->fd, name) < 0) {
		r = r < 0 ? r : -errno;
		unlinkat(ix->fd, tmp, 0);
		return r;
	}
	return 0;
}

static int index_read(struct hl_index *ix, const char *name, char **ret)
{
	_cleanup_close_ int fd = openat(ix->fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len;

	if (fd < 0)
		return -errno;
	return fd_read_all(fd, ENTRY_MAX, ret, &len);
}

/* Empty the index directory (entries, stamp, leftovers of a crash). */
int hl_index_clear(struct hl_index *ix, struct nr_error *err)
{
	_cleanup_close_ int fd = openat(ix->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd)))
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot clear the lease index in %s: %m", ix->dir);
	TAKE_FD(fd);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(ix->fd, de->d_name, 0);
	closedir(d);
	return 0;
}

int hl_index_add(struct hl_index *ix, const char *id, const char *ifname, const struct ip_addr *ip,
		 struct nr_error *err)
{
	char name[300], line[INET6_ADDRSTRLEN + 1];
	_cleanup_close_ int fd = -1;
	size_t n;

	if (entry_name(id, ifname, name, sizeof(name)) < 0 || !*id)
		return 0;
	if ((fd = openat(ix->fd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot write the lease index %s/" INDEX_DIR "/%s: %m",
				    ix->dir, name);
	ip_addr_format(ip, line, sizeof(line));
	n = strlen(line);
	line[n++] = '\n';
	return fd_write_all(fd, line, n);
}

int hl_index_open(struct hl_index *ix, int storefd, const char *dir, struct nr_error *err)
{
	_cleanup_free_ char *have = NULL;
	char want[128];
	struct stat st;

	ix->storefd = storefd;
	ix->dirty = false;
	ix->dir = dir;
	if (mkdirat(storefd, INDEX_DIR, 0755) < 0 && errno != EEXIST)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create %s/" INDEX_DIR ": %m", dir);
	if ((ix->fd = openat(storefd, INDEX_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot open %s/" INDEX_DIR ": %m", dir);
	if (fstat(storefd, &st) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot stat %s: %m", dir);
	stamp_of(&st, want, sizeof(want));
	return index_read(ix, STAMP, &have) == 0 && strcmp(have, want) == 0 ? 0 : 1;
}

void hl_index_close(struct hl_index *ix)
{
	char stamp[128];
	struct stat st;

	/* Without a fresh stamp the next operation rebuilds: slower, never wrong. */
	if (ix->fd >= 0 && ix->dirty && fstat(ix->storefd, &st) == 0) {
		stamp_of(&st, stamp, sizeof(stamp));
		index_write(ix, STAMP, stamp, strlen(stamp));
	}
	hl_index_abandon(ix);
}

void hl_index_abandon(struct hl_index *ix)
{
	if (ix->fd >= 0)
		close(ix->fd);
	ix->fd = -1;
}

void hl_index_touch(struct hl_index *ix)
{
	ix->dirty = true;
}

int hl_index_get(struct hl_index *ix, const char *id, const char *ifname, struct ip_addr *ret, size_t max,
		 size_t *ret_n)
{
	_cleanup_free_ char *buf = NULL;
	char name[300], *line, *save = NULL;
	size_t n = 0;
	int r;

	*ret_n = 0;
	if ((r = entry_name(id, ifname, name, sizeof(name))) < 0)
		return r;
	if ((r = index_read(ix, name, &buf)) < 0)
		return r == -ENOENT ? 0 : r;
	for (line = strtok_r(buf, "\n", &save); line && n < max; line = strtok_r(NULL, "\n", &save))
		if (ip_addr_parse(line, &ret[n]) == 0)
			n++;
	*ret_n = n;
	return 0;
}

int hl_index_put(struct hl_index *ix, const char *id, const char *ifname, const struct ip_prefix *ips, size_t n)
{
	char name[300], buf[ENTRY_MAX];
	size_t len = 0;
	int r;

	if ((r = entry_name(id, ifname, name, sizeof(name))) < 0)
		return r;
	for (size_t i = 0; i < n && len + INET6_ADDRSTRLEN + 1 < sizeof(buf); i++) {
		ip_addr_format(&ips[i].addr, buf + len, sizeof(buf) - len);
		len += strlen(buf + len);
		buf[len++] = '\n';
	}
	ix->dirty = true;
	return index_write(ix, name, buf, len);
}

void hl_index_drop(struct hl_index *ix, const char *id, const char *ifname)
{
	char name[300];

	if (entry_name(id, ifname, name, sizeof(name)) == 0 && unlinkat(ix->fd, name, 0) == 0)
		ix->dirty = true;
}

/* Entry names of a layer tar, checked before anything is written: the first line of the
 * defence against path escapes (libarchive's SECURE_* flags are the second). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "image/layer_internal.h"

int layer_path_clean(const char *name, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0, n;
	const char *p = name;

	if (!name || name[0] == '/')
		return -EINVAL;
	out = malloc(strlen(name) + 1);
	if (!out)
		return -ENOMEM;
	while (*p) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EINVAL;
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	out[len] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

void layer_path_split(const char *rel, char *buf, const char **ret_dir, const char **ret_base)
{
	char *slash;

	strcpy(buf, rel);
	slash = strrchr(buf, '/');
	if (!slash) {
		*ret_dir = "";
		*ret_base = buf;
		return;
	}
	*slash = '\0';
	*ret_dir = buf;
	*ret_base = slash + 1;
}

int layer_dir_open(int rootfd, const char *rel, bool create)
{
	_cleanup_close_ int fd = -1;
	const char *p = rel;
	char name[256];
	size_t n;
	int next;

	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (*p) {
		n = strcspn(p, "/");
		if (n >= sizeof(name))
			return -ENAMETOOLONG;
		memcpy(name, p, n);
		name[n] = '\0';
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
				return -errno;
			next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0)
			return -errno;
		close(fd);
		fd = next;
		p += n;
		while (*p == '/')
			p++;
	}
	return TAKE_FD(fd);
}

#include "lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int lockfile_take(const char *path, int *ret_fd, struct nr_error *err)
{
	int fd;

	if (mkdir(LOCKFILE_DIR, 0755) < 0 && errno != EEXIST)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create %s: %s", LOCKFILE_DIR, strerror(errno));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return nr_error_set(err, CNI_ERR_IO, e, "cannot lock %s: %s", path, strerror(e));
		}
	}
	*ret_fd = fd;
	return 0;
}

#include "proctitle.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Field n (1-based) of /proc/self/stat as an unsigned number; the second field (comm) is
 * in parentheses and may hold spaces, so counting starts after its last ')'. */
static int stat_fields(const char *buf, size_t len, int first, int count, unsigned long *out)
{
	const char *p = NULL;
	int field = 2;

	for (size_t i = 0; i < len; i++)
		if (buf[i] == ')')
			p = buf + i;
	if (!p)
		return -EINVAL;
	for (p++; p < buf + len && count > 0; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field < first)
			continue;
		unsigned long v = 0;
		const char *q = p + 1;
		if (q >= buf + len || *q < '0' || *q > '9')
			return -EINVAL;
		for (; q < buf + len && *q >= '0' && *q <= '9'; q++)
			v = v * 10 + (unsigned long)(*q - '0');
		out[field - first] = v;
		count--;
	}
	return count ? -EINVAL : 0;
}

int proctitle_set(const char *name)
{
	char buf[1024];
	unsigned long r[4]; /* arg_start, arg_end, env_start, env_end: fields 48-51 */
	size_t n = 0, len = strlen(name);
	ssize_t got;
	int fd;

	prctl(PR_SET_NAME, name);
	if ((fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	while (n < sizeof(buf) && (got = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)got;
	close(fd);
	if (stat_fields(buf, n, 48, 4, r) < 0 || r[0] >= r[1] || r[2] > r[3])
		return -EINVAL;
	/* The environment usually follows the arguments: then a name longer than the
	 * arguments runs on into it, which /proc shows whole (the kernel reads on past the
	 * arguments' end when their last byte is not a NUL, for setproctitle). */
	size_t room = r[1] - r[0];
	if (r[2] == r[1])
		room = r[3] - r[0];
	if (r[2] < r[3])
		memset((char *)r[2], 0, r[3] - r[2]);
	memset((char *)r[0], 0, r[1] - r[0]);
	memcpy((char *)r[0], name, len < room - 1 ? len : room - 1);
	return 0;
}

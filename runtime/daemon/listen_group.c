/* The unix sockets' group (server_run.h).  The default group, netns-run, is created
 * when missing as groupadd --system would, without running it: under the shadow suite's
 * lock (lckpwdf), with the highest free gid of the system range, appended to /etc/group
 * (and /etc/gshadow when there is one). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/server_run.h"
#include "engine/rt_error.h"

/* groupadd's defaults for system groups (login.defs SYS_GID_MIN/MAX). */
#define GROUP_SYS_MIN 100
#define GROUP_SYS_MAX 999

static int group_lookup(const char *name, gid_t *ret)
{
	struct group gr, *res = NULL;
	char buf[16384];
	int r = getgrnam_r(name, &gr, buf, sizeof(buf), &res);

	if (r != 0)
		return -r;
	if (!res)
		return -ENOENT;
	*ret = gr.gr_gid;
	return 0;
}

static int append_line(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW), r = 0;
	size_t len = strlen(line);

	if (fd < 0)
		return -errno;
	if (write(fd, line, len) != (ssize_t)len || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* The highest gid of the system range that no group in /etc/group has. */
static int free_system_gid(gid_t *ret)
{
	unsigned char used[GROUP_SYS_MAX + 1] = { 0 };
	char line[4096];
	FILE *f = fopen("/etc/group", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');
		if (p)
			p = strchr(p + 1, ':');
		if (!p)
			continue;
		long gid = strtol(p + 1, NULL, 10);
		if (gid >= 0 && gid <= GROUP_SYS_MAX)
			used[gid] = 1;
	}
	fclose(f);
	for (gid_t g = GROUP_SYS_MAX; g >= GROUP_SYS_MIN; g--)
		if (!used[g] && !getgrgid(g)) {
			*ret = g;
			return 0;
		}
	return -ENOSPC;
}

static int group_create(const char *name, gid_t *ret, struct nr_error *err)
{
	char line[256];
	gid_t gid;
	int r;

	if (lckpwdf() < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno,
				    "group %s is missing and the group files cannot be locked: %s", name,
				    strerror(errno));
	/* Made by someone else while we waited for the lock? */
	r = group_lookup(name, &gid);
	if (r == 0)
		goto done;
	r = free_system_gid(&gid);
	if (r < 0) {
		nr_error_set(err, RT_ERR_SYSTEM, -r, "group %s is missing and no system gid is free: %s", name,
			     strerror(-r));
		goto done;
	}
	snprintf(line, sizeof(line), "%s:x:%u:\n", name, (unsigned)gid);
	r = append_line("/etc/group", line);
	if (r < 0) {
		nr_error_set(err, RT_ERR_SYSTEM, -r, "group %s is missing and cannot be added to /etc/group: %s", name,
			     strerror(-r));
		goto done;
	}
	snprintf(line, sizeof(line), "%s:!::\n", name);
	if (access("/etc/gshadow", F_OK) == 0 && append_line("/etc/gshadow", line) < 0)
		dlog_warn("group %s: added to /etc/group, not to /etc/gshadow", name);
	dlog_info("created the group %s (gid %u) for the API socket", name, (unsigned)gid);
done:
	ulckpwdf();
	if (r == 0)
		*ret = gid;
	return r;
}

int listen_group(const struct server_opts *o, gid_t *ret, struct nr_error *err)
{
	const char *name = o->group ? o->group : SERVER_GROUP_DEFAULT;
	int r = group_lookup(name, ret);

	if (r == 0)
		return 0;
	if (r != -ENOENT)
		return nr_error_set(err, RT_ERR_SYSTEM, -r, "looking up group %s: %s", name, strerror(-r));
	if (o->group_given)
		return nr_error_set(err, RT_ERR_USAGE, ENOENT, "--group %s: no such group", name);
	return group_create(name, ret, err);
}

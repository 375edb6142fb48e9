/* Bind mounts in Docker's -v spelling (HOST:CONTAINER[:ro|:rw]), shared by the CLI's
 * run and the daemon's create body (HostConfig.Binds). */
#include "volume_spec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rt_error.h"

/* "//a/./b/" -> "/a/b", in place (an absolute path; ".." is refused after). */
static void path_clean(char *p)
{
	char *w = p, *r = p;

	while (*r) {
		while (*r == '/')
			r++;
		char *c = r;
		while (*r && *r != '/')
			r++;
		size_t len = (size_t)(r - c);
		if (len == 0 || (len == 1 && *c == '.'))
			continue;
		*w++ = '/';
		memmove(w, c, len);
		w += len;
	}
	if (w == p)
		*w++ = '/';
	*w = '\0';
}

/* Destinations runc refuses (libcontainer's checkProcMount), as Docker does: "/" would
 * replace the container's whole root, and a mount on or in /proc could hide or replace
 * the kernel's files (the masks, the read-only /proc/sys) — except the files lxcfs
 * stands in for. */
static int volume_dest_check(const struct volume *v, struct nr_error *err)
{
	static const char *const lxcfs[] = { "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",
					     "/proc/stat",    "/proc/swaps",     "/proc/uptime",
					     "/proc/loadavg", "/proc/slabinfo",  "/proc/net/dev" };

	if (!strcmp(v->cont, "/"))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "-v %s:/: a volume cannot replace the container's root (runc and Docker refuse it "
				    "too); use --rootfs for a root of your own",
				    v->host);
	if (strcmp(v->cont, "/proc") && strncmp(v->cont, "/proc/", 6))
		return 0;
	for (size_t i = 0; i < sizeof(lxcfs) / sizeof(lxcfs[0]); i++)
		if (!strcmp(v->cont, lxcfs[i]))
			return 0;
	return nr_error_set(err, RT_ERR_USAGE, EINVAL,
			    "-v %s:%s: volumes on or inside /proc are refused, as runc refuses them (they could hide "
			    "the kernel's files and masks); only lxcfs's files may be replaced: /proc/cpuinfo, "
			    "diskstats, meminfo, stat, swaps, uptime, loadavg, slabinfo, net/dev",
			    v->host, v->cont);
}

int volume_spec_parse(char *spec, struct volume *v, struct nr_error *err)
{
	char *c1 = strchr(spec, ':'), *c2;

	if (!c1)
		goto bad;
	*c1 = '\0';
	c2 = strchr(c1 + 1, ':');
	v->ro = false;
	if (c2) {
		*c2 = '\0';
		if (!strcmp(c2 + 1, "ro"))
			v->ro = true;
		else if (strcmp(c2 + 1, "rw"))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-v: mode must be ro or rw, not %s", c2 + 1);
	}
	v->host = spec;
	v->cont = c1 + 1;
	if (v->host[0] != '/' || c1[1] != '/')
		goto bad;
	path_clean(c1 + 1);
	if (strstr(v->cont, "/../") || !strcmp(v->cont + strlen(v->cont) - (strlen(v->cont) >= 3 ? 3 : 0), "/.."))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-v: %s must not contain ..", v->cont);
	return volume_dest_check(v, err);
bad:
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "-v expects HOST:CONTAINER[:ro], both absolute paths");
}

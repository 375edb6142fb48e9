/* The subnet file (overlay.h): one JSON object written by the agent, read by the plugin.
 * Written to a temporary file and renamed over, so a reader sees the old file or the new
 * one, never half of one.  Members we do not know are ignored: a newer agent may add some. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/json_field.h"
#include "cni/cni_config.h"
#include "ovl.h"

#define SUBNET_FILE "subnet.json"
#define SUBNET_FILE_MAX (64 * 1024)
#define VNI_MAX 0xffffff

int overlay_dir(const char *name, char *buf, size_t size, struct nr_error *err)
{
	const char *state = getenv("NETNS_RUN_STATE_DIR");

	if (!name || !cni_name_valid(name))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "invalid network name \"%s\"",
				    name ? name : "");
	if (!state || !*state)
		state = "/var/lib/netns-run";
	if ((size_t)snprintf(buf, size, "%s/overlay/%s", state, name) >= size)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG, "overlay directory of %s: path too long",
				    name);
	return 0;
}

static int parse_prefix(json_t *root, const char *key, const char *what, struct ip_prefix *ret, struct nr_error *err)
{
	const char *text;
	struct ip_prefix p, net;
	int r;

	if ((r = jfield_string(root, key, what, true, &text, err)) < 0)
		return r;
	if (ip_prefix_parse(text, &p) < 0 || p.addr.family != AF_INET || p.len < 1 || p.len > 30)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "%s: %s \"%s\" is not an IPv4 subnet (/1 to /30)", what, key, text);
	net = ip_prefix_network(&p);
	if (!ip_addr_equal(&net.addr, &p.addr))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: %s \"%s\" has host bits set", what, key,
				    text);
	*ret = p;
	return 0;
}

static int parse_ifname(json_t *root, const char *key, const char *what, char *buf, size_t size, struct nr_error *err)
{
	const char *text;
	int r;

	if ((r = jfield_string(root, key, what, true, &text, err)) < 0)
		return r;
	if (!*text || strlen(text) >= IFNAMSIZ || strlen(text) >= size || strchr(text, '/') || strchr(text, ' ') ||
	    !strcmp(text, ".") || !strcmp(text, ".."))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: %s \"%s\" is not an interface name", what,
				    key, text);
	snprintf(buf, size, "%s", text);
	return 0;
}

int ovl_subnet_parse(const char *buf, size_t len, const char *what, struct overlay_subnet *ret, struct nr_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	struct overlay_subnet s = { 0 };
	long long mtu = 0, vni = 0, port = OVERLAY_DEFAULT_PORT;
	const char *vtep;
	int r;

	if ((r = json_parse_object(buf, len, what, &root, err)) < 0)
		return r;
	if ((r = parse_prefix(root, "network", what, &s.network, err)) < 0 ||
	    (r = parse_prefix(root, "subnet", what, &s.subnet, err)) < 0 ||
	    (r = jfield_int(root, "mtu", what, 576, 65535, &mtu, err)) < 0 ||
	    (r = jfield_int(root, "vni", what, 0, VNI_MAX, &vni, err)) < 0 ||
	    (r = jfield_int(root, "port", what, 1, 65535, &port, err)) < 0 ||
	    (r = jfield_string(root, "vtep", what, true, &vtep, err)) < 0 ||
	    (r = parse_ifname(root, "device", what, s.device, sizeof(s.device), err)) < 0 ||
	    (r = parse_ifname(root, "bridge", what, s.bridge, sizeof(s.bridge), err)) < 0)
		return r;
	if (!json_get_go(root, "mtu") || !json_get_go(root, "vni"))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: mtu and vni are required", what);
	if (s.subnet.len < s.network.len || !ip_prefix_contains(&s.network, &s.subnet.addr))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: the subnet is not inside the network",
				    what);
	if (ip_addr_parse(vtep, &s.vtep) < 0 || s.vtep.family != AF_INET)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: vtep \"%s\" is not an IPv4 address", what,
				    vtep);
	if (!strcmp(s.device, s.bridge))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: device and bridge are both %s", what,
				    s.device);
	s.mtu = (int)mtu;
	s.vni = (uint32_t)vni;
	s.port = (uint16_t)port;
	*ret = s;
	return 0;
}

int ovl_subnet_read_file(const char *path, struct overlay_subnet *ret, struct nr_error *err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	char what[300];
	size_t len = 0;
	int r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return nr_error_set(err, CNI_ERR_TRY_AGAIN, ENOENT,
					    "%s is missing: the overlay agent holds no subnet (not running, or "
					    "waiting for etcd; `netns-run network join` starts it)",
					    path);
		return nr_error_set(err, CNI_ERR_IO, errno, "opening %s: %s", path, strerror(errno));
	}
	if ((r = fd_read_all(fd, SUBNET_FILE_MAX, &buf, &len)) < 0)
		return nr_error_set(err, CNI_ERR_IO, -r, "reading %s: %s", path, strerror(-r));
	snprintf(what, sizeof(what), "subnet file %s", path);
	return ovl_subnet_parse(buf, len, what, ret, err);
}

static int subnet_path(const char *dir, char *buf, size_t size, struct nr_error *err)
{
	if ((size_t)snprintf(buf, size, "%s/" SUBNET_FILE, dir) >= size)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG, "%s: path too long", dir);
	return 0;
}

int overlay_subnet_read(const char *dir, struct overlay_subnet *s, struct nr_error *err)
{
	char path[4096];
	int r;

	if ((r = subnet_path(dir, path, sizeof(path), err)) < 0)
		return r;
	return ovl_subnet_read_file(path, s, err);
}

static json_t *subnet_json(const struct overlay_subnet *s)
{
	char net[IP_PREFIX_STRLEN], sub[IP_PREFIX_STRLEN], vtep[IP_PREFIX_STRLEN];

	return json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:i}", "network",
			 ip_prefix_format(&s->network, net, sizeof(net)), "subnet",
			 ip_prefix_format(&s->subnet, sub, sizeof(sub)), "mtu", s->mtu, "vni", (json_int_t)s->vni,
			 "vtep", ip_addr_format(&s->vtep, vtep, sizeof(vtep)), "device", s->device, "bridge", s->bridge,
			 "port", s->port ? s->port : OVERLAY_DEFAULT_PORT);
}

/* mkdir -p, mode 0755. */
static int mkdir_parents(const char *dir)
{
	char p[4096];

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (char *c = p + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*c = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

int ovl_file_write(const char *path, const char *text, struct nr_error *err)
{
	_cleanup_close_ int fd = -1;
	char dir[4096], tmp[4096 + 16];
	char *slash;
	int r;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir) || !(slash = strrchr(dir, '/')))
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s: not a usable path", path);
	*slash = '\0';
	if (*dir && (r = mkdir_parents(dir)) < 0)
		return nr_error_set(err, CNI_ERR_IO, -r, "creating %s: %s", dir, strerror(-r));
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "creating %s: %s", tmp, strerror(errno));
	if (fchmod(fd, 0644) < 0 || (r = fd_write_all(fd, text, strlen(text))) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		r = errno ? -errno : -EIO;
		unlink(tmp);
		return nr_error_set(err, CNI_ERR_IO, -r, "writing %s: %s", path, strerror(-r));
	}
	return 0;
}

int overlay_subnet_write(const char *dir, const struct overlay_subnet *s, struct nr_error *err)
{
	_cleanup_json_ json_t *j = subnet_json(s);
	_cleanup_free_ char *text = NULL;
	struct overlay_subnet check;
	char path[4096];
	int r;

	if ((r = subnet_path(dir, path, sizeof(path), err)) < 0)
		return r;
	if (!j || !(text = json_dumps(j, JSON_COMPACT)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	/* What we write, the plugin must accept: check it with the reader's rules. */
	if ((r = ovl_subnet_parse(text, strlen(text), "subnet", &check, err)) < 0)
		return nr_error_wrap(err, r, "not writing %s", path);
	return ovl_file_write(path, text, err);
}

int overlay_subnet_remove(const char *dir, struct nr_error *err)
{
	char path[4096];
	int r;

	if ((r = subnet_path(dir, path, sizeof(path), err)) < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT) /* gone already: what was asked */
		return nr_error_set(err, CNI_ERR_IO, errno, "removing %s: %s", path, strerror(errno));
	return 0;
}

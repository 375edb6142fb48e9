/* The original values of what a tuning ADD changed on the container's link, kept in a file
 * for DEL to put back: the reference's file ("<dataDir>/<container id>_<ifname>.json",
 * default /run/cni/tuning) and its JSON ({"mac", "promisc", "mtu", "allmulti", "txQLen"},
 * each present only when ADD changed it), so either plugin restores after the other. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "tuning.h"

int tun_backup_path(const char *dir, const char *container_id, const char *ifname, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s_%s.json", dir, container_id, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int tun_backup_load(const char *path, struct tun_backup *ret, struct nr_error *err)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct tun_backup b = { 0 };
	const char *mac = NULL;
	json_error_t jerr;
	json_t *v;
	size_t len;
	int r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "tuning: cannot read %s: %s", path, strerror(errno));
	if ((r = fd_read_all(fd, 64 << 10, &buf, &len)) < 0)
		return nr_error_set(err, CNI_ERR_IO, -r, "tuning: cannot read %s: %s", path, strerror(-r));
	/* The reference treats a backup it cannot decode as nothing to restore; so do we. */
	if (!(o = json_loadb(buf, len, 0, &jerr)) || !json_is_object(o)) {
		*ret = b;
		return 0;
	}
	if ((v = json_object_get(o, "mac")) && json_is_string(v) && (mac = json_string_value(v)) && *mac &&
	    tun_mac_normalize(mac, b.mac) == 0)
		b.has_mac = true;
	if ((v = json_object_get(o, "promisc")) && json_is_boolean(v)) {
		b.has_promisc = true;
		b.promisc = json_is_true(v);
	}
	if ((v = json_object_get(o, "mtu")) && json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= 65535) {
		b.has_mtu = true;
		b.mtu = (unsigned int)json_integer_value(v);
	}
	if ((v = json_object_get(o, "allmulti")) && json_is_boolean(v)) {
		b.has_allmulti = true;
		b.allmulti = json_is_true(v);
	}
	if ((v = json_object_get(o, "txQLen")) && json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 0x7fffffff) {
		b.has_txqlen = true;
		b.txqlen = (unsigned int)json_integer_value(v);
	}
	*ret = b;
	return 0;
}

static json_t *backup_json(const struct tun_backup *b)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if ((b->has_mac && json_object_set_new(o, "mac", json_string(b->mac)) < 0) ||
	    (b->has_promisc && json_object_set_new(o, "promisc", json_boolean(b->promisc)) < 0) ||
	    (b->has_mtu && json_object_set_new(o, "mtu", json_integer(b->mtu)) < 0) ||
	    (b->has_allmulti && json_object_set_new(o, "allmulti", json_boolean(b->allmulti)) < 0) ||
	    (b->has_txqlen && json_object_set_new(o, "txQLen", json_integer(b->txqlen)) < 0) ||
	    (b->network && json_object_set_new(o, "network", json_string(b->network)) < 0) ||
	    (b->container_id && json_object_set_new(o, "containerID", json_string(b->container_id)) < 0) ||
	    (b->ifname && json_object_set_new(o, "ifname", json_string(b->ifname)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* dir and its missing parents (the reference: os.MkdirAll; /run/cni may not exist yet). */
static int mkdir_p(const char *dir)
{
	char p[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -errno;
		p[i] = dir[i];
	}
	return 0;
}

int tun_backup_save(const char *dir, const char *path, const struct tun_backup *b, struct nr_error *err)
{
	_cleanup_json_ json_t *o = backup_json(b);
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	char tmp[4096];
	int n;

	if (!o || !(text = json_dumps(o, JSON_INDENT(1))))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((n = mkdir_p(dir)) < 0)
		return nr_error_set(err, CNI_ERR_IO, -n, "tuning: cannot create %s: %s", dir, strerror(-n));
	n = snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return nr_error_set(err, CNI_ERR_IO, ENAMETOOLONG, "tuning: path too long: %s", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "tuning: cannot write %s: %s", tmp, strerror(errno));
	if (fd_write_all(fd, text, strlen(text)) < 0 || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;
		unlink(tmp);
		return nr_error_set(err, CNI_ERR_IO, e, "tuning: cannot write %s: %s", path, strerror(e));
	}
	return 0;
}

void tun_backup_drop_temps(const char *dir, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t nb = strlen(base), n;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		n = strlen(e->d_name);
		if (n > nb + 5 && strncmp(e->d_name, base, nb) == 0 && e->d_name[nb] == '.' &&
		    strcmp(e->d_name + n - 4, ".tmp") == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* Whether the backup at dirfd/name was made by network for an attachment not in valid. */
static bool backup_stale(int dirfd, const char *name, const char *network, json_t *valid)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const char *net, *id, *ifname;
	size_t len;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    fd_read_all(fd, 64 << 10, &buf, &len) < 0 || !(o = json_loadb(buf, len, 0, NULL)))
		return false;
	net = json_string_value(json_object_get(o, "network"));
	id = json_string_value(json_object_get(o, "containerID"));
	ifname = json_string_value(json_object_get(o, "ifname"));
	/* Without an owner (the reference's files) it is not ours to judge. */
	if (!net || !id || !ifname || strcmp(net, network) != 0)
		return false;
	return !valid || !cni_gc_attachment_valid(valid, id, ifname);
}

int tun_backup_gc(const char *dir, const char *network, json_t *valid, struct nr_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n;

	if (!d && errno == ENOENT)
		return 0;
	if (!d)
		return nr_error_set(err, CNI_ERR_IO, errno, "tuning: cannot read %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		n = strlen(e->d_name);
		if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		if (backup_stale(dirfd(d), e->d_name, network, valid) && unlinkat(dirfd(d), e->d_name, 0) < 0 &&
		    errno != ENOENT) {
			int r = nr_error_set(err, CNI_ERR_IO, errno, "tuning: cannot remove %s/%s: %s", dir, e->d_name,
					     strerror(errno));
			closedir(d);
			return r;
		}
	}
	closedir(d);
	return 0;
}

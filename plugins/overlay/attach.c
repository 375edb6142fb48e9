/* Per-attachment copies of the bridge configuration an ADD ran (ovl.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/json_field.h"
#include "cni/cni_env.h"
#include "ovl.h"

#define ATTACH_DIR "attachments"
#define ATTACH_MAX (64 * 1024)

/* <dir of subnetFile>/attachments[/ID.IFNAME.json] */
static int attach_path(const struct ovl_conf *c, const char *id, const char *ifname, char *buf, size_t size)
{
	const char *slash = strrchr(c->subnet_file, '/');
	int n;

	if (id && (!cni_container_id_valid(id) || !ifname || !*ifname || strchr(ifname, '/')))
		return -EINVAL;
	n = id ? snprintf(buf, size, "%.*s/" ATTACH_DIR "/%s.%s.json", (int)(slash - c->subnet_file), c->subnet_file,
			  id, ifname)
	       : snprintf(buf, size, "%.*s/" ATTACH_DIR, (int)(slash - c->subnet_file), c->subnet_file);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int ovl_attach_save(const struct ovl_conf *c, const struct cni_plugin_ctx *ctx, json_t *bc, struct nr_error *err)
{
	_cleanup_free_ char *text = NULL;
	char path[4096];

	if (attach_path(c, ctx->env.container_id, ctx->env.ifname, path, sizeof(path)) < 0)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				    "container id or interface name unusable in a path");
	if (!(text = json_dumps(bc, JSON_COMPACT)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	return ovl_file_write(path, text, err);
}

int ovl_attach_load(const struct ovl_conf *c, const struct cni_plugin_ctx *ctx, json_t **ret, struct nr_error *err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	char path[4096];
	size_t len = 0;
	int r;

	*ret = NULL;
	if (attach_path(c, ctx->env.container_id, ctx->env.ifname, path, sizeof(path)) < 0)
		return 0; /* no such file can exist */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0
				       : nr_error_set(err, CNI_ERR_IO, errno, "opening %s: %s", path, strerror(errno));
	if ((r = fd_read_all(fd, ATTACH_MAX, &buf, &len)) < 0)
		return nr_error_set(err, CNI_ERR_IO, -r, "reading %s: %s", path, strerror(-r));
	return json_parse_object(buf, len, path, ret, err);
}

void ovl_attach_remove(const struct ovl_conf *c, const struct cni_plugin_ctx *ctx)
{
	char path[4096];

	if (attach_path(c, ctx->env.container_id, ctx->env.ifname, path, sizeof(path)) == 0)
		unlink(path);
}

/* "ID.IFNAME.json": container ids may hold dots, interface names may too; the valid
 * attachments are compared as written, never parsed back. */
static bool attach_valid(const char *file, json_t *valid)
{
	char want[512];
	size_t i;
	json_t *a;

	json_array_foreach(valid, i, a) {
		const char *id = json_string_value(json_get_go(a, "containerID"));
		const char *ifname = json_string_value(json_get_go(a, "ifname"));
		snprintf(want, sizeof(want), "%s.%s.json", id ? id : "", ifname ? ifname : "");
		if (!strcmp(want, file))
			return true;
	}
	return false;
}

void ovl_attach_gc(const struct ovl_conf *c, json_t *valid)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;

	if (attach_path(c, NULL, NULL, dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strstr(e->d_name, ".json") && !attach_valid(e->d_name, valid))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

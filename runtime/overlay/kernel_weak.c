/* Stand-ins for plugins/overlay's kernel and subnet-file API (overlay.h) until that branch
 * is merged: weak, so the real ones win.  To be deleted at the merge. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/rt.h"
#include "engine/rt_error.h"
#include "overlay/overlay.h"

__attribute__((weak)) int overlay_dir(const char *name, char *buf, size_t size, struct nr_error *err)
{
	if (!rt_name_valid(name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid network name \"%s\"", name);
	snprintf(buf, size, "%s/overlay/%s", rt_paths()->state_dir, name);
	return 0;
}

__attribute__((weak)) int overlay_subnet_write(const char *dir, const struct overlay_subnet *s, struct nr_error *err)
{
	char path[512], text[512], net[IP_PREFIX_STRLEN], sub[IP_PREFIX_STRLEN], vtep[IP_PREFIX_STRLEN];

	snprintf(path, sizeof(path), "%s/subnet.json", dir);
	snprintf(text, sizeof(text),
		 "{\"network\": \"%s\", \"subnet\": \"%s\", \"mtu\": %d, \"vni\": %u, \"vtep\": \"%s\", \"device\": \"%s\", "
		 "\"bridge\": \"%s\"}\n",
		 ip_prefix_format(&s->network, net, sizeof(net)), ip_prefix_format(&s->subnet, sub, sizeof(sub)),
		 s->mtu, s->vni, ip_addr_format(&s->vtep, vtep, sizeof(vtep)), s->device, s->bridge);
	int r = rt_write_file_atomic(path, text, 0644);
	return r < 0 ? nr_error_set(err, RT_ERR_SYSTEM, r, "cannot write %s", path) : 0;
}

__attribute__((weak)) int overlay_subnet_read(const char *dir, struct overlay_subnet *s, struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_SYSTEM, ENOENT, "no subnet file");
}

__attribute__((weak)) int overlay_subnet_remove(const char *dir, struct nr_error *err)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/subnet.json", dir);
	return unlink(path) < 0 && errno != ENOENT ? nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot remove %s", path)
						   : 0;
}

__attribute__((weak)) int overlay_vtep_ensure(const struct overlay_subnet *s, int underlay_ifindex, uint8_t mac[6],
					      struct nr_error *err)
{
	static const uint8_t fake[6] = { 0x02, 0, 0, 0, 0, 1 };

	memcpy(mac, fake, 6);
	return 0;
}

__attribute__((weak)) int overlay_remotes_apply(const struct overlay_subnet *s, const struct overlay_remote *r,
						size_t n, struct nr_error *err)
{
	return 0;
}

__attribute__((weak)) int overlay_vtep_remove(const char *device, struct nr_error *err)
{
	return 0;
}

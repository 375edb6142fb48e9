/* Drive plugins/overlay's host side from shell tests, as the agent would:
 *   overlay_apply write DIR NETWORK SUBNET VTEP DEVICE BRIDGE VNI MTU   the subnet file
 *   overlay_apply ensure DIR [UNDERLAY_IFINDEX]    the VXLAN device; prints its MAC
 *   overlay_apply apply DIR [SUBNET,VTEP,MAC ...]  exactly these remotes
 *   overlay_apply unfile DIR                       remove the subnet file
 *   overlay_apply remove DEVICE                    remove the VXLAN device
 * Exit 0 success, 2 usage, 3 error (message on stderr). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl/link.h"
#include "overlay/overlay.h"

static int usage(void)
{
	fprintf(stderr, "usage: overlay_apply write|ensure|apply|unfile|remove ...\n");
	return 2;
}

static int parse_remote(char *text, struct overlay_remote *r)
{
	char *vtep = strchr(text, ','), *mac;

	if (!vtep || !(mac = strchr(vtep + 1, ',')))
		return -1;
	*vtep++ = '\0';
	*mac++ = '\0';
	return ip_prefix_parse(text, &r->subnet) < 0 || ip_addr_parse(vtep, &r->vtep) < 0 ||
			       link_mac_parse(mac, r->mac) < 0
		       ? -1
		       : 0;
}

static int cmd_write(char **a, struct nr_error *e)
{
	struct overlay_subnet s = { .mtu = atoi(a[7]), .vni = (uint32_t)strtoul(a[6], NULL, 10) };

	if (ip_prefix_parse(a[1], &s.network) < 0 || ip_prefix_parse(a[2], &s.subnet) < 0 ||
	    ip_addr_parse(a[3], &s.vtep) < 0)
		return -EINVAL;
	snprintf(s.device, sizeof(s.device), "%s", a[4]);
	snprintf(s.bridge, sizeof(s.bridge), "%s", a[5]);
	return overlay_subnet_write(a[0], &s, e);
}

int main(int argc, char **argv)
{
	struct nr_error e = { 0 };
	struct overlay_subnet s;
	int r = -EINVAL;
	bool used = false;

	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "write") && argc == 10) {
		used = true;
		r = cmd_write(argv + 2, &e);
	} else if (!strcmp(argv[1], "ensure") && argc <= 4) {
		used = true;
		uint8_t mac[6];
		char text[LINK_MAC_STRLEN];
		if ((r = overlay_subnet_read(argv[2], &s, &e)) == 0 &&
		    (r = overlay_vtep_ensure(&s, argc == 4 ? atoi(argv[3]) : 0, mac, &e)) == 0) {
			link_mac_format(mac, text);
			printf("%s\n", text);
		}
	} else if (!strcmp(argv[1], "apply")) {
		used = true;
		struct overlay_remote *v = calloc((size_t)argc, sizeof(*v));
		int n = argc - 3;
		for (int i = 0; v && i < n; i++)
			if (parse_remote(argv[3 + i], &v[i]) < 0) {
				free(v);
				return usage();
			}
		if (v && (r = overlay_subnet_read(argv[2], &s, &e)) == 0)
			r = overlay_remotes_apply(&s, v, (size_t)n, &e);
		free(v);
	} else if (!strcmp(argv[1], "unfile") && argc == 3) {
		used = true;
		r = overlay_subnet_remove(argv[2], &e);
	} else if (!strcmp(argv[1], "remove") && argc == 3) {
		used = true;
		r = overlay_vtep_remove(argv[2], &e);
	}
	if (!used)
		return usage();
	if (r < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 3;
	}
	return 0;
}

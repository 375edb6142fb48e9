/* Drive core/nft_masq from shell tests: nftmasq add|del|has PREFIX.
 * Exit 0 success (has: present), 1 has: absent, 2 usage, 3 error (message on stderr). */
#include <stdio.h>
#include <string.h>

#include "base/ipaddr.h"
#include "nft/nft_masq.h"

int main(int argc, char **argv)
{
	struct nr_error e = { 0 };
	struct ip_prefix p;
	bool b = false;
	int r;

	if (argc != 3 || ip_prefix_parse(argv[2], &p) < 0) {
		fprintf(stderr, "usage: nftmasq add|del|has PREFIX\n");
		return 2;
	}
	if (!strcmp(argv[1], "add"))
		r = nft_masq_add(&p, 1, "test c1 eth0", &e);
	else if (!strcmp(argv[1], "del"))
		r = nft_masq_del(&p, 1, NULL, &e);
	else if (!strcmp(argv[1], "has"))
		r = nft_masq_contains(&p, &b, &e);
	else
		return 2;
	if (r < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 3;
	}
	return !strcmp(argv[1], "has") && !b ? 1 : 0;
}

/* The tuning plugin's config: first line CNI_ARGS (may be empty), the rest the network
 * configuration; parsed as the plugin does (cni_conf_parse, cni_args_parse,
 * tun_conf_parse) for interface eth0.  Whatever is accepted must be safe to act on: every
 * sysctl path below net/ with no empty, "." or ".." component, a canonical MAC. */
#include "fuzz.h"
#include "tuning/tuning.h"

static void check_path(const char *p)
{
	const char *c = p;

	if (strncmp(p, "net/", 4) != 0)
		abort();
	while (*c) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		c += n;
		if (*c == '/')
			c++;
		else if (*c)
			abort();
	}
	if (p[strlen(p) - 1] == '/')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = { "MAC", NULL };
	char *args = fuzz_first_line(&data, &size);
	struct cni_plugin_ctx ctx = { .env = { .ifname = "eth0", .container_id = "fuzz" } };
	struct nr_error err = { 0 };
	struct tun_conf c;
	unsigned char raw[6];
	size_t i;
	int r;

	r = cni_conf_parse((const char *)data, size, &ctx.conf, &err);
	if (r >= 0)
		r = cni_args_parse(args, known, &ctx.args, &err);
	if (r >= 0 && (r = tun_conf_parse(&ctx, &c, &err)) >= 0) {
		for (i = 0; i < c.n_sysctls; i++)
			check_path(c.sysctls[i].path);
		if (c.mac && link_mac_parse(c.mac_norm, raw) < 0)
			abort();
		if (!c.data_dir || !*c.data_dir || c.mtu > 65535)
			abort();
		tun_conf_release(&c);
	}
	fuzz_check_error(r, &err);
	cni_args_free(&ctx.args);
	cni_conf_release(&ctx.conf);
	free(args);
	return 0;
}

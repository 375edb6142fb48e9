/* The bandwidth plugin's config: the first line is the container id, the rest the network
 * configuration; parsed as the plugin does (cni_conf_parse, bw_conf_parse).  Whatever is
 * accepted is a pair of consistent limits and a 15-character ifb name. */
#include "bandwidth/bw.h"
#include "fuzz.h"

static void check_pair(uint64_t rate, uint64_t burst)
{
	if ((rate == 0) != (burst == 0) || burst / 8 >= UINT32_MAX || (rate && rate < 8))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *id = fuzz_first_line(&data, &size);
	struct cni_plugin_ctx ctx = { 0 };
	struct nr_error err = { 0 };
	struct bw_conf c;
	int r;

	ctx.env.container_id = id;
	r = cni_conf_parse((const char *)data, size, &ctx.conf, &err);
	if (r >= 0 && (r = bw_conf_parse(&ctx, &c, &err)) >= 0) {
		check_pair(c.lim.ingress_rate, c.lim.ingress_burst);
		check_pair(c.lim.egress_rate, c.lim.egress_burst);
		if (strlen(c.ifb) != 15 || strncmp(c.ifb, "bwp", 3) != 0)
			abort();
	}
	fuzz_check_error(r, &err);
	cni_conf_release(&ctx.conf);
	free(id);
	return 0;
}

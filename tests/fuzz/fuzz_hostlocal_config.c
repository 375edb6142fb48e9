/* host-local's ipam config: first line CNI_ARGS (may be empty), the rest the network
 * configuration; parsed as the plugin does (cni_conf_parse, cni_args_parse, hl_conf_load). */
#include "fuzz.h"
#include "host-local/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = { "IP", NULL };
	char *args = fuzz_first_line(&data, &size);
	struct cni_plugin_ctx ctx = { 0 };
	struct nr_error err = { 0 };
	struct hl_conf c;
	int r;

	r = cni_conf_parse((const char *)data, size, &ctx.conf, &err);
	if (r >= 0)
		r = cni_args_parse(args, known, &ctx.args, &err);
	if (r >= 0 && (r = hl_conf_load(&ctx, &c, &err)) >= 0) {
		for (size_t i = 0; i < c.n_sets; i++) {
			if (c.sets[i].n == 0)
				abort();
			for (size_t k = 0; k < c.n_req; k++)
				hl_rangeset_find(&c.sets[i], &c.req[k]);
			for (size_t j = 0; j < c.sets[i].n; j++)
				if (!hl_range_contains(&c.sets[i].r[j], &c.sets[i].r[j].start) ||
				    !hl_range_contains(&c.sets[i].r[j], &c.sets[i].r[j].end))
					abort();
		}
		hl_conf_release(&c);
	}
	fuzz_check_error(r, &err);
	cni_args_free(&ctx.args);
	cni_conf_release(&ctx.conf);
	free(args);
	return 0;
}

/* The bridge plugin's config: first line CNI_ARGS (may be empty), the rest the network
 * configuration; parsed as the plugin does (cni_conf_parse, cni_args_parse, br_conf_parse). */
#include "br.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = { "MAC", "IP", NULL };
	char *args = fuzz_first_line(&data, &size);
	struct cni_plugin_ctx ctx = { 0 };
	struct nr_error err = { 0 };
	struct br_conf c;
	int r;

	r = cni_conf_parse((const char *)data, size, &ctx.conf, &err);
	if (r >= 0)
		r = cni_args_parse(args, known, &ctx.args, &err);
	if (r >= 0 && (r = br_conf_parse(&ctx, &c, &err)) >= 0) {
		if (!c.bridge || !*c.bridge || strlen(c.bridge) > CNI_IFNAME_MAX || strchr(c.bridge, '/'))
			abort();
	}
	fuzz_check_error(r, &err);
	cni_args_free(&ctx.args);
	cni_conf_release(&ctx.conf);
	free(args);
	return 0;
}

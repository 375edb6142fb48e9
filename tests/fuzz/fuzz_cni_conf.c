/* A plugin's stdin: cni_conf_parse (with prevResult), the per-command version rules, GC's
 * valid-attachments, and rendering the parsed prevResult back in every version.  And
 * DEL's parse (cni_conf_parse_for): it accepts everything ADD accepts, with the same
 * identity. */
#include <stdlib.h>
#include <string.h>

#include "cni/cni_config.h"
#include "cni/cni_plugin.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf c = { 0 };
	struct nr_error err = { 0 };
	json_t *valid;
	int r;

	struct cni_conf d = { 0 };
	int rd = cni_conf_parse_for((const char *)data, size, CNI_CMD_DEL, &d, &err);

	fuzz_check_error(rd, &err);
	r = cni_conf_parse((const char *)data, size, &c, &err);
	fuzz_check_error(r, &err);
	if (r >= 0 && (rd < 0 || strcmp(c.name, d.name) != 0 || strcmp(c.type, d.type) != 0))
		abort();
	cni_conf_release(&d);
	if (r < 0)
		return 0;
	for (int cmd = CNI_CMD_ADD; cmd <= CNI_CMD_VERSION; cmd++) {
		r = cni_conf_check_command(&c, (enum cni_cmd)cmd, &err);
		fuzz_check_error(r, &err);
	}
	r = cni_gc_valid_attachments(&c, &valid, &err);
	fuzz_check_error(r, &err);
	if (r >= 0)
		cni_gc_attachment_valid(valid, "ctr", "eth0");
	if (c.prev_result)
		for (const char *const *v = cni_supported_versions; *v; v++)
			json_decref(cni_result_to_json(c.prev_result, *v));
	cni_conf_release(&c);
	return 0;
}

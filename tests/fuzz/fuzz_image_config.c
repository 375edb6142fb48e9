/* Image configs as `load` reads them from archives and `commit -c` changes them: the
 * first line is a change, the rest a config document.  What parses, changed by a change
 * that is accepted, still parses (a change never writes a wrong type). */
#include <jansson.h>

#include "fuzz.h"
#include "image/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	struct img_config c = { 0 };
	char *line = fuzz_first_line(&data, &size);
	json_t *doc;
	char *text;
	int parsed, r;

	parsed = img_config_parse((const char *)data, size, &c, &err);
	fuzz_check_error(parsed, &err);
	img_config_clear(&c);
	doc = json_loadb((const char *)data, size, 0, NULL);
	if (!doc)
		doc = json_object();
	memset(&err, 0, sizeof(err));
	r = img_config_change(doc, line, &err);
	fuzz_check_error(r, &err);
	if (r == 0 && parsed == 0) {
		text = json_dumps(doc, JSON_COMPACT);
		if (!text)
			abort();
		memset(&err, 0, sizeof(err));
		if (img_config_parse(text, strlen(text), &c, &err) != 0) {
			fprintf(stderr, "changed config no longer parses: %s\n", err.msg);
			abort();
		}
		img_config_clear(&c);
		free(text);
	}
	json_decref(doc);
	free(line);
	return 0;
}

/* Image references as users type them and archives carry them: a reference that parses
 * formats back to one that parses to the same name, tag and digest, and its familiar
 * name is a suffix of the full one. */
#include "fuzz.h"
#include "image/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	struct img_ref r, again;
	char *s = fuzz_str(data, size);
	char buf[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + IMG_DIGEST_LEN + 4];
	const char *fam;
	int q = img_ref_parse(s, &r, &err);

	fuzz_check_error(q, &err);
	if (q == 0) {
		if (img_ref_format(&r, buf, sizeof(buf)) < 0 || img_ref_parse(buf, &again, &err) != 0 ||
		    strcmp(r.name, again.name) || strcmp(r.tag, again.tag) || strcmp(r.digest, again.digest)) {
			fprintf(stderr, "\"%s\" -> \"%s\" does not read back: %s\n", s, buf, err.msg);
			abort();
		}
		fam = img_ref_familiar(r.name);
		if (strlen(fam) > strlen(r.name) || strcmp(r.name + strlen(r.name) - strlen(fam), fam) != 0)
			abort();
	}
	free(s);
	return 0;
}

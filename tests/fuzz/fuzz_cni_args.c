/* CNI_ARGS ("K=V;K=V"), with a plugin's list of known keys and with any key allowed. */
#include "cni/cni_args.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = { "IP", "MAC", NULL };
	char *s = fuzz_str(data, size);
	struct nr_error err = { 0 };
	struct cni_args a = { 0 };
	int r;

	r = cni_args_parse(s, known, &a, &err);
	fuzz_check_error(r, &err);
	cni_args_get(&a, "IP");
	cni_args_free(&a);
	a = (struct cni_args){ 0 };
	r = cni_args_parse(s, NULL, &a, &err);
	fuzz_check_error(r, &err);
	for (size_t i = 0; r >= 0 && i < a.n; i++)
		if (!a.items[i].key || !a.items[i].value || cni_args_get(&a, a.items[i].key) == NULL)
			abort();
	cni_args_free(&a);
	free(s);
	return 0;
}

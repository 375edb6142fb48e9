/* The runtime's CLI values on their own: the first byte picks the parser (sizes, port
 * specs, container names), the rest is the value. */
#include "cli/run_opts.h"
#include "engine/rt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	long long bytes;
	json_t *arr;
	char *s;
	int r;

	if (size == 0)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		if (rt_parse_bytes(s, &bytes) == 0 && bytes <= 0)
			abort();
		break;
	case 1:
		if (!(arr = json_array()))
			abort();
		r = parse_port_spec(s, arr, &err);
		fuzz_check_error(r, &err);
		for (size_t i = 0; r >= 0 && i < json_array_size(arr); i++) {
			json_t *m = json_array_get(arr, i);
			json_int_t hp = json_integer_value(json_object_get(m, "hostPort"));
			json_int_t cp = json_integer_value(json_object_get(m, "containerPort"));
			if (hp < 1 || hp > 65535 || cp < 1 || cp > 65535)
				abort();
		}
		json_decref(arr);
		break;
	default:
		if (rt_name_valid(s) && (strlen(s) >= RT_NAME_MAX || strchr(s, '/')))
			abort();
	}
	free(s);
	return 0;
}

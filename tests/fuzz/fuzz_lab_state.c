/* A lab's state file (runtime/lab/lab_state.h) on arbitrary bytes, as destroy and inspect
 * read it from disk: every failure is a well-formed error (RT_ERR_CORRUPT), and a state
 * that reads writes back to text that reads to the same text again. */
#include "fuzz.h"
#include "lab/cmd.h"
#include "lab/lab_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	struct lab_state *st = NULL, *back = NULL;
	char *text = malloc(size + 1), *out = NULL, *again = NULL;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = lab_state_from_json(text, "fuzz", &st, &err);
	fuzz_check_error(r, &err);
	free(text);
	if (r < 0) {
		if (st)
			abort();
		return 0;
	}
	if (!st || !st->name[0] || lab_state_to_json(st, &out, &err) < 0 ||
	    lab_state_from_json(out, "fuzz", &back, &err) < 0 || lab_state_to_json(back, &again, &err) < 0 ||
	    strcmp(out, again) != 0)
		abort();
	for (size_t i = 0; i < st->n_nodes; i++)
		if (lab_state_node(back, st->nodes[i].name) == NULL)
			abort();
	free(out);
	free(again);
	lab_state_free(st);
	lab_state_free(back);
	return 0;
}

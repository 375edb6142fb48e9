/* history's rows (runtime/cli/history.c): newest first, the top one with the image's id,
 * the others <missing>; an entry that made a layer gets its size, an empty_layer one 0B;
 * layers without a history entry (a parent made by a tool that wrote none) still show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "cli/error.c"
#include "cli/history.c"
#include "cli/image_fmt.c"
#include "cli/image_store.c"
#include "cli/options.c"

#define ID "sha256:a665a719d9c2a05ce50fc4360252acfad0976a8a04ef0cafcf7deb4068b0d2a3"

static const char *field(json_t *rows, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(rows, i), key));
}

static void test_rows(void **state)
{
	struct img_layer layers[2] = { { .size = 1982296 }, { .size = 12000 } };
	struct img_image im = { .id = ID, .n_layers = 2, .layers = layers };
	json_t *rows = json_array();

	(void)state;
	im.config = json_pack("{s:[{s:s,s:s},{s:s,s:s,s:b},{s:s,s:s,s:s}]}", "history", "created",
			      "2026-01-01T00:00:00Z", "created_by", "/bin/sh -c #(nop) ADD file:abc in / ", "created",
			      "2026-01-01T00:00:01Z", "created_by", "/bin/sh -c #(nop)  CMD [\"sh\"]", "empty_layer", 1,
			      "created", "2026-01-02T00:00:00Z", "created_by",
			      "sh -c echo a very long command line that docker cuts at forty-five", "comment", "msg");
	assert_int_equal(history_rows(&im, false, rows), 0);
	assert_int_equal(json_array_size(rows), 3);
	assert_string_equal(field(rows, 0, "ID"), "a665a719d9c2");
	assert_string_equal(field(rows, 0, "Size"), "12kB");
	assert_string_equal(field(rows, 0, "Comment"), "msg");
	assert_string_equal(field(rows, 0, "CreatedBy"), "sh -c echo a very long command line that doc…");
	assert_string_equal(field(rows, 1, "ID"), "<missing>");
	assert_string_equal(field(rows, 1, "Size"), "0B");
	assert_string_equal(field(rows, 2, "ID"), "<missing>");
	assert_string_equal(field(rows, 2, "Size"), "1.98MB");
	json_decref(rows);

	/* --no-trunc: the whole id and command. */
	rows = json_array();
	assert_int_equal(history_rows(&im, true, rows), 0);
	assert_string_equal(field(rows, 0, "ID"), ID);
	assert_string_equal(field(rows, 0, "CreatedBy"),
			    "sh -c echo a very long command line that docker cuts at forty-five");
	json_decref(rows);
	json_decref(im.config);
}

/* A commit on a parent without history: one entry for two layers. */
static void test_short_history(void **state)
{
	struct img_layer layers[2] = { { .size = 1982296 }, { .size = 4000 } };
	struct img_image im = { .id = ID, .n_layers = 2, .layers = layers };
	json_t *rows = json_array();

	(void)state;
	im.config = json_pack("{s:[{s:s,s:s}]}", "history", "created", "2026-01-02T00:00:00Z", "created_by", "sh");
	assert_int_equal(history_rows(&im, false, rows), 0);
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(field(rows, 0, "ID"), "a665a719d9c2");
	assert_string_equal(field(rows, 0, "Size"), "4kB");
	assert_string_equal(field(rows, 1, "ID"), "<missing>");
	assert_string_equal(field(rows, 1, "Size"), "1.98MB");
	assert_string_equal(field(rows, 1, "CreatedBy"), "");
	json_decref(rows);
	json_decref(im.config);

	/* No history at all: a row per layer, the top one with the id. */
	im.config = json_object();
	rows = json_array();
	assert_int_equal(history_rows(&im, false, rows), 0);
	assert_int_equal(json_array_size(rows), 2);
	assert_string_equal(field(rows, 0, "ID"), "a665a719d9c2");
	assert_string_equal(field(rows, 1, "ID"), "<missing>");
	json_decref(rows);
	json_decref(im.config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_short_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

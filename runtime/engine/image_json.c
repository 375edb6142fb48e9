/* Images in the Engine API's shapes (image_json.h): what `image inspect` and `history`
 * print and what the daemon answers are built here, once. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "image/ref.h"
#include "image_json.h"

const char *image_ref_familiar(const char *full, char *buf, size_t len)
{
	struct img_ref r;

	if (img_ref_parse(full, &r, NULL) < 0)
		snprintf(buf, len, "%s", full);
	else if (r.tag[0])
		snprintf(buf, len, "%s:%s", img_ref_familiar(r.name), r.tag);
	else
		snprintf(buf, len, "%s@%s", img_ref_familiar(r.name), r.digest);
	return buf;
}

static json_t *repo_tags(const struct img_image *im)
{
	json_t *tags = json_array();
	char fam[512];

	for (size_t i = 0; tags && im->tags && im->tags[i]; i++)
		json_array_append_new(tags, json_string(image_ref_familiar(im->tags[i], fam, sizeof(fam))));
	return tags;
}

static const char *cfg_str(const struct img_image *im, const char *key)
{
	return json_string_value(json_object_get(im->config, key)) ?: "";
}

json_t *image_inspect_json(const struct img_image *im)
{
	json_t *layers = json_array(), *cfg = json_object_get(im->config, "config");

	for (size_t i = 0; layers && i < im->n_layers; i++)
		json_array_append_new(layers, json_string(im->layers[i].diff_id));
	return json_pack("{s:s,s:o*,s:[],s:s,s:s,s:s,s:s,s:s,s:O,s:s,s:s,s:I,s:{s:s,s:o*},s:{s:s}}", "Id", im->id,
			 "RepoTags", repo_tags(im), "RepoDigests", "Parent", cfg_str(im, "parent"), "Comment",
			 cfg_str(im, "comment"), "Created", cfg_str(im, "created"), "DockerVersion",
			 cfg_str(im, "docker_version"), "Author", cfg_str(im, "author"), "Config",
			 json_is_object(cfg) ? cfg : json_object(), "Architecture", cfg_str(im, "architecture"), "Os",
			 cfg_str(im, "os"), "Size", (json_int_t)im->size, "RootFS", "Type", "layers", "Layers", layers,
			 "Metadata", "LastTagTime", "0001-01-01T00:00:00Z");
}

static int add_item(json_t *items, const struct img_image *im, bool top, long long created, const char *by,
		    long long size, const char *comment)
{
	json_t *item = json_pack("{s:s,s:I,s:s,s:o*,s:I,s:s}", "Id", top ? im->id : "<missing>", "Created",
				 (json_int_t)created, "CreatedBy", by ? by : "", "Tags",
				 top ? repo_tags(im) : json_array(), "Size", (json_int_t)size, "Comment",
				 comment ? comment : "");

	return item && json_array_append_new(items, item) == 0 ? 0 : -1;
}

json_t *image_history_json(const struct img_image *im)
{
	json_t *hist = json_object_get(im->config, "history"), *items = json_array();
	size_t n = json_array_size(hist), top = im->n_layers;

	for (size_t i = n; items && i-- > 0;) {
		json_t *h = json_array_get(hist, i);
		long long size = 0, created = 0;
		if (!json_is_true(json_object_get(h, "empty_layer")) && top > 0)
			size = im->layers[--top].size;
		if (img_time_parse(json_string_value(json_object_get(h, "created")) ?: "", &created) < 0)
			created = 0;
		if (add_item(items, im, i == n - 1, created, json_string_value(json_object_get(h, "created_by")), size,
			     json_string_value(json_object_get(h, "comment"))) < 0)
			goto fail;
	}
	while (items && top-- > 0)
		if (add_item(items, im, n == 0 && top == im->n_layers - 1, n ? 0 : im->created, "",
			     im->layers[top].size, "") < 0)
			goto fail;
	return items;
fail:
	json_decref(items);
	return NULL;
}

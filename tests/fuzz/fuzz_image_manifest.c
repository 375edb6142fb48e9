/* The archive documents (runtime/image/manifest.c) and archive path cleaning: the first
 * byte picks the parser (manifest.json, index.json, image manifest, config diff_ids,
 * oci-layout, an archive entry name), the rest is the document.  What parses is written
 * back and must parse again to the same thing. */
#include <string.h>

#include "fuzz.h"
#include "image/archive_stage.h"
#include "image/manifest.h"

static void docker_manifest(const char *s, size_t len)
{
	struct nr_error err = { 0 };
	struct img_docker_manifest m = { 0 }, again = { 0 };
	char *text;
	int r = img_docker_manifest_parse(s, len, &m, &err);

	fuzz_check_error(r, &err);
	if (r < 0)
		return;
	if (!m.n || !m.entries[0].config)
		abort();
	text = img_docker_manifest_write(&m);
	if (!text)
		goto out; /* a string that is not UTF-8 for jansson's writer */
	if (img_docker_manifest_parse(text, strlen(text), &again, &err) < 0 || again.n != m.n)
		abort();
	for (size_t i = 0; i < m.n; i++)
		if (strcmp(again.entries[i].config, m.entries[i].config) != 0 ||
		    again.entries[i].n_layers != m.entries[i].n_layers ||
		    again.entries[i].n_tags != m.entries[i].n_tags ||
		    strcmp(again.entries[i].since_id, m.entries[i].since_id) != 0)
			abort();
	img_docker_manifest_clear(&again);
	free(text);
out:
	img_docker_manifest_clear(&m);
}

static void index_doc(const char *s, size_t len)
{
	struct nr_error err = { 0 };
	struct img_oci_index ix = { 0 }, again = { 0 };
	char *text;
	int r = img_oci_index_parse(s, len, &ix, &err);

	fuzz_check_error(r, &err);
	if (r < 0)
		return;
	for (size_t i = 0; i < ix.n; i++) {
		if (!img_digest_valid(ix.manifests[i].digest))
			abort();
		(void)img_media_type_kind(ix.manifests[i].media_type);
	}
	text = img_oci_index_write(&ix);
	if (text) {
		if (img_oci_index_parse(text, strlen(text), &again, &err) < 0 || again.n != ix.n)
			abort();
		img_oci_index_clear(&again);
		free(text);
	}
	img_oci_index_clear(&ix);
}

static void manifest_doc(const char *s, size_t len)
{
	struct nr_error err = { 0 };
	struct img_oci_manifest m = { 0 }, again = { 0 };
	char *text;
	int r = img_oci_manifest_parse(s, len, &m, &err);

	fuzz_check_error(r, &err);
	if (r < 0)
		return;
	if (!img_digest_valid(m.config.digest))
		abort();
	for (size_t i = 0; i < m.n_layers; i++)
		(void)img_layer_media_type(img_media_type_kind(m.layers[i].media_type));
	text = img_oci_manifest_write(&m);
	if (text) {
		if (img_oci_manifest_parse(text, strlen(text), &again, &err) < 0 || again.n_layers != m.n_layers ||
		    strcmp(again.config.digest, m.config.digest) != 0)
			abort();
		img_oci_manifest_clear(&again);
		free(text);
	}
	img_oci_manifest_clear(&m);
}

static void config_doc(const char *s, size_t len)
{
	struct nr_error err = { 0 };
	img_digest *ids = NULL;
	size_t n = 0;
	int r = img_config_diff_ids(s, len, &ids, &n, &err);

	fuzz_check_error(r, &err);
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (!img_digest_valid(ids[i]))
			abort();
	free(ids);
}

static void path_name(const char *s)
{
	char *c = stage_clean_path(s);

	if (!c)
		return;
	/* Never absolute, never a ".." or "." component, never an empty one. */
	if (!c[0] || c[0] == '/' || c[strlen(c) - 1] == '/' || strstr(c, "//") || strcmp(c, "..") == 0 ||
	    strncmp(c, "../", 3) == 0 || strstr(c, "/../") ||
	    (strlen(c) >= 3 && strcmp(c + strlen(c) - 3, "/..") == 0) || strcmp(c, ".") == 0 ||
	    strncmp(c, "./", 2) == 0 || strstr(c, "/./"))
		abort();
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nr_error err = { 0 };
	char *s;
	int r;

	if (size == 0)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	switch (data[0] % 6) {
	case 0:
		docker_manifest(s, size - 1);
		break;
	case 1:
		index_doc(s, size - 1);
		break;
	case 2:
		manifest_doc(s, size - 1);
		break;
	case 3:
		config_doc(s, size - 1);
		break;
	case 4:
		r = img_oci_layout_parse(s, size - 1, &err);
		fuzz_check_error(r, &err);
		break;
	default:
		path_name(s);
		break;
	}
	free(s);
	return 0;
}

/* img_archive_load on archives made here (libarchive into memory): docker save's legacy
 * and Docker 25 layouts, the OCI layout (names from annotations, a nested index, gzip
 * layers), and hostile ones: wrong digests, truncation, missing blobs, "../" names, a
 * huge manifest, wrong JSON types, schema 1, foreign layers.  Every refusal leaves the
 * store's tree as it was (compared as a listing).  In a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_fixture.h"
#include "engine/rt_error.h"
#include "fixture.h"
#include "image/manifest.h"

static char dir[] = "/tmp/nr-archive-load.XXXXXX";
static struct img_store *st;

static int setup(void **state)
{
	return fx_store_open(dir, "/tmp/nr-archive-load.XXXXXX", &st);
}

static int teardown(void **state)
{
	img_store_close(st);
	st = NULL;
	fixture_rm_tree(dir);
	return 0;
}

/* Load b, expecting a refusal of kind code whose message has want; the store unchanged. */
static void refused(const struct fx_buf *b, int code, const char *want)
{
	struct nr_error err = { 0 };
	struct img_loaded l = { 0 };
	char *before = fx_listing(st), *after;
	int r = fx_load(st, dir, b, &l, &err);

	if (r >= 0 || !strstr(err.msg, want))
		fprintf(stderr, "r=%d msg=%s (wanted '%s')\n", r, err.msg, want);
	assert_true(r < 0);
	assert_int_equal(err.code, code);
	assert_non_null(strstr(err.msg, want));
	after = fx_listing(st);
	if (strcmp(before, after) != 0)
		fprintf(stderr, "before:\n%s\nafter:\n%s\n", before, after);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void loaded_one(const struct fx_buf *b, const char *ref, const char *id)
{
	struct nr_error err = { 0 };
	struct img_loaded l = { 0 };
	int r = fx_load(st, dir, b, &l, &err);

	if (r < 0)
		fprintf(stderr, "load: %s\n", err.msg);
	assert_int_equal(r, 0);
	assert_int_equal(l.n, 1);
	if (ref)
		assert_string_equal(l.refs[0], ref);
	else
		assert_null(l.refs[0]);
	assert_string_equal(l.ids[0], id);
	img_loaded_free(&l);
}

static void test_docker_legacy(void **state)
{
	struct fx_image im;
	struct img_image *got = NULL;
	struct nr_error err = { 0 };
	char cfgname[80], mf[512];
	img_digest junk;

	fx_image_make(&im, 1, NULL, "legacy");
	snprintf(cfgname, sizeof(cfgname), "%s.json", img_digest_hex(im.config_digest));
	snprintf(mf, sizeof(mf), "[{\"Config\":\"%s\",\"RepoTags\":[\"bb:1\"],\"Layers\":[\"abc/layer.tar\"]}]",
		 cfgname);
	struct fx_entry e[] = {
		{ "abc/", NULL, 0, NULL, NULL },
		{ "abc/VERSION", "1.0", 3, NULL, NULL },
		{ "abc/json", "{\"id\":\"abc\"}", 12, NULL, NULL },
		{ "abc/layer.tar", im.layers[0].p, im.layers[0].len, NULL, NULL },
		{ cfgname, im.config, strlen(im.config), NULL, NULL },
		{ "manifest.json", mf, strlen(mf), NULL, NULL },
		{ "repositories", "{\"bb\":{\"1\":\"abc\"}}", 18, NULL, NULL },
	};
	struct fx_buf b = fx_tar(e, 7, 0);

	loaded_one(&b, "docker.io/library/bb:1", im.config_digest);
	assert_int_equal(img_image_find(st, "bb:1", &got, &err), 0);
	assert_int_equal(got->n_layers, 1);
	assert_string_equal(fx_layer_file(st, got->layers[0].chain_id, "f0"), "legacy content 0\n");
	/* The legacy json files were read, not kept. */
	img_digest_buf("{\"id\":\"abc\"}", 12, junk);
	assert_false(img_blob_has(st, junk));
	img_image_free(got);
	free(b.p);
	fx_image_free(&im);
}

static void test_docker25_gzip_layer(void **state)
{
	static const int gz[] = { 0, 1 };
	struct fx_image im;
	struct img_image *got = NULL;
	struct nr_error err = { 0 };

	fx_image_make(&im, 2, gz, "d25");
	struct fx_buf b = fx_docker25(&im, "bb:2", "");

	loaded_one(&b, "docker.io/library/bb:2", im.config_digest);
	assert_int_equal(img_image_find(st, "bb:2", &got, &err), 0);
	assert_int_equal(got->n_layers, 2);
	assert_string_equal(got->layers[1].diff_id, im.diff[1]);
	assert_string_equal(got->layers[1].blob, im.blob[1]);
	assert_string_equal(got->layers[1].media_type, IMG_MT_OCI_LAYER_GZIP);
	assert_string_equal(fx_layer_file(st, got->layers[1].chain_id, "f1"), "d25 content 1\n");
	img_image_free(got);
	/* Loading it again changes nothing and succeeds. */
	char *before = fx_listing(st);
	loaded_one(&b, "docker.io/library/bb:2", im.config_digest);
	char *after = fx_listing(st);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(b.p);
	fx_image_free(&im);
}

static void test_outer_gzip(void **state)
{
	struct fx_image im;
	struct fx_entry e[24];

	fx_image_make(&im, 1, NULL, "outer");
	struct fx_buf inner = fx_docker25(&im, "outer:gz", "");
	/* The same entries, the whole tar gzip'd: rebuild with compression. */
	size_t k = fx_image_blobs(&im, e);
	char mj[512];

	snprintf(mj, sizeof(mj), "[{\"Config\":\"%s\",\"RepoTags\":[\"outer:gz\"],\"Layers\":[\"%s\"]}]",
		 fx_blob_name(im.config_digest), fx_blob_name(im.blob[0]));
	e[k++] = (struct fx_entry){ "manifest.json", mj, strlen(mj), NULL, NULL };
	struct fx_buf b = fx_tar(e, k, 1);

	assert_int_equal((unsigned char)b.p[0], 0x1f);
	loaded_one(&b, "docker.io/library/outer:gz", im.config_digest);
	free(inner.p);
	free(b.p);
	fx_image_free(&im);
}

static struct fx_buf oci_archive(const struct fx_image *im, const char *annotations)
{
	struct fx_entry e[24];
	size_t k = fx_image_blobs(im, e);
	static char ix[2048];

	snprintf(ix, sizeof(ix),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu%s}]}",
		 im->manifest_digest, strlen(im->manifest), annotations);
	e[k++] = (struct fx_entry){ "index.json", ix, strlen(ix), NULL, NULL };
	e[k++] = (struct fx_entry){ "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, NULL, NULL };
	return fx_tar(e, k, 0);
}

static void test_oci_names(void **state)
{
	static const int gz[] = { 1 };
	struct fx_image im;

	fx_image_make(&im, 1, gz, "oci");
	struct fx_buf b1 = oci_archive(&im, ",\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/o:1\","
					    "\"org.opencontainers.image.ref.name\":\"1\"}");
	loaded_one(&b1, "docker.io/library/o:1", im.config_digest);
	struct fx_buf b2 =
		oci_archive(&im, ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"reg.example:5000/t/o:2\"}");
	loaded_one(&b2, "reg.example:5000/t/o:2", im.config_digest);
	/* A tag alone names no repository. */
	struct fx_buf b3 = oci_archive(&im, ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"3\"}");
	loaded_one(&b3, NULL, im.config_digest);
	free(b1.p);
	free(b2.p);
	free(b3.p);
	fx_image_free(&im);
}

static void test_oci_nested_index(void **state)
{
	struct fx_image im;
	struct fx_entry e[24];
	char inner[1024], ix[1024];
	img_digest inner_d;

	fx_image_make(&im, 1, NULL, "nested");
	size_t k = fx_image_blobs(&im, e);
	/* arm64 first (its manifest is not even in the archive), then ours. */
	snprintf(inner, sizeof(inner),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%064d\",\"size\":1,"
		 "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
		 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}",
		 0, im.manifest_digest, strlen(im.manifest));
	img_digest_buf(inner, strlen(inner), inner_d);
	snprintf(ix, sizeof(ix),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		 "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref.name\":\"nested:1\"}}]}",
		 inner_d, strlen(inner));
	e[k++] = (struct fx_entry){ fx_blob_name(inner_d), inner, strlen(inner), NULL, NULL };
	e[k++] = (struct fx_entry){ "index.json", ix, strlen(ix), NULL, NULL };
	e[k++] = (struct fx_entry){ "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, NULL, NULL };
	struct fx_buf b = fx_tar(e, k, 0);

	loaded_one(&b, "docker.io/library/nested:1", im.config_digest);
	free(b.p);
	fx_image_free(&im);
}

static void test_repotags_variants(void **state)
{
	struct fx_image im;
	struct nr_error err = { 0 };
	struct img_loaded l = { 0 };

	fx_image_make(&im, 1, NULL, "tags");
	struct fx_buf b = fx_docker25(&im, "x:2\",\"localhost/foo\",\"docker.io/library/x:2\",\"reg.example:5000/a/b:c",
				      "");

	assert_int_equal(fx_load(st, dir, &b, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.refs[0], "docker.io/library/x:2");
	assert_string_equal(l.refs[1], "localhost/foo:latest");
	assert_string_equal(l.refs[2], "reg.example:5000/a/b:c");
	img_loaded_free(&l);
	free(b.p);
	fx_image_free(&im);
}

/* Old docker save: a layer two images share is written once, the other is a symlink. */
static void test_symlinked_layer(void **state)
{
	struct fx_image a, b2;
	char cfgname_a[80], cfgname_b[80], mf[1024], diff[80];
	struct nr_error err = { 0 };
	struct img_loaded l = { 0 };

	fx_image_make(&a, 1, NULL, "shared");
	fx_image_make(&b2, 1, NULL, "shared");
	/* b2: same layer, another config (another Cmd). */
	free(b2.config);
	snprintf(diff, sizeof(diff), "\"%s\"", a.diff[0]);
	char *c = fx_config(diff);
	c[strlen(c) - 1] = '\0';
	assert_true(asprintf(&b2.config, "%s }", c) > 0);
	free(c);
	img_digest_buf(b2.config, strlen(b2.config), b2.config_digest);
	snprintf(cfgname_a, sizeof(cfgname_a), "%s.json", img_digest_hex(a.config_digest));
	snprintf(cfgname_b, sizeof(cfgname_b), "%s.json", img_digest_hex(b2.config_digest));
	snprintf(mf, sizeof(mf),
		 "[{\"Config\":\"%s\",\"RepoTags\":[\"a:1\"],\"Layers\":[\"l1/layer.tar\"]},"
		 "{\"Config\":\"%s\",\"RepoTags\":[\"b:1\"],\"Layers\":[\"l2/layer.tar\"]}]",
		 cfgname_a, cfgname_b);
	struct fx_entry e[] = {
		{ cfgname_a, a.config, strlen(a.config), NULL, NULL },
		{ cfgname_b, b2.config, strlen(b2.config), NULL, NULL },
		{ "l1/layer.tar", a.layers[0].p, a.layers[0].len, NULL, NULL },
		{ "l2/layer.tar", NULL, 0, "../l1/layer.tar", NULL },
		{ "manifest.json", mf, strlen(mf), NULL, NULL },
	};
	struct fx_buf b = fx_tar(e, 5, 0);

	assert_int_equal(fx_load(st, dir, &b, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.ids[1], b2.config_digest);
	img_loaded_free(&l);
	free(b.p);
	fx_image_free(&a);
	fx_image_free(&b2);
}

/* --- hostile archives --- */

static void test_wrong_layer_digest(void **state)
{
	struct fx_image im, other;

	fx_image_make(&im, 2, NULL, "wrong");
	fx_image_make(&other, 2, NULL, "other");
	/* Layer 1's bytes replaced by another's: its name (and the config) say otherwise. */
	free(im.layers[1].p);
	im.layers[1].p = malloc(other.layers[1].len);
	memcpy(im.layers[1].p, other.layers[1].p, other.layers[1].len);
	struct fx_buf b = fx_docker25(&im, "w:1", "");

	refused(&b, RT_ERR_CORRUPT, "digest mismatch");
	free(b.p);
	fx_image_free(&im);
	fx_image_free(&other);
}

/* docker save's legacy names promise no digest: the config's diff_id is the check. */
static void test_wrong_layer_digest_legacy(void **state)
{
	struct fx_image im;
	char cfgname[80], mf[512];

	fx_image_make(&im, 1, NULL, "legacywrong");
	snprintf(cfgname, sizeof(cfgname), "%s.json", img_digest_hex(im.config_digest));
	snprintf(mf, sizeof(mf), "[{\"Config\":\"%s\",\"RepoTags\":[\"lw:1\"],\"Layers\":[\"abc/layer.tar\"]}]",
		 cfgname);
	struct fx_buf other = fx_layer("f0", "tampered content\n", 0);
	struct fx_entry e[] = {
		{ "abc/layer.tar", other.p, other.len, NULL, NULL },
		{ cfgname, im.config, strlen(im.config), NULL, NULL },
		{ "manifest.json", mf, strlen(mf), NULL, NULL },
	};
	struct fx_buf b = fx_tar(e, 3, 0);
	char want[200];

	snprintf(want, sizeof(want), "layer abc/layer.tar: digest mismatch: expected %s, got sha256:", im.diff[0]);
	refused(&b, RT_ERR_CORRUPT, want);
	free(b.p);
	free(other.p);
	fx_image_free(&im);
}

/* The OCI path: the descriptor's digest is right, the bytes under it are not. */
static void test_wrong_blob_digest_oci(void **state)
{
	struct fx_image im;

	fx_image_make(&im, 1, NULL, "wrongoci");
	strstr(im.config, "[\"sh\"]")[2] = 'X'; /* the config changed after it was named: still valid JSON */
	struct fx_buf b = oci_archive(&im, "");

	refused(&b, RT_ERR_CORRUPT, "digest mismatch: expected");
	free(b.p);
	fx_image_free(&im);
}

/* A layer is unpacked, the next one fails its diff_id: the first goes again. */
static void test_gzip_diff_id_rollback(void **state)
{
	static const int gz[] = { 0, 1 };
	struct fx_image im;
	struct img_loaded l = { 0 };
	struct nr_error err = { 0 };

	/* An image already there shares nothing; it must stay. */
	fx_image_make(&im, 1, NULL, "keep");
	struct fx_buf keep = fx_docker25(&im, "keep:1", "");
	assert_int_equal(fx_load(st, dir, &keep, &l, &err), 0);
	img_loaded_free(&l);
	fx_image_free(&im);

	fx_image_make(&im, 2, gz, "rollback");
	/* The config claims another diff_id for the gzip layer; the manifest names the right blob. */
	char *p = strstr(im.config, im.diff[1]);
	p[7] = p[7] == 'a' ? 'b' : 'a';
	img_digest_buf(im.config, strlen(im.config), im.config_digest);
	struct fx_buf b = fx_docker25(&im, "rb:1", "");

	refused(&b, RT_ERR_CORRUPT, "diff id mismatch");
	free(b.p);
	free(keep.p);
	fx_image_free(&im);
}

static void test_truncated(void **state)
{
	struct fx_image im;
	char big[300000];

	/* A layer large enough to be stored while staging, then the archive cut inside it. */
	fx_image_make(&im, 1, NULL, "trunc");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	free(im.layers[0].p);
	im.layers[0] = fx_layer("big", big, 0);
	fx_digest(&im.layers[0], im.blob[0]);
	struct fx_buf b = fx_docker25(&im, "t:1", "");

	size_t full = b.len;

	b.len = full * 3 / 4; /* inside the big layer */
	refused(&b, RT_ERR_CORRUPT, "truncated");
	b.len = full - 1100; /* after it (stored by then): in the last entry */
	refused(&b, RT_ERR_CORRUPT, "truncated");
	free(b.p);
	fx_image_free(&im);
}

static void test_missing_blob(void **state)
{
	struct fx_image im;
	struct fx_entry e[24];
	char mj[512];

	fx_image_make(&im, 1, NULL, "missing");
	e[0] = (struct fx_entry){ fx_blob_name(im.config_digest), im.config, strlen(im.config), NULL, NULL };
	snprintf(mj, sizeof(mj), "[{\"Config\":\"%s\",\"RepoTags\":[\"m:1\"],\"Layers\":[\"%s\"]}]",
		 fx_blob_name(im.config_digest), fx_blob_name(im.blob[0]));
	e[1] = (struct fx_entry){ "manifest.json", mj, strlen(mj), NULL, NULL };
	struct fx_buf b = fx_tar(e, 2, 0);

	refused(&b, RT_ERR_CORRUPT, "is not in the archive");
	/* And the OCI form: the manifest blob itself absent. */
	struct fx_buf b2 = oci_archive(&im, "");
	/* cut the manifest out: rebuild without it */
	size_t k = fx_image_blobs(&im, e) - 1;
	char ix[512];
	snprintf(ix, sizeof(ix),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
		 IMG_MT_OCI_MANIFEST, im.manifest_digest, strlen(im.manifest));
	e[k++] = (struct fx_entry){ "index.json", ix, strlen(ix), NULL, NULL };
	struct fx_buf b3 = fx_tar(e, k, 0);
	refused(&b3, RT_ERR_CORRUPT, "is not in the archive");
	free(b.p);
	free(b2.p);
	free(b3.p);
	fx_image_free(&im);
}

static void test_dotdot_names(void **state)
{
	struct fx_image im;
	char mj[512], outside[700];

	fx_image_make(&im, 1, NULL, "dotdot");
	snprintf(mj, sizeof(mj), "[{\"Config\":\"%s\",\"RepoTags\":[\"d:1\"],\"Layers\":[\"../evil.tar\"]}]",
		 fx_blob_name(im.config_digest));
	struct fx_entry e[] = {
		{ fx_blob_name(im.config_digest), im.config, strlen(im.config), NULL, NULL },
		{ "../evil.tar", im.layers[0].p, im.layers[0].len, NULL, NULL },
		{ "/abs/evil.tar", im.layers[0].p, im.layers[0].len, NULL, NULL },
		{ "x/../../evil2", "x", 1, NULL, NULL },
		{ "link", NULL, 0, "../../../etc/passwd", NULL },
		{ "manifest.json", mj, strlen(mj), NULL, NULL },
	};
	struct fx_buf b = fx_tar(e, 6, 0);

	refused(&b, RT_ERR_CORRUPT, "layer ../evil.tar (sha256:");
	snprintf(outside, sizeof(outside), "%s/evil.tar", dir);
	assert_int_equal(access(outside, F_OK), -1);
	/* A manifest pointing through a symlink out of the archive finds nothing either. */
	snprintf(mj, sizeof(mj), "[{\"Config\":\"%s\",\"RepoTags\":[\"d:1\"],\"Layers\":[\"link\"]}]",
		 fx_blob_name(im.config_digest));
	e[5].len = strlen(mj);
	struct fx_buf b2 = fx_tar(e, 6, 0);
	refused(&b2, RT_ERR_CORRUPT, "layer link (sha256:");
	free(b.p);
	free(b2.p);
	fx_image_free(&im);
}

static void test_huge_manifest(void **state)
{
	size_t n = (16 << 20) + 10;
	char *mj = malloc(n);

	memset(mj, ' ', n);
	mj[0] = '[';
	mj[n - 1] = ']';
	struct fx_entry e[] = { { "manifest.json", mj, n, NULL, NULL } };
	struct fx_buf b = fx_tar(e, 1, 0);

	refused(&b, RT_ERR_CORRUPT, "more than the");
	free(b.p);
	free(mj);
}

static void test_wrong_types(void **state)
{
	static const struct {
		const char *mj, *want;
	} cases[] = {
		{ "{\"Config\":\"x\"}", "must be an array" },
		{ "[{\"Config\":5}]", "'Config' must be a string" },
		{ "[{\"Config\":\"c\",\"Layers\":\"l\"}]", "'Layers' must be an array of strings" },
		{ "[{\"Config\":\"c\",\"RepoTags\":[1]}]", "'RepoTags' must be an array of strings" },
		{ "[{\"Config\":\"c\",\"Config\":\"d\"}]", "not JSON" },
		{ "[]", "no images" },
		{ "[{\"Config\":\"c\"", "not JSON" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx_entry e[] = { { "manifest.json", cases[i].mj, strlen(cases[i].mj), NULL, NULL } };
		struct fx_buf b = fx_tar(e, 1, 0);

		refused(&b, RT_ERR_CORRUPT, cases[i].want);
		free(b.p);
	}
}

static void test_no_manifest(void **state)
{
	struct fx_entry e[] = { { "hello", "x", 1, NULL, NULL } };
	struct fx_buf b = fx_tar(e, 1, 0);
	struct fx_buf junk = { .p = strdup("this is not a tar archive at all, not even close............"), .len = 60 };

	refused(&b, RT_ERR_CORRUPT, "no manifest.json or index.json");
	refused(&junk, RT_ERR_CORRUPT, "tar");
	free(b.p);
	free(junk.p);
}

static void test_layer_count(void **state)
{
	struct fx_image im;
	char mj[512];

	fx_image_make(&im, 2, NULL, "count");
	/* manifest.json lists one of the two layers the config has. */
	snprintf(mj, sizeof(mj), ",\"Layers\":[\"%s\"]", fx_blob_name(im.blob[0]));
	struct fx_buf b = fx_docker25(&im, "c:1", mj); /* a duplicate key: refused as such */
	refused(&b, RT_ERR_CORRUPT, "not JSON");
	free(b.p);
	im.n = 1; /* write only the first layer into manifest.json */
	b = fx_docker25(&im, "c:1", "");
	refused(&b, RT_ERR_CORRUPT, "more diff_ids than layers");
	im.n = 2;
	free(b.p);
	fx_image_free(&im);
}

static void test_unsupported_media_types(void **state)
{
	struct fx_image im;
	struct fx_entry e[24];
	char ix[512];

	fx_image_make(&im, 1, NULL, "mt");
	size_t k = fx_image_blobs(&im, e);
	snprintf(ix, sizeof(ix),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+prettyjws\","
		 "\"digest\":\"%s\",\"size\":%zu}]}",
		 im.manifest_digest, strlen(im.manifest));
	e[k] = (struct fx_entry){ "index.json", ix, strlen(ix), NULL, NULL };
	struct fx_buf b = fx_tar(e, k + 1, 0);
	refused(&b, RT_ERR_CORRUPT, "schema 1");
	free(b.p);

	/* A foreign layer. */
	char *p = strstr(im.manifest, "application/vnd.oci.image.layer.v1.tar");
	char *m2 = NULL;
	assert_non_null(p);
	assert_true(asprintf(&m2, "%.*sapplication/vnd.docker.image.rootfs.foreign.diff.tar.gzip%s",
			     (int)(p - im.manifest), im.manifest,
			     p + strlen("application/vnd.oci.image.layer.v1.tar")) > 0);
	free(im.manifest);
	im.manifest = m2;
	img_digest_buf(im.manifest, strlen(im.manifest), im.manifest_digest);
	b = oci_archive(&im, "");
	refused(&b, RT_ERR_CORRUPT, "foreign layer");
	free(b.p);
	fx_image_free(&im);
}

/* A diff-only archive (netns-run.since) where the base is not loaded. */
static void test_since_missing_base(void **state)
{
	struct fx_image im;
	char extra[256];
	struct fx_entry e[24];
	char mj[1024];

	fx_image_make(&im, 2, NULL, "since");
	snprintf(extra, sizeof(extra), ",\"netns-run.since\":{\"ref\":\"base:1\",\"id\":\"sha256:%064d\"}", 7);
	/* The archive has layer 1 only. */
	e[0] = (struct fx_entry){ fx_blob_name(im.config_digest), im.config, strlen(im.config), NULL, NULL };
	e[1] = (struct fx_entry){ fx_blob_name(im.blob[1]), im.layers[1].p, im.layers[1].len, NULL, NULL };
	snprintf(mj, sizeof(mj), "[{\"Config\":\"%s\",\"RepoTags\":[\"app:1\"],\"Layers\":[\"%s\",\"%s\"]%s}]",
		 fx_blob_name(im.config_digest), fx_blob_name(im.blob[0]), fx_blob_name(im.blob[1]), extra);
	e[2] = (struct fx_entry){ "manifest.json", mj, strlen(mj), NULL, NULL };
	struct fx_buf b = fx_tar(e, 3, 0);

	refused(&b, RT_ERR_NOT_FOUND, "this archive was saved with --since base:1 (sha256:0000");
	refused(&b, RT_ERR_NOT_FOUND, "is not in this store; load base:1 first");
	free(b.p);
	fx_image_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker_legacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker25_gzip_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outer_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_nested_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repotags_variants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_layer_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_layer_digest_legacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_blob_digest_oci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_diff_id_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_blob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_media_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_since_missing_base, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

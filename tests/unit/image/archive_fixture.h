/* Archives made in C for the archive tests: layer tars and outer tars written with
 * libarchive into memory, a store in a temporary directory, and a listing of the store
 * to show that a refused load left it as it was.  Static inline: only the archive
 * tests include it. */
#ifndef NETNS_RUN_TEST_ARCHIVE_FIXTURE_H
#define NETNS_RUN_TEST_ARCHIVE_FIXTURE_H

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/digest.h"
#include "image/store.h"

struct fx_buf {
	char *p;
	size_t len;
};

struct fx_entry {
	const char *name;
	const void *data; /* NULL with a link */
	size_t len;
	const char *symlink;
	const char *hardlink;
};

/* A tar of entries (gzip when gz). */
/* A fresh store under a new temporary directory made from tmpl ("/tmp/x.XXXXXX",
 * rewritten in dir); -1 on failure. */
static inline int fx_store_open(char *dir, const char *tmpl, struct img_store **ret)
{
	struct nr_error err = { 0 };
	char sd[600];

	strcpy(dir, tmpl);
	if (!mkdtemp(dir))
		return -1;
	snprintf(sd, sizeof(sd), "%s/state", dir);
	mkdir(sd, 0700);
	return img_store_open(sd, IMG_LOCK_EXCLUSIVE, ret, &err) < 0 ? -1 : 0;
}

static inline struct fx_buf fx_tar(const struct fx_entry *e, size_t n, int gz)
{
	size_t cap = 1 << 16;
	struct fx_buf b = { 0 };
	struct archive *a = archive_write_new();

	for (size_t i = 0; i < n; i++)
		cap += e[i].len + 1024;
	b.p = malloc(cap);
	archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_memory(a, b.p, cap, &b.len) != ARCHIVE_OK)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();

		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_mtime(ae, 0, 0);
		if (e[i].symlink) {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].symlink);
			archive_entry_set_perm(ae, 0777);
		} else if (e[i].hardlink) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].hardlink);
			archive_entry_set_perm(ae, 0644);
		} else if (!e[i].data && e[i].name[strlen(e[i].name) - 1] == '/') {
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, 0755);
		} else {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, 0644);
			archive_entry_set_size(ae, e[i].len);
		}
		if (archive_write_header(a, ae) != ARCHIVE_OK)
			abort();
		if (e[i].len && archive_write_data(a, e[i].data, e[i].len) != (la_ssize_t)e[i].len)
			abort();
		archive_entry_free(ae);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_write_free(a);
	return b;
}

/* A one-file layer: NAME with CONTENT. */
static inline struct fx_buf fx_layer(const char *name, const char *content, int gz)
{
	struct fx_entry e = { name, content, strlen(content), NULL, NULL };

	return fx_tar(&e, 1, gz);
}

static inline void fx_digest(const struct fx_buf *b, img_digest ret)
{
	img_digest_buf(b->p, b->len, ret);
}

/* A config with those diff_ids (JSON array text, e.g. "\"sha256:…\",\"sha256:…\""). */
static inline char *fx_config(const char *diff_ids)
{
	char *s = NULL;

	if (asprintf(&s,
		     "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
		     "\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}",
		     diff_ids) < 0)
		abort();
	return s;
}

/* Write b to a file in dir and open it for reading. */
static inline int fx_fd(const char *dir, const struct fx_buf *b)
{
	char path[512];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/archive.tar", dir);
	f = fopen(path, "w");
	if (!f || (b->len && fwrite(b->p, 1, b->len, f) != b->len) || fclose(f) != 0)
		abort();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

/* Load b into st; the result (and err) as img_archive_load left them. */
static inline int fx_load(struct img_store *st, const char *dir, const struct fx_buf *b, struct img_loaded *l,
			  struct nr_error *err)
{
	int fd = fx_fd(dir, b);
	int r = img_archive_load(st, fd, l, err);

	close(fd);
	return r;
}

/* The store's tree (but its tmp/, the scratch area of the open store) as text: names,
 * sizes and modes, sorted by nftw's walk of a tree that is not changing. */
static char *fx_listing_buf;
static size_t fx_listing_len;
static const char *fx_listing_root;

static inline int fx_listing_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	const char *rel = p + strlen(fx_listing_root);
	char line[1024];
	int n;

	if (strncmp(rel, "/tmp", 4) == 0 && (rel[4] == '/' || rel[4] == '\0'))
		return 0;
	if (strcmp(rel, "/lock") == 0)
		return 0;
	n = snprintf(line, sizeof(line), "%s %o %lld\n", rel, sb->st_mode,
		     S_ISREG(sb->st_mode) ? (long long)sb->st_size : 0);
	fx_listing_buf = realloc(fx_listing_buf, fx_listing_len + n + 1);
	memcpy(fx_listing_buf + fx_listing_len, line, n + 1);
	fx_listing_len += n;
	return 0;
}

static inline int fx_cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char *fx_listing(const struct img_store *st)
{
	char *out, *save = NULL, **lines = NULL;
	size_t n = 0, len = 0;

	fx_listing_buf = strdup("");
	fx_listing_len = 0;
	fx_listing_root = img_store_root(st);
	nftw(fx_listing_root, fx_listing_one, 16, FTW_PHYS);
	for (char *l = strtok_r(fx_listing_buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines = realloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = l;
		len += strlen(l) + 1;
	}
	qsort(lines, n, sizeof(*lines), fx_cmp_lines);
	out = calloc(1, len + 1);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	free(lines);
	free(fx_listing_buf);
	fx_listing_buf = NULL;
	return out;
}

/* An image for the tests: n one-file layers (layer i has file "fI" with "content I";
 * gz[i] compresses it), its config, and an OCI manifest naming them. */
struct fx_image {
	size_t n;
	struct fx_buf layers[8];
	img_digest diff[8], blob[8];
	char *config;
	img_digest config_digest;
	char *manifest;
	img_digest manifest_digest;
};

static inline void fx_image_make(struct fx_image *im, size_t n, const int *gz, const char *tagprefix)
{
	char ids[8 * 80] = "", *layers = strdup(""), *tmp;

	memset(im, 0, sizeof(*im));
	im->n = n;
	for (size_t i = 0; i < n; i++) {
		char name[32], content[64];

		snprintf(name, sizeof(name), "f%zu", i);
		snprintf(content, sizeof(content), "%s content %zu\n", tagprefix, i);
		im->layers[i] = fx_layer(name, content, gz && gz[i]);
		fx_digest(&im->layers[i], im->blob[i]);
		if (gz && gz[i]) {
			struct fx_buf plain = fx_layer(name, content, 0);

			fx_digest(&plain, im->diff[i]);
			free(plain.p);
		} else {
			memcpy(im->diff[i], im->blob[i], sizeof(img_digest));
		}
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s\"%s\"", i ? "," : "", im->diff[i]);
		if (asprintf(&tmp,
			     "%s%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\",\"digest\":\"%s\",\"size\":%zu}",
			     layers, i ? "," : "", gz && gz[i] ? "+gzip" : "", im->blob[i], im->layers[i].len) < 0)
			abort();
		free(layers);
		layers = tmp;
	}
	im->config = fx_config(ids);
	img_digest_buf(im->config, strlen(im->config), im->config_digest);
	if (asprintf(&im->manifest,
		     "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		     "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
		     "\"layers\":[%s]}",
		     im->config_digest, strlen(im->config), layers) < 0)
		abort();
	free(layers);
	img_digest_buf(im->manifest, strlen(im->manifest), im->manifest_digest);
}

static inline void fx_image_free(struct fx_image *im)
{
	for (size_t i = 0; i < im->n; i++)
		free(im->layers[i].p);
	free(im->config);
	free(im->manifest);
}

/* "blobs/sha256/HEX" in a static ring of buffers (a test names a few at a time). */
static inline const char *fx_blob_name(const char *digest)
{
	static char ring[16][80];
	static unsigned k;
	char *b = ring[k++ % 16];

	snprintf(b, 80, "blobs/sha256/%s", img_digest_hex(digest));
	return b;
}

/* The entries of the image's blobs (config, layers, manifest) into e; returns the count. */
static inline size_t fx_image_blobs(const struct fx_image *im, struct fx_entry *e)
{
	size_t k = 0;

	e[k++] = (struct fx_entry){ fx_blob_name(im->config_digest), im->config, strlen(im->config), NULL, NULL };
	for (size_t i = 0; i < im->n; i++)
		e[k++] = (struct fx_entry){ fx_blob_name(im->blob[i]), im->layers[i].p, im->layers[i].len, NULL, NULL };
	e[k++] = (struct fx_entry){ fx_blob_name(im->manifest_digest), im->manifest, strlen(im->manifest), NULL, NULL };
	return k;
}

/* Docker 25's layout for im named tag ("bb:1"): blobs, index.json, manifest.json,
 * oci-layout.  mj_extra is spliced into the manifest.json entry (",\"k\":v") or "". */
static inline struct fx_buf fx_docker25(const struct fx_image *im, const char *tag, const char *mj_extra)
{
	struct fx_entry e[24];
	size_t k = fx_image_blobs(im, e);
	char layers[8 * 90] = "";
	static char mj[4096], ix[2048];
	const char *colon = strrchr(tag, ':');

	for (size_t i = 0; i < im->n; i++)
		snprintf(layers + strlen(layers), sizeof(layers) - strlen(layers), "%s\"%s\"", i ? "," : "",
			 fx_blob_name(im->blob[i]));
	snprintf(mj, sizeof(mj), "[{\"Config\":\"%s\",\"RepoTags\":[\"%s\"],\"Layers\":[%s]%s}]",
		 fx_blob_name(im->config_digest), tag, layers, mj_extra);
	snprintf(ix, sizeof(ix),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
		 "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		 "\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/%s\",\"org.opencontainers.image.ref.name\":\"%s\"}}]}",
		 im->manifest_digest, strlen(im->manifest), tag, colon ? colon + 1 : "latest");
	e[k++] = (struct fx_entry){ "index.json", ix, strlen(ix), NULL, NULL };
	e[k++] = (struct fx_entry){ "manifest.json", mj, strlen(mj), NULL, NULL };
	e[k++] = (struct fx_entry){ "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, NULL, NULL };
	return fx_tar(e, k, 0);
}

/* Read a file of a layer the store unpacked. */
static inline char *fx_layer_file(const struct img_store *st, const char *chain_id, const char *name)
{
	char dir[1024], path[1200];
	static char buf[256];
	FILE *f;
	size_t n;

	img_layer_dir(st, chain_id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

#endif

/* img_archive_save: images to one tar on fd, streamed (libarchive writing through a
 * callback; layers copied in 1 MiB chunks, hashed on the way so a damaged store blob is
 * not shipped).  The docker format is the layout Docker 25+ writes, which docker and
 * podman load: manifest.json and repositories for the docker-archive readers, oci-layout
 * and index.json for the OCI ones, every file under blobs/sha256/.  The oci format is
 * the OCI image layout alone.  Deterministic: entries sorted, times 0, owners root, so
 * the same images give the same bytes. */
#include "image/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "base/json_field.h"
#include "engine/rt_error.h"
#include "image/manifest.h"

#define SAVE_CHUNK (1 << 20)

struct save_image {
	struct img_image *im;
	char **tags; /* full references to write, NULL-ended */
	size_t n_tags;
	bool *omit;     /* per layer: left out (--since) */
	char *manifest; /* the OCI manifest we write for it */
	img_digest manifest_digest;
};

/* A file of the archive under blobs/sha256: a store blob, or bytes of ours. */
struct save_blob {
	img_digest digest;
	const char *mem; /* not owned */
	size_t mem_len;
};

struct save {
	const struct img_store *st;
	struct save_image *v;
	size_t n;
	struct save_blob *blobs;
	size_t n_blobs;
	struct img_image *base;
	char *since_ref;
	int fd;
	int write_errno;
};

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

static void save_free(struct save *s)
{
	for (size_t i = 0; i < s->n; i++) {
		img_image_free(s->v[i].im);
		for (size_t k = 0; k < s->v[i].n_tags; k++)
			free(s->v[i].tags[k]);
		free(s->v[i].tags);
		free(s->v[i].omit);
		free(s->v[i].manifest);
	}
	free(s->v);
	free(s->blobs);
	img_image_free(s->base);
	free(s->since_ref);
}

/* The full reference what names, if it is a name of im (saving by name writes that name;
 * by id, none: as docker save). */
static bool name_of(const struct img_image *im, const char *what, char *buf, size_t len)
{
	struct img_ref ref;
	struct nr_error ignored = { 0 };

	if (strncmp(what, "sha256:", 7) == 0 || img_ref_parse(what, &ref, &ignored) < 0 ||
	    img_ref_format(&ref, buf, len) < 0)
		return false;
	for (char **t = im->tags; t && *t; t++)
		if (strcmp(*t, buf) == 0)
			return true;
	return false;
}

static int add_image(struct save *s, const char *what, struct nr_error *err)
{
	struct img_image *im = NULL;
	struct save_image *si = NULL;
	char full[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + IMG_DIGEST_LEN + 4];
	int r;

	if ((r = img_image_find(s->st, what, &im, err)) < 0)
		return r;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].im->id, im->id) == 0) {
			si = &s->v[i];
			img_image_free(im);
			break;
		}
	if (!si) {
		struct save_image *nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

		if (!nv) {
			img_image_free(im);
			return nomem(err);
		}
		s->v = nv;
		si = &s->v[s->n++];
		memset(si, 0, sizeof(*si));
		si->im = im;
		if (!(si->tags = calloc(1, sizeof(*si->tags))) || !(si->omit = calloc(im->n_layers + 1, sizeof(bool))))
			return nomem(err);
	}
	if (!name_of(si->im, what, full, sizeof(full)))
		return 0;
	for (size_t k = 0; k < si->n_tags; k++)
		if (strcmp(si->tags[k], full) == 0)
			return 0;
	char **nt = realloc(si->tags, (si->n_tags + 2) * sizeof(*nt));

	if (!nt)
		return nomem(err);
	si->tags = nt;
	if (!(nt[si->n_tags] = strdup(full)))
		return nomem(err);
	nt[++si->n_tags] = NULL;
	return 0;
}

/* "bb:1" for docker.io/library/bb:1 (what docker writes in RepoTags and prints). */
static void familiar(const char *full, char *buf, size_t len)
{
	struct img_ref ref;
	struct nr_error ignored = { 0 };

	if (img_ref_parse(full, &ref, &ignored) < 0) {
		snprintf(buf, len, "%s", full);
		return;
	}
	if (ref.tag[0])
		snprintf(buf, len, "%s:%s", img_ref_familiar(ref.name), ref.tag);
	else
		snprintf(buf, len, "%s@%s", img_ref_familiar(ref.name), ref.digest);
}

static int set_since(struct save *s, const char *since, struct nr_error *err)
{
	char full[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + IMG_DIGEST_LEN + 4], fam[sizeof(full)];
	int r;

	if ((r = img_image_find(s->st, since, &s->base, err)) < 0)
		return nr_error_wrap(err, r, "--since");
	/* The base as a person would name it to load it first: the name given, else its first. */
	if (name_of(s->base, since, full, sizeof(full)))
		familiar(full, fam, sizeof(fam));
	else if (s->base->tags && s->base->tags[0])
		familiar(s->base->tags[0], fam, sizeof(fam));
	else
		fam[0] = '\0';
	if (!(s->since_ref = strdup(fam)))
		return nomem(err);
	for (size_t i = 0; i < s->n; i++)
		for (size_t l = 0; l < s->v[i].im->n_layers; l++)
			for (size_t b = 0; b < s->base->n_layers; b++)
				if (strcmp(s->v[i].im->layers[l].chain_id, s->base->layers[b].chain_id) == 0)
					s->v[i].omit[l] = true;
	return 0;
}

static int blob_add(struct save *s, const char *digest, const char *mem, size_t len, struct nr_error *err)
{
	struct save_blob *nv;

	for (size_t i = 0; i < s->n_blobs; i++)
		if (strcmp(s->blobs[i].digest, digest) == 0)
			return 0;
	nv = realloc(s->blobs, (s->n_blobs + 1) * sizeof(*nv));
	if (!nv)
		return nomem(err);
	s->blobs = nv;
	memcpy(nv[s->n_blobs].digest, digest, IMG_DIGEST_LEN + 1);
	nv[s->n_blobs].mem = mem;
	nv[s->n_blobs].mem_len = len;
	s->n_blobs++;
	return 0;
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(((const struct save_blob *)a)->digest, ((const struct save_blob *)b)->digest);
}

static long long blob_size(const struct img_store *st, const char *digest)
{
	char path[4096];
	struct stat sb;

	return stat(img_blob_path(st, digest, path, sizeof(path)), &sb) == 0 ? (long long)sb.st_size : -1;
}

static void since_value(const struct save *s, char *buf, size_t len)
{
	if (s->since_ref && s->since_ref[0])
		snprintf(buf, len, "%s@%s", s->since_ref, s->base->id);
	else
		snprintf(buf, len, "%s", s->base->id);
}

/* Each image's OCI manifest (made here, so the archive does not depend on which form
 * the store kept), and the list of blobs to write. */
static int plan_blobs(struct save *s, struct nr_error *err)
{
	for (size_t i = 0; i < s->n; i++) {
		struct save_image *si = &s->v[i];
		struct img_oci_manifest m = { 0 };
		int r;

		m.config.media_type = (char *)IMG_MT_OCI_CONFIG;
		memcpy(m.config.digest, si->im->id, IMG_DIGEST_LEN + 1);
		if ((m.config.size = blob_size(s->st, si->im->id)) < 0)
			return nr_error_set(err, RT_ERR_CORRUPT, ENOENT, "image %s: its config is not in the store",
					    si->im->id);
		if (!(m.layers = calloc(si->im->n_layers + 1, sizeof(*m.layers))))
			return nomem(err);
		m.n_layers = si->im->n_layers;
		for (size_t l = 0; l < si->im->n_layers; l++) {
			const struct img_layer *ly = &si->im->layers[l];

			m.layers[l].media_type = (char *)(ly->media_type[0] ? ly->media_type : IMG_MT_OCI_LAYER);
			memcpy(m.layers[l].digest, ly->blob, IMG_DIGEST_LEN + 1);
			m.layers[l].size = blob_size(s->st, ly->blob);
			if (m.layers[l].size < 0 && !si->omit[l]) {
				free(m.layers);
				return nr_error_set(err, RT_ERR_CORRUPT, ENOENT,
						    "image %s: layer blob %s is not in the store", si->im->id,
						    ly->blob);
			}
		}
		si->manifest = img_oci_manifest_write(&m);
		free(m.layers);
		if (!si->manifest)
			return nomem(err);
		img_digest_buf(si->manifest, strlen(si->manifest), si->manifest_digest);
		if ((r = blob_add(s, si->im->id, NULL, 0, err)) < 0 ||
		    (r = blob_add(s, si->manifest_digest, si->manifest, strlen(si->manifest), err)) < 0)
			return r;
		for (size_t l = 0; l < si->im->n_layers; l++)
			if (!si->omit[l] && (r = blob_add(s, si->im->layers[l].blob, NULL, 0, err)) < 0)
				return r;
	}
	qsort(s->blobs, s->n_blobs, sizeof(*s->blobs), cmp_blob);
	return 0;
}

static char *index_text(const struct save *s)
{
	struct img_oci_index ix = { 0 };
	char since[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + 2 * IMG_DIGEST_LEN] = "";
	size_t n = 0;
	char *text = NULL;

	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].n_tags ? s->v[i].n_tags : 1;
	if (!(ix.manifests = calloc(n + 1, sizeof(*ix.manifests))))
		return NULL;
	if (s->base)
		since_value(s, since, sizeof(since));
	/* One descriptor per name, as Docker 25 writes (an unnamed image gets one too). */
	for (size_t i = 0; i < s->n; i++) {
		const struct save_image *si = &s->v[i];

		for (size_t k = 0; k < (si->n_tags ? si->n_tags : 1); k++) {
			struct img_desc *d = &ix.manifests[ix.n++];
			struct img_ref ref;
			struct nr_error ignored = { 0 };

			d->media_type = (char *)IMG_MT_OCI_MANIFEST;
			memcpy(d->digest, si->manifest_digest, IMG_DIGEST_LEN + 1);
			d->size = strlen(si->manifest);
			d->since = s->base ? since : NULL;
			if (si->n_tags && img_ref_parse(si->tags[k], &ref, &ignored) >= 0) {
				d->image_name = si->tags[k];
				d->ref_name = ref.tag[0] ? strdup(ref.tag) : NULL;
			}
		}
	}
	text = img_oci_index_write(&ix);
	for (size_t i = 0; i < ix.n; i++)
		free(ix.manifests[i].ref_name);
	free(ix.manifests);
	return text;
}

static char *manifest_json_text(const struct save *s)
{
	struct img_docker_manifest m = { 0 };
	char *text = NULL;
	bool ok = true;

	if (!(m.entries = calloc(s->n + 1, sizeof(*m.entries))))
		return NULL;
	m.n = s->n;
	for (size_t i = 0; i < s->n && ok; i++) {
		const struct save_image *si = &s->v[i];
		struct img_docker_entry *e = &m.entries[i];

		ok = asprintf(&e->config, "blobs/sha256/%s", img_digest_hex(si->im->id)) >= 0;
		e->repo_tags = calloc(si->n_tags + 1, sizeof(char *));
		e->layers = calloc(si->im->n_layers + 1, sizeof(char *));
		ok = ok && e->repo_tags && e->layers;
		for (size_t k = 0; ok && k < si->n_tags; k++) {
			char fam[IMG_REF_NAME_MAX + IMG_REF_TAG_MAX + IMG_DIGEST_LEN + 4];

			familiar(si->tags[k], fam, sizeof(fam));
			ok = (e->repo_tags[k] = strdup(fam)) != NULL;
			e->n_tags = k + 1;
		}
		for (size_t l = 0; ok && l < si->im->n_layers; l++) {
			ok = asprintf(&e->layers[l], "blobs/sha256/%s", img_digest_hex(si->im->layers[l].blob)) >= 0;
			if (!ok)
				e->layers[l] = NULL;
			e->n_layers = l + 1;
		}
		if (ok && s->base) {
			memcpy(e->since_id, s->base->id, IMG_DIGEST_LEN + 1);
			ok = (e->since_ref = strdup(s->since_ref)) != NULL;
		}
	}
	if (ok)
		text = img_docker_manifest_write(&m);
	img_docker_manifest_clear(&m);
	return text;
}

/* {"bb":{"1":"<top layer>"}}: the legacy file old docker load reads. */
static char *repositories_text(const struct save *s)
{
	_cleanup_json_ json_t *doc = json_object();

	for (size_t i = 0; doc && i < s->n; i++) {
		const struct save_image *si = &s->v[i];

		for (size_t k = 0; k < si->n_tags && si->im->n_layers; k++) {
			struct img_ref ref;
			struct nr_error ignored = { 0 };
			const char *name;
			json_t *repo;

			if (img_ref_parse(si->tags[k], &ref, &ignored) < 0 || !ref.tag[0])
				continue;
			name = img_ref_familiar(ref.name);
			repo = json_object_get(doc, name);
			if (!repo && json_object_set_new(doc, name, repo = json_object()) < 0)
				return NULL;
			json_object_set_new(repo, ref.tag,
					    json_string(img_digest_hex(si->im->layers[si->im->n_layers - 1].blob)));
		}
	}
	return doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static la_ssize_t write_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct save *s = arg;
	int r = fd_write_all(s->fd, buf, len);

	if (r < 0) {
		s->write_errno = -r;
		archive_set_error(a, -r, "writing the archive: %s", strerror(-r));
		return -1;
	}
	return len;
}

static int archive_fail(struct save *s, struct archive *a, const char *what, struct nr_error *err)
{
	if (s->write_errno)
		return nr_error_set(err, RT_ERR_SYSTEM, s->write_errno, "writing the archive: %s",
				    strerror(s->write_errno));
	return nr_error_set(err, RT_ERR_SYSTEM, EIO, "writing the archive (%s): %s", what,
			    archive_error_string(a) ? archive_error_string(a) : "error");
}

static int put_header(struct save *s, struct archive *a, const char *name, bool dir, long long size,
		      struct nr_error *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (!e)
		return nomem(err);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	archive_entry_set_size(e, dir ? 0 : size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : archive_fail(s, a, name, err);
}

static int put_mem(struct save *s, struct archive *a, const char *name, const char *buf, size_t len,
		   struct nr_error *err)
{
	int r;

	if ((r = put_header(s, a, name, false, len, err)) < 0)
		return r;
	if (len && archive_write_data(a, buf, len) != (la_ssize_t)len)
		return archive_fail(s, a, name, err);
	return 0;
}

/* A store blob, streamed; its digest checked as it goes (a damaged blob fails the save
 * rather than reaching another machine). */
static int put_store_blob(struct save *s, struct archive *a, const char *name, const char *digest, struct nr_error *err)
{
	char path[4096];
	_cleanup_close_ int fd = open(img_blob_path(s->st, digest, path, sizeof(path)), O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct img_hasher h;
	img_digest got;
	struct stat sb;
	long long left;
	int r;

	if (fd < 0 || fstat(fd, &sb) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "reading blob %s: %m", digest);
	if (!(buf = malloc(SAVE_CHUNK)))
		return nomem(err);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((r = put_header(s, a, name, false, sb.st_size, err)) < 0)
		return r;
	img_hasher_init(&h);
	for (left = sb.st_size; left > 0;) {
		ssize_t n = read(fd, buf, left < SAVE_CHUNK ? left : SAVE_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return nr_error_set(err, RT_ERR_SYSTEM, n < 0 ? errno : EIO, "reading blob %s: %s", digest,
					    n < 0 ? strerror(errno) : "it shrank");
		img_hasher_update(&h, buf, n);
		if (archive_write_data(a, buf, n) != n)
			return archive_fail(s, a, name, err);
		left -= n;
	}
	img_hasher_final(&h, got);
	if (strcmp(got, digest) != 0)
		return nr_error_set(err, RT_ERR_CORRUPT, EBADMSG, "blob %s in the store is damaged (its digest is %s)",
				    digest, got);
	return 0;
}

static int write_all(struct save *s, enum img_archive_format format, struct nr_error *err)
{
	_cleanup_free_ char *index = index_text(s);
	_cleanup_free_ char *mj = format == IMG_ARCHIVE_DOCKER ? manifest_json_text(s) : NULL;
	_cleanup_free_ char *repos = format == IMG_ARCHIVE_DOCKER ? repositories_text(s) : NULL;
	struct archive *a;
	int r = 0;

	if (!index || (format == IMG_ARCHIVE_DOCKER && (!mj || !repos)))
		return nomem(err);
	if (!(a = archive_write_new()))
		return nomem(err);
	/* pax only where ustar cannot say it (a layer over 8 GiB): what Docker's readers expect. */
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_none(a);
	archive_write_set_bytes_per_block(a, 10240);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open(a, s, NULL, write_cb, NULL) != ARCHIVE_OK) {
		r = archive_fail(s, a, "open", err);
		goto out;
	}
	/* Sorted: "blobs/…" < "index.json" < "manifest.json" < "oci-layout" < "repositories". */
	if ((r = put_header(s, a, "blobs/", true, 0, err)) < 0 ||
	    (r = put_header(s, a, "blobs/sha256/", true, 0, err)) < 0)
		goto out;
	for (size_t i = 0; i < s->n_blobs; i++) {
		char name[32 + IMG_DIGEST_HEX];

		snprintf(name, sizeof(name), "blobs/sha256/%s", img_digest_hex(s->blobs[i].digest));
		r = s->blobs[i].mem ? put_mem(s, a, name, s->blobs[i].mem, s->blobs[i].mem_len, err)
				    : put_store_blob(s, a, name, s->blobs[i].digest, err);
		if (r < 0)
			goto out;
	}
	if ((r = put_mem(s, a, "index.json", index, strlen(index), err)) < 0)
		goto out;
	if (mj && (r = put_mem(s, a, "manifest.json", mj, strlen(mj), err)) < 0)
		goto out;
	if ((r = put_mem(s, a, "oci-layout", img_oci_layout_text(), strlen(img_oci_layout_text()), err)) < 0)
		goto out;
	if (repos && (r = put_mem(s, a, "repositories", repos, strlen(repos), err)) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK)
		r = archive_fail(s, a, "close", err);
out:
	archive_write_free(a);
	return r;
}

int img_archive_save(const struct img_store *st, const char *const *what, size_t n, enum img_archive_format format,
		     const char *since, int fd, struct nr_error *err)
{
	struct save s = { .st = st, .fd = fd };
	int r = 0;

	if (n == 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "save: no image named");
	if (format != IMG_ARCHIVE_DOCKER && format != IMG_ARCHIVE_OCI)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "save: unknown archive format");
	for (size_t i = 0; i < n && r >= 0; i++)
		r = add_image(&s, what[i], err);
	if (r >= 0 && since)
		r = set_since(&s, since, err);
	if (r >= 0)
		r = plan_blobs(&s, err);
	if (r >= 0)
		r = write_all(&s, format, err);
	save_free(&s);
	return r;
}

#include "image/archive_stage.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "image/manifest.h"

/* Entries up to this size stay in memory (configs, manifests, Docker's legacy json and
 * VERSION files: most are never stored); larger ones go straight into the store. */
#define STAGE_SMALL (256 << 10)
/* All in-memory entries together; beyond it, even small entries are stored. */
#define STAGE_MEM_MAX (64 << 20)
#define STAGE_CHUNK (1 << 20)
#define STAGE_MAX_ENTRIES 65536

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

/* Clean a relative path: empty and "." components dropped; ".." pops one when
 * allow_up (a link target) and is refused when not; an absolute path or one that leaves
 * the top gives NULL.  base, when given, is the directory the path is relative to. */
static char *clean(const char *base, const char *path, bool allow_up)
{
	size_t len = (base ? strlen(base) + 1 : 0) + strlen(path) + 1;
	_cleanup_free_ char *in = malloc(len);
	char *out, *save = NULL;
	size_t o = 0;

	if (!in || path[0] == '/')
		return NULL;
	snprintf(in, len, "%s%s%s", base ? base : "", base && base[0] ? "/" : "", path);
	out = malloc(len);
	if (!out)
		return NULL;
	for (char *c = strtok_r(in, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (!allow_up || o == 0) {
				free(out);
				return NULL;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before the popped component */
			continue;
		}
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, strlen(c));
		o += strlen(c);
	}
	out[o] = '\0';
	if (o == 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *stage_clean_path(const char *path)
{
	return path ? clean(NULL, path, false) : NULL;
}

static void closedirp_(DIR **d)
{
	if (*d)
		closedir(*d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The store's blobs before the load: what a rollback must leave. */
static int snapshot(struct stage *s, struct nr_error *err)
{
	char path[4096];
	_cleanup_(closedirp_) DIR *d = NULL;
	struct dirent *de;
	size_t cap = 0;

	snprintf(path, sizeof(path), "%s/blobs/sha256", img_store_root(s->st));
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "reading %s: %m", path);
	}
	while ((de = readdir(d))) {
		if (strlen(de->d_name) != IMG_DIGEST_HEX)
			continue;
		if (s->n_before == cap) {
			char **nv = realloc(s->before, (cap = cap ? 2 * cap : 64) * sizeof(*nv));

			if (!nv)
				return nomem(err);
			s->before = nv;
		}
		if (!(s->before[s->n_before] = strdup(de->d_name)))
			return nomem(err);
		s->n_before++;
	}
	if (s->n_before) /* qsort wants a non-NULL base even for nothing */
		qsort(s->before, s->n_before, sizeof(*s->before), cmp_str);
	return 0;
}

bool stage_blob_was_there(const struct stage *s, const char *digest)
{
	const char *hex = img_digest_hex(digest);

	return s->n_before && bsearch(&hex, s->before, s->n_before, sizeof(*s->before), cmp_str);
}

int stage_note_new_blob(struct stage *s, const char *digest)
{
	img_digest *nv;

	if (stage_blob_was_there(s, digest))
		return 0;
	for (size_t i = 0; i < s->n_new_blobs; i++)
		if (strcmp(s->new_blobs[i], digest) == 0)
			return 0;
	nv = realloc(s->new_blobs, (s->n_new_blobs + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	s->new_blobs = nv;
	memcpy(s->new_blobs[s->n_new_blobs++], digest, IMG_DIGEST_LEN + 1);
	return 0;
}

void stage_blob_remove(struct stage *s, const char *digest)
{
	char path[4096];

	if (img_blob_path(s->st, digest, path, sizeof(path)))
		unlink(path);
}

static struct staged *add_entry(struct stage *s, const char *name, struct nr_error *err)
{
	struct staged *e;

	if (s->n == STAGE_MAX_ENTRIES) {
		nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "archive: more than %d entries", STAGE_MAX_ENTRIES);
		return NULL;
	}
	if (s->n == s->cap) {
		struct staged *nv = realloc(s->v, (s->cap = s->cap ? 2 * s->cap : 32) * sizeof(*nv));

		if (!nv) {
			nomem(err);
			return NULL;
		}
		s->v = nv;
	}
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	if (!(e->name = strdup(name))) {
		nomem(err);
		return NULL;
	}
	s->n++;
	return e;
}

static void magic_take(struct staged *e, const void *buf, size_t len)
{
	size_t k = sizeof(e->magic) - e->n_magic;

	if (k > len)
		k = len;
	memcpy(e->magic + e->n_magic, buf, k);
	e->n_magic += k;
}

/* Pass the bytes of the current entry, in order, to fn.  archive_read_data_block hands
 * out libarchive's own buffer (no copy); a sparse entry's holes come as gaps in the
 * offsets and are passed as zeros. */
static int entry_bytes(struct archive *a, const char *name, int (*fn)(void *arg, const void *buf, size_t len),
		       void *arg, struct nr_error *err)
{
	static const char zeros[4096];
	long long want = 0;

	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &len, &off);

		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return nr_error_set(err, RT_ERR_CORRUPT, EIO, "archive truncated or damaged at '%.200s': %s",
					    name, archive_error_string(a) ? archive_error_string(a) : "read error");
		while (want < off) {
			size_t z = off - want < (la_int64_t)sizeof(zeros) ? (size_t)(off - want) : sizeof(zeros);

			if ((r = fn(arg, zeros, z)) < 0)
				return r;
			want += z;
		}
		if (len && (r = fn(arg, buf, len)) < 0)
			return r;
		want += len;
	}
}

struct mem_sink {
	struct staged *e;
	size_t cap;
	struct nr_error *err;
};

static int mem_write(void *arg, const void *buf, size_t len)
{
	struct mem_sink *m = arg;
	struct staged *e = m->e;

	if ((size_t)e->size + len + 1 > m->cap)
		return nr_error_set(m->err, RT_ERR_CORRUPT, E2BIG,
				    "archive: entry '%.200s' is larger than its header says", e->name);
	memcpy(e->buf + e->size, buf, len);
	e->size += len;
	return 0;
}

struct blob_sink {
	struct staged *e;
	struct img_blob_writer *w;
	struct nr_error *err;
};

static int blob_write(void *arg, const void *buf, size_t len)
{
	struct blob_sink *b = arg;

	magic_take(b->e, buf, len);
	b->e->size += len;
	return img_blob_write(b->w, buf, len, b->err);
}

static bool is_metadata(const char *name)
{
	return strcmp(name, "manifest.json") == 0 || strcmp(name, "index.json") == 0 ||
	       strcmp(name, "oci-layout") == 0 || strcmp(name, "repositories") == 0;
}

static int stage_regular(struct stage *s, struct archive *a, struct archive_entry *ae, const char *name,
			 struct nr_error *err)
{
	long long size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : -1;
	struct staged *e;
	int r;

	if (is_metadata(name) && (size < 0 || size > IMG_MANIFEST_MAX_BYTES))
		return nr_error_set(err, RT_ERR_CORRUPT, E2BIG, "archive: %s is %lld bytes, more than the %d allowed",
				    name, size, IMG_MANIFEST_MAX_BYTES);
	if (!(e = add_entry(s, name, err)))
		return -ENOMEM;
	if (size >= 0 && (is_metadata(name) || (size <= STAGE_SMALL && s->mem + size <= STAGE_MEM_MAX))) {
		struct mem_sink m = { .e = e, .cap = size + 1, .err = err };

		if (!(e->buf = malloc(m.cap)))
			return nomem(err);
		s->mem += m.cap;
		if ((r = entry_bytes(a, name, mem_write, &m, err)) < 0)
			return r;
		e->buf[e->size] = '\0';
		magic_take(e, e->buf, e->size);
		img_digest_buf(e->buf, e->size, e->digest);
		return 0;
	}
	struct blob_sink b = { .e = e, .err = err };

	if ((r = img_blob_begin(s->st, &b.w, err)) < 0)
		return r;
	if ((r = entry_bytes(a, name, blob_write, &b, err)) < 0) {
		img_blob_abort(b.w);
		return r;
	}
	if ((r = img_blob_commit(b.w, NULL, e->digest, err)) < 0)
		return r;
	e->stored = true;
	if (stage_note_new_blob(s, e->digest) < 0)
		return nomem(err);
	return 0;
}

static int stage_link(struct stage *s, const char *name, const char *target, bool hard, struct nr_error *err)
{
	_cleanup_free_ char *dir = strdup(name);
	char *slash;
	struct staged *e;

	if (!dir)
		return nomem(err);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	/* A hard link names a path of the archive; a symbolic one is relative to its directory
	 * (docker save's "../<id>/layer.tar" for a layer two images share). */
	_cleanup_free_ char *to = clean(hard ? NULL : dir, target, !hard);
	if (!to)
		return 0; /* it leads out of the archive: not staged, so whatever names it is missing */
	if (!(e = add_entry(s, name, err)))
		return -ENOMEM;
	e->link = TAKE_PTR(to);
	return 0;
}

int stage_read(struct stage *s, struct img_store *st, int fd, struct nr_error *err)
{
	struct archive *a;
	struct archive_entry *ae;
	int r;

	memset(s, 0, sizeof(*s));
	s->st = st;
	if ((r = snapshot(s, err)) < 0)
		return r;
	a = archive_read_new();
	if (!a)
		return nomem(err);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, STAGE_CHUNK) != ARCHIVE_OK) {
		r = nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "not a tar archive: %s",
				 archive_error_string(a) ? archive_error_string(a) : "unreadable");
		goto out;
	}
	for (;;) {
		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			r = nr_error_set(err, RT_ERR_CORRUPT, EIO, "%s: %s",
					 s->n ? "archive truncated or damaged" : "not a tar archive",
					 archive_error_string(a) ? archive_error_string(a) : "read error");
			goto out;
		}
		_cleanup_free_ char *name = stage_clean_path(archive_entry_pathname(ae));

		r = 0;
		if (!name)
			continue; /* absolute, "..": never staged, so never found */
		if (archive_entry_hardlink(ae))
			r = stage_link(s, name, archive_entry_hardlink(ae), true, err);
		else if (archive_entry_filetype(ae) == AE_IFLNK && archive_entry_symlink(ae))
			r = stage_link(s, name, archive_entry_symlink(ae), false, err);
		else if (archive_entry_filetype(ae) == AE_IFREG)
			r = stage_regular(s, a, ae, name, err);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	archive_read_free(a);
	return r;
}

void stage_free(struct stage *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].link);
		free(s->v[i].buf);
	}
	free(s->v);
	for (size_t i = 0; i < s->n_before; i++)
		free(s->before[i]);
	free(s->before);
	free(s->new_blobs);
	memset(s, 0, sizeof(*s));
}

struct staged *stage_find(struct stage *s, const char *path)
{
	_cleanup_free_ char *name = stage_clean_path(path);

	if (!name)
		return NULL;
	for (int depth = 0; depth < 16; depth++) {
		struct staged *e = NULL;

		/* The last entry of a name wins, as tar -x would leave it. */
		for (size_t i = s->n; i-- > 0;)
			if (strcmp(s->v[i].name, name) == 0) {
				e = &s->v[i];
				break;
			}
		if (!e || !e->link)
			return e;
		free(name);
		if (!(name = strdup(e->link)))
			return NULL;
	}
	return NULL; /* a loop of links */
}

int stage_content(struct stage *s, struct staged *e, size_t max, char **ret_buf, size_t *ret_len, struct nr_error *err)
{
	if (e->size > (long long)max)
		return nr_error_set(err, RT_ERR_CORRUPT, E2BIG,
				    "archive: '%.200s' is %lld bytes, more than the %zu allowed", e->name, e->size,
				    max);
	if (e->buf) {
		char *c = malloc(e->size + 1);

		if (!c)
			return nomem(err);
		memcpy(c, e->buf, e->size + 1);
		*ret_buf = c;
		*ret_len = e->size;
		return 0;
	}
	return img_blob_read(s->st, e->digest, ret_buf, ret_len, err);
}

int stage_store(struct stage *s, struct staged *e, struct nr_error *err)
{
	img_digest d;
	int r;

	if (e->stored)
		return 0;
	if ((r = img_blob_put(s->st, e->buf, e->size, d, err)) < 0)
		return r;
	if (strcmp(d, e->digest) != 0) /* the store hashed other bytes than we did: a bug, not the archive */
		return nr_error_set(err, RT_ERR_SYSTEM, EIO, "archive: '%.200s': stored as %s, hashed as %s", e->name,
				    d, e->digest);
	e->stored = true;
	if (stage_note_new_blob(s, e->digest) < 0)
		return nomem(err);
	return 0;
}

enum stage_comp stage_compression(const struct staged *e)
{
	static const unsigned char gz[] = { 0x1f, 0x8b }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
				   xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 }, bz[] = { 'B', 'Z', 'h' };

	if (e->n_magic >= sizeof(gz) && memcmp(e->magic, gz, sizeof(gz)) == 0)
		return STAGE_GZIP;
	if (e->n_magic >= sizeof(zst) && memcmp(e->magic, zst, sizeof(zst)) == 0)
		return STAGE_ZSTD;
	if ((e->n_magic >= sizeof(xz) && memcmp(e->magic, xz, sizeof(xz)) == 0) ||
	    (e->n_magic >= sizeof(bz) && memcmp(e->magic, bz, sizeof(bz)) == 0))
		return STAGE_OTHER;
	return STAGE_PLAIN;
}

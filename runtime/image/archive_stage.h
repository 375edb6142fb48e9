/* Loading an archive, first half (archive_stage.c): the outer tar read once, each regular
 * file hashed as it is copied, small ones kept in memory and large ones written straight
 * into the store as blobs.  Entry names are never used as file names: they only key
 * this table.  What the load adds to the store is recorded so that a failure can take
 * back exactly that (archive_load.c). */
#ifndef NETNS_RUN_IMG_ARCHIVE_STAGE_H
#define NETNS_RUN_IMG_ARCHIVE_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "image/digest.h"
#include "image/store.h"

/* Compression of a blob as its first bytes say. */
enum stage_comp { STAGE_PLAIN, STAGE_GZIP, STAGE_ZSTD, STAGE_OTHER };

struct staged {
	char *name; /* the entry's path, cleaned ("./a//b" is "a/b") */
	char *link; /* a symbolic or hard link: the (cleaned) path it names; else NULL */
	img_digest digest;
	long long size;
	unsigned char magic[6];
	size_t n_magic;
	char *buf;   /* a small entry's bytes (NUL-terminated), or NULL: stored as a blob */
	bool stored; /* in the store as blob `digest` */
};

struct stage {
	struct img_store *st;
	struct staged *v;
	size_t n, cap;
	size_t mem; /* bytes held in memory */
	/* Blobs of the store before the load (sorted hex), and what the load added since. */
	char **before;
	size_t n_before;
	img_digest *new_blobs;
	size_t n_new_blobs;
};

/* Read the whole archive on fd into s.  RT_ERR_CORRUPT for a truncated or damaged one. */
int stage_read(struct stage *s, struct img_store *st, int fd, struct nr_error *err);
void stage_free(struct stage *s);

/* The entry at path (cleaned; links followed), or NULL. */
struct staged *stage_find(struct stage *s, const char *path);
/* A path as an archive names it, cleaned; NULL when it is empty or leaves the archive. */
char *stage_clean_path(const char *path);
/* An entry's bytes (from memory or the store, digest checked); at most max. */
int stage_content(struct stage *s, struct staged *e, size_t max, char **ret_buf, size_t *ret_len, struct nr_error *err);
/* Put an in-memory entry into the store (a no-op when it is there). */
int stage_store(struct stage *s, struct staged *e, struct nr_error *err);
enum stage_comp stage_compression(const struct staged *e);

/* Whether the store had this blob before the load. */
bool stage_blob_was_there(const struct stage *s, const char *digest);
/* Remember a blob this load added (for rollback). */
int stage_note_new_blob(struct stage *s, const char *digest);
/* Remove the blob from the store (rollback, or an archive file nothing uses). */
void stage_blob_remove(struct stage *s, const char *digest);

#endif

/* The image store's insides, shared by its files (store*.c, derive.c); not part of the
 * library's contract.  docs/images.md describes the layout. */
#ifndef NETNS_RUN_IMG_STORE_INT_H
#define NETNS_RUN_IMG_STORE_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/rt_error.h"
#include "image/store.h"

struct img_store {
	char root[PATH_MAX]; /* <state_dir>/images */
	enum img_lock mode;
	int lock_fd; /* images/lock, flock'd as mode says */
	/* tmp/w-XXXXXX/: this opening's private scratch directory, made on first use.  Its
	 * file "lock" stays flock'd while the store is open, which is how gc tells a live
	 * writer's partial files from a dead one's. */
	char tmp_dir[PATH_MAX];
	int tmp_lock_fd;
	unsigned tmp_seq; /* names files inside tmp_dir */
	/* Set by a load for its staging and unpacking: blobs are committed without their
	 * own fsync, and the load calls img_store_syncfs once before anything (a layer's
	 * name in layers/, an image record) refers to them.  docs/images-perf.md. */
	bool defer_sync;
};

/* A fresh path inside this opening's scratch directory (made on first use): "<tmp>/<what>-N". */
int img_tmp_path(struct img_store *st, const char *what, char *buf, size_t len, struct nr_error *err);

/* Write a record file (repositories.json, an image record) atomically through tmp/. */
int img_store_write_record(struct img_store *st, const char *path, const char *text, struct nr_error *err);

/* Records (image records, repositories.json) change only under the exclusive lock. */
int img_store_need_writer(const struct img_store *st, const char *what, struct nr_error *err);

/* --- store_fs.c: file system helpers --- */
/* Write buf to the file tmp (on path's file system), fsync it, rename(2) it to path. */
int img_fs_write_atomic(const char *tmp, const char *path, const void *buf, size_t len);
/* fsync a directory (after a rename into it). */
int img_fs_sync_dir(const char *dir);
/* Remove a tree (a layer's diff/ with whiteout devices, dirs without write permission),
 * never crossing into another mount; an absent path is success.  bytes (may be NULL)
 * grows by the regular files' sizes. */
int img_fs_rm_tree(const char *path, long long *bytes);
/* Read a whole (small) file into a NUL-terminated buffer. */
int img_fs_read(const char *path, size_t max, char **ret_buf, size_t *ret_len);

/* --- store_unpack.c: img_layer_add in steps, for a load (one sync for all its layers) --- */
/* The layer unpacked into tmp (a path from img_tmp_path, not yet there; removed again on
 * failure) with its layer.json; nothing synced, nothing published.  The parent chain is
 * not checked.  plain: the blob is an uncompressed tar this process has just stored (and
 * so hashed): when expect_diff_id is the blob's digest, the stream is not hashed a second
 * time.  Changes nothing in st: a load runs several at once, on threads. */
int img_layer_unpack_tmp(const struct img_store *st, const char *tmp, const char *parent_chain, const char *blob,
			 const char *media_type, const char *expect_diff_id, bool plain, struct img_layer *ret,
			 struct nr_error *err);
/* Rename tmp (from img_layer_unpack_tmp, synced since) to layers/HEX; one already there
 * (another writer's, the same content) wins and tmp goes.  The caller fsyncs layers/. */
int img_layer_publish(struct img_store *st, const char *tmp, const char *chain_id, struct nr_error *err);
/* syncfs(2) of the store's file system. */
int img_store_syncfs(struct img_store *st, struct nr_error *err);

/* --- store_layer.c --- */
/* Fill l from layers/HEX/layer.json (chain_id, diff_id, size; blob and media type as
 * recorded at unpack time). */
int img_layer_load(const struct img_store *st, const char *chain_id, struct img_layer *l, struct nr_error *err);
/* Make a layer's directory vanish (rename into tmp/, then remove it). */
int img_layer_delete(struct img_store *st, const char *chain_id, long long *bytes, struct nr_error *err);

/* --- store_image.c --- */
/* The ids of every image record (images/HEX.json), NULL-ended. */
int img_image_ids(const struct img_store *st, char ***ret, struct nr_error *err);
/* Load one image by full id (its record, config, layers, names). */
int img_image_load(const struct img_store *st, const char *id, struct img_image **ret, struct nr_error *err);
/* The record as stored: chain ids and blob digests it uses.  Arrays NULL-ended. */
struct img_record {
	img_digest id, manifest;
	char **layers; /* chain ids */
	char **blobs;  /* layer blobs, in the layers' order */
	char **media_types;
	long long created;
};
int img_record_read(const struct img_store *st, const char *id, struct img_record *ret, struct nr_error *err);
void img_record_clear(struct img_record *r);

/* --- store_names.c --- */
/* repositories.json, parsed ({} when absent). */
int img_names_load(const struct img_store *st, json_t **ret, struct nr_error *err);
int img_names_save(struct img_store *st, json_t *names, struct nr_error *err);
/* The full references naming id, sorted, NULL-ended. */
int img_names_of(json_t *names, const char *id, char ***ret);

void img_strv_free(char **v);
/* This machine's architecture as Go (and so the image spec) names it; "unknown" elsewhere. */
const char *img_go_arch(void);
DEFINE_PTR_CLEANUP(img_strv_freep, char **, img_strv_free)
#define _cleanup_strv_ _cleanup_(img_strv_freep)

#endif

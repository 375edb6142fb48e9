/* The image store: content-addressed, under <state_dir>/images (docs/images.md).
 *
 *   images/lock                 flock: shared for readers (run, images, save), exclusive for writers
 *   images/blobs/sha256/HEX     configs, manifests and layer tars, exactly as loaded or made
 *   images/layers/HEX/          one unpacked layer, named by its chain id: diff/ (overlay format:
 *                               whiteouts as char 0/0, opaque dirs by xattr) and layer.json
 *                               {"chain_id","diff_id","parent","blob","media_type","size"}
 *   images/images/HEX.json      one image, named by its config digest: {"id","manifest","layers":
 *                               [chain ids, bottom first], "blobs":[…],"media_types":[…],"created"}
 *   images/repositories.json    {"docker.io/library/bb:1": "sha256:…"}
 *   images/tmp/                 partial blobs and layers; a crash leaves them here, gc removes them
 *
 * Everything appears by rename(2) of a complete file or directory from tmp/, so a reader
 * never sees a half blob or layer.  References are derived, not counted: a layer is used
 * while an image lists it, a blob while an image names it (images_remove drops what is
 * left unused); the engine adds containers (it refuses to remove an image one uses). */
#ifndef NETNS_RUN_IMG_STORE_H
#define NETNS_RUN_IMG_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "image/digest.h"
#include "image/ref.h"

/* Error kinds are the runtime's (engine/rt_error.h: RT_ERR_USAGE, RT_ERR_NOT_FOUND,
 * RT_ERR_CONFLICT, RT_ERR_CORRUPT, RT_ERR_SYSTEM): the CLI exits 125, a daemon maps them
 * to 400/404/409/500. */

struct img_store; /* an open store holding its lock */

enum img_lock { IMG_LOCK_SHARED, IMG_LOCK_EXCLUSIVE };

/* Open (creating the layout) the store under state_dir and take its lock.  Records and
 * names change only under IMG_LOCK_EXCLUSIVE (img_image_add, img_tag_set/remove,
 * img_image_remove, img_store_gc, img_image_derive refuse a shared store, RT_ERR_USAGE);
 * blobs and layers may be added under either, each writer in its own locked tmp/ dir. */
int img_store_open(const char *state_dir, enum img_lock mode, struct img_store **ret, struct nr_error *err);
void img_store_close(struct img_store *st);
DEFINE_PTR_CLEANUP(img_store_closep, struct img_store *, img_store_close)
#define _cleanup_img_store_ _cleanup_(img_store_closep)
const char *img_store_root(const struct img_store *st); /* <state_dir>/images */

/* One layer as an image uses it. */
struct img_layer {
	img_digest chain_id; /* names the unpacked directory */
	img_digest diff_id;  /* sha256 of the uncompressed tar (the config's rootfs.diff_ids) */
	img_digest blob;     /* the blob as stored (compressed or not) */
	char media_type[96]; /* of the blob: application/vnd.oci.image.layer.v1.tar[+gzip|+zstd] */
	long long blob_size; /* bytes of the blob */
	long long size;      /* bytes of the unpacked content (du-like, for SIZE) */
};

struct img_image {
	img_digest id;       /* the config's digest; "IMAGE ID" is its first 12 hex digits */
	img_digest manifest; /* the manifest blob we hold for it (made by us when absent) */
	json_t *config;      /* the OCI/Docker image config, parsed */
	size_t n_layers;
	struct img_layer *layers; /* bottom first */
	char **tags;              /* full references naming it, NULL-ended */
	long long created;        /* unix time of config.created; 0 when absent */
	long long size;           /* sum of the layers' size */
};
void img_image_free(struct img_image *im);
DEFINE_PTR_CLEANUP(img_image_freep, struct img_image *, img_image_free)
#define _cleanup_img_image_ _cleanup_(img_image_freep)

/* --- blobs --- */
struct img_blob_writer;
/* Start writing a blob into tmp/; bytes are hashed as they are written. */
int img_blob_begin(struct img_store *st, struct img_blob_writer **ret, struct nr_error *err);
int img_blob_write(struct img_blob_writer *w, const void *buf, size_t len, struct nr_error *err);
/* Finish: the digest must equal expect (when not NULL) or the blob is dropped with a
 * message naming both; the blob is renamed into blobs/.  ret_digest may be NULL. */
int img_blob_commit(struct img_blob_writer *w, const char *expect, img_digest ret_digest, struct nr_error *err);
/* Drop an unfinished blob (NULL-safe); commit and abort both free w. */
void img_blob_abort(struct img_blob_writer *w);
/* Store a buffer as a blob (configs, manifests). */
int img_blob_put(struct img_store *st, const void *buf, size_t len, img_digest ret_digest, struct nr_error *err);
bool img_blob_has(const struct img_store *st, const char *digest);
/* blobs/sha256/HEX into buf. */
const char *img_blob_path(const struct img_store *st, const char *digest, char *buf, size_t len);
/* Read a (small) blob into memory, verifying its digest. */
int img_blob_read(const struct img_store *st, const char *digest, char **ret_buf, size_t *ret_len,
		  struct nr_error *err);

/* --- layers --- */
/* chain_id(parent, diff) per the OCI image spec: diff for the bottom layer, else
 * sha256("parent diff"). */
void img_chain_id(const char *parent_chain, const char *diff_id, img_digest ret);
bool img_layer_has(const struct img_store *st, const char *chain_id);
/* Unpack the stored blob as the layer on top of parent_chain (NULL for the bottom),
 * unless that chain id is already there.  The uncompressed stream's digest must equal
 * expect_diff_id when given.  Fills ret (chain_id, diff_id, size, and what it was given). */
int img_layer_add(struct img_store *st, const char *parent_chain, const char *blob, const char *media_type,
		  const char *expect_diff_id, struct img_layer *ret, struct nr_error *err);
/* layers/HEX/diff into buf: an overlay lower. */
const char *img_layer_dir(const struct img_store *st, const char *chain_id, char *buf, size_t len);

/* --- images and names --- */
/* Record an image: config is its config blob (stored), layers bottom first (all present).
 * manifest may be NULL (one is made and stored, OCI form).  Existing records are kept. */
int img_image_add(struct img_store *st, const char *config, const struct img_layer *layers, size_t n,
		  const char *manifest, struct nr_error *err);
/* Find an image by name ("bb", "bb:1", full reference, name@digest), full id
 * ("sha256:…"), or a unique prefix of its id's hex of at least 4 digits, as Docker.
 * RT_ERR_NOT_FOUND: "No such image: X". */
int img_image_find(const struct img_store *st, const char *what, struct img_image **ret, struct nr_error *err);
/* All images, newest first; *ret is NULL-ended and owned by the caller (img_image_list_free). */
int img_image_list(const struct img_store *st, struct img_image ***ret, struct nr_error *err);
void img_image_list_free(struct img_image **list);
/* Point the reference ref (any form img_ref_parse takes) at image id, moving it from
 * another image if it named one (as docker tag). */
int img_tag_set(struct img_store *st, const char *ref, const char *id, struct nr_error *err);
/* Remove the name; -ENOENT (RT_ERR_NOT_FOUND) when it names nothing. */
int img_tag_remove(struct img_store *st, const char *ref, struct nr_error *err);
/* Remove the image record and its names, then every layer and blob no other image
 * uses.  The caller (the engine) has checked that no container uses it. */
int img_image_remove(struct img_store *st, const char *id, struct nr_error *err);
/* time.c: an RFC 3339 time of a config ("2024-01-02T03:04:05.123Z", "...+01:00") as a
 * unix time; -EINVAL when it is not one. */
int img_time_parse(const char *s, long long *ret);

/* Remove tmp/ leftovers, and layers and blobs no image uses; counts what went. */
int img_store_gc(struct img_store *st, long long *ret_bytes, struct nr_error *err);

#endif

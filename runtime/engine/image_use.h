/* Images and the containers that use them: removal (`rmi`, `image rm`) and `image prune`
 * refuse or keep an image while a container's record names it, as Docker's daemon does.
 * Lock order: the container store's lock (ctr_store_lock), then the image store's
 * exclusive lock, so no container can start on an image between the check and the
 * removal. */
#ifndef NETNS_RUN_IMAGE_USE_H
#define NETNS_RUN_IMAGE_USE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "engine/container.h"
#include "engine/rt.h"

/* The image id ("sha256:…") a container's record says it runs, NULL for a host-root or
 * --rootfs container. */
const char *image_of_record(const struct ctr_record *rec);

/* A container that uses an image. */
struct image_user {
	char name[RT_NAME_MAX];
	char id[RT_ID_LEN + 1];
	bool running;
};

/* The containers whose records name image id (any state); the caller holds the container
 * store's lock.  *ret is malloc'd (free), *ret_n its length. */
int image_users(const char *id, struct image_user **ret, size_t *ret_n, struct nr_error *err);

enum image_rm_event {
	IMAGE_UNTAGGED, /* what: the name, familiar form ("bb:1") */
	IMAGE_DELETED,  /* what: the image id */
};
typedef void (*image_rm_report_fn)(void *ctx, enum image_rm_event ev, const char *what);

/* `rmi [-f] WHAT`: a name untags (and deletes the image when it was its last name and no
 * container uses it); an id (or prefix) deletes the image with all its names.  Refused,
 * as Docker: a name whose image a container uses (unless force); an id with several
 * names or used by a stopped container (unless force); an id used by a running container
 * (always).  With force, an image a container still uses loses its names but stays
 * (listed as <none>) until the container goes: its layers are the container's lowers. */
int image_remove(const char *what, bool force, image_rm_report_fn report, void *ctx, struct nr_error *err);

/* Which of the candidates a prune takes (the daemon's until/label filters); NULL: all. */
struct img_image;
typedef bool (*image_prune_pick_fn)(const struct img_image *im, void *ctx);

/* `image prune [-a]`: remove the untagged images (all, with all) that no container uses
 * and pick (when given) takes; *ret_bytes: the layers' bytes that went with them. */
int image_prune(bool all, image_prune_pick_fn pick, void *pick_ctx, image_rm_report_fn report, void *ctx,
		long long *ret_bytes, struct nr_error *err);

#endif

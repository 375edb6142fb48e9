/* What images.c and image_transfer.c share. */
#ifndef NETNS_RUN_DAEMON_IMAGES_H
#define NETNS_RUN_DAEMON_IMAGES_H

#include <stddef.h>

#include "base/error.h"
#include "image/store.h"

/* The image store under the state dir.  Shared (a reader): *ret NULL and 0 when there is
 * no store yet (nothing was ever loaded), so a reader does not create it. */
int images_store_open(enum img_lock mode, struct img_store **ret, struct nr_error *err);

/* One image by name or id (img_image_find's forms): RT_ERR_NOT_FOUND "No such image: X". */
int images_find(const char *what, struct img_image **ret, struct nr_error *err);

/* ?repo=&tag= as one reference into buf ("" when repo is absent), checked:
 * RT_ERR_USAGE when it is not a reference. */
int images_ref_of(const char *repo, const char *tag, char *buf, size_t len, struct nr_error *err);

/* An image event (GET /events): Actor.ID the image id, attribute name the familiar form
 * of ref (none when NULL). */
void images_event(const char *action, const char *id, const char *ref);

#endif

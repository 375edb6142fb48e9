/* New images from old: one more layer on a parent (`commit`), or a first layer on nothing
 * (`import`).  Writes the config (history and rootfs.diff_ids extended, changes applied),
 * an OCI manifest, the image record and its name. */
#ifndef NETNS_RUN_IMG_DERIVE_H
#define NETNS_RUN_IMG_DERIVE_H

#include "base/error.h"
#include "image/store.h"

struct img_derive {
	const char *parent;         /* image id, or NULL */
	const char *layer_blob;     /* a stored blob: the new layer's tar */
	const char *media_type;     /* of that blob */
	const char *const *changes; /* img_config_change lines, NULL-ended, or NULL */
	const char *comment;        /* commit -m; history's comment */
	const char *author;         /* commit -a */
	const char *created_by;     /* history's created_by */
	const char *ref;            /* the name to give it, or NULL */
};

int img_image_derive(struct img_store *st, const struct img_derive *d, img_digest ret_id, struct nr_error *err);

#endif

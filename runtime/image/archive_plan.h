/* Loading an archive, second half's data (archive_plan.c makes it, archive_load.c
 * applies it): each image of the archive with its config, layers (found in the staged
 * entries, or left out by `save --since`), names and base; and what the load added, for
 * the rollback. */
#ifndef NETNS_RUN_IMG_ARCHIVE_PLAN_H
#define NETNS_RUN_IMG_ARCHIVE_PLAN_H

#include <stddef.h>

#include "base/error.h"
#include "image/archive_stage.h"
#include "image/manifest.h"
#include "image/store.h"

struct plan_layer {
	struct staged *blob; /* NULL: left out of the archive (`save --since`) */
	char *what;          /* its path or digest, for messages */
	enum img_mt_kind kind;
	img_digest chain_id;
};

struct plan_image {
	struct staged *config;
	img_digest *diff_ids;
	size_t n;
	struct plan_layer *layers;
	char **refs; /* full references */
	size_t n_refs;
	char *since_ref; /* as the archive records it, or NULL */
	img_digest since_id;
	struct img_layer *done; /* what img_layer_add made of each */
};

struct tag_undo {
	char *ref;
	img_digest old; /* "" when the name was free */
};

struct load {
	struct img_store *st;
	struct stage s;
	struct plan_image *im;
	size_t n_im;
	img_digest *new_layers;
	size_t n_new_layers;
	img_digest *new_images;
	size_t n_new_images;
	struct tag_undo *undo;
	size_t n_undo;
};

/* Parse the archive's documents (manifest.json if there is one, else index.json), find
 * and check every blob they name, and every layer left out in the store: ld->im. */
int load_plan(struct load *ld, struct nr_error *err);
void plan_image_clear(struct plan_image *pi);

#endif

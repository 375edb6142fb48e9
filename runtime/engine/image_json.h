/* Images in the Docker Engine API's shapes, for the CLI's `image inspect` and `history`
 * and the daemon's /images paths (one builder for both front ends). */
#ifndef NETNS_RUN_IMAGE_JSON_H
#define NETNS_RUN_IMAGE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "image/store.h"

/* "bb:1" for "docker.io/library/bb:1", "bb@sha256:…" for a digest-only reference (Docker's
 * familiar form); full itself when it does not parse.  Into buf. */
const char *image_ref_familiar(const char *full, char *buf, size_t len);

/* Docker's ImageInspect: Id, RepoTags, RepoDigests, Parent, Comment, Created,
 * DockerVersion, Author, Config, Architecture, Os, Size, RootFS {Type, Layers}, Metadata.
 * New reference; NULL on ENOMEM. */
json_t *image_inspect_json(const struct img_image *im);

/* Docker's history ([HistoryResponseItem]), newest first: {Id, Created (unix time),
 * CreatedBy, Tags, Size, Comment}.  The top entry carries the image's id and names, the
 * others "<missing>" (we keep no intermediate images); an entry that made a layer gets
 * that layer's size (the layers taken from the top down), the others 0; layers left over
 * at the bottom (a parent whose tool wrote no history) get an entry each.  NULL on ENOMEM. */
json_t *image_history_json(const struct img_image *im);

#endif

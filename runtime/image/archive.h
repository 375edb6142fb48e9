/* Image archives in and out (libarchive): `docker save`'s layout (manifest.json,
 * repositories, a config and layer.tar per image; Docker 25+ also an OCI layout inside)
 * and the OCI image layout (oci-layout, index.json, blobs/sha256/).  docs/images.md. */
#ifndef NETNS_RUN_IMG_ARCHIVE_H
#define NETNS_RUN_IMG_ARCHIVE_H

#include <stddef.h>

#include "base/error.h"
#include "image/store.h"

struct img_loaded {
	size_t n;
	char **refs;     /* "docker.io/library/bb:1", or NULL for an image without a name */
	img_digest *ids; /* the images' ids */
};
void img_loaded_free(struct img_loaded *l); /* the members; NULL-safe */

/* Load every image of the archive read from fd (a tar, itself possibly gzip/zstd
 * compressed; the format is detected).  Every blob's digest is checked; a layer the
 * archive leaves out (`save --since`) must already be in the store or the load is
 * refused naming the missing layer and the base the archive names.  All or nothing:
 * on failure nothing new stays in the store. */
int img_archive_load(struct img_store *st, int fd, struct img_loaded *ret, struct nr_error *err);

/* A plain root file system tar (maybe compressed) as a one-layer image; ref may be NULL.
 * changes: Dockerfile-like lines ("CMD [\"sh\"]", "ENV A=b", "WORKDIR /x", "ENTRYPOINT …",
 * "USER …", "EXPOSE 80/tcp"), NULL-ended, may be NULL; comment (import -m) may be NULL. */
int img_archive_import(struct img_store *st, int fd, const char *ref, const char *const *changes, const char *comment,
		       img_digest ret_id, struct nr_error *err);

enum img_archive_format { IMG_ARCHIVE_DOCKER, IMG_ARCHIVE_OCI };

/* Write the images named in what[] (names or ids, img_image_find's forms) as one archive to
 * fd.  since: a name or id whose layers are left out (diff-only; the archive records it
 * so that load can say what is missing), or NULL. */
int img_archive_save(const struct img_store *st, const char *const *what, size_t n, enum img_archive_format format,
		     const char *since, int fd, struct nr_error *err);

#endif

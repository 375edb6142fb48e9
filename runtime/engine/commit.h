/* `commit CONTAINER [REF]`: the container's writable layer as a new image on top of the
 * image it runs (docs/cli.md, docs/images.md). */
#ifndef NETNS_RUN_COMMIT_H
#define NETNS_RUN_COMMIT_H

#include <stdbool.h>

#include "base/error.h"
#include "image/digest.h"

struct ctr_commit_opts {
	const char *comment;        /* -m */
	const char *author;         /* -a */
	const char *const *changes; /* -c lines, NULL-ended, or NULL */
	const char *ref;            /* the new image's name, or NULL */
	bool pause;                 /* freeze a running container while its layer is read */
};

/* Pack <container>/upper into a layer (a temporary file that vanishes with this process),
 * store it as a blob and derive the image: parent = the container's image, created_by =
 * its command.  A running container is frozen for the packing only (and thawed on every
 * path, signals blocked meanwhile).  A host-root container is refused (RT_ERR_USAGE):
 * its layer means nothing without the host's /.  A kill at any point leaves at most
 * partial files in the image store's tmp/ and unnamed blobs, which gc removes. */
int ctr_commit(const char *name, const struct ctr_commit_opts *o, img_digest ret_id, struct nr_error *err);

/* For gc: thaw running containers left frozen by a commit that was killed (their commit
 * lock is free).  Returns how many. */
int ctr_commit_thaw_orphans(struct nr_error *err);

#endif

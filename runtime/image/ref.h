/* Image references as Docker reads them: "bb:1" is "docker.io/library/bb:1", "bb" is
 * "bb:latest", "reg.example:5000/team/app:v2@sha256:…" keeps its registry.  The store keys
 * names by the full form; lists print the familiar one (REPOSITORY "bb"). */
#ifndef NETNS_RUN_IMG_REF_H
#define NETNS_RUN_IMG_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "image/digest.h"

#define IMG_REF_NAME_MAX 256
#define IMG_REF_TAG_MAX 129

struct img_ref {
	char name[IMG_REF_NAME_MAX]; /* "docker.io/library/bb" */
	char tag[IMG_REF_TAG_MAX];   /* "1"; "latest" when neither tag nor digest was given; "" with a digest only */
	img_digest digest;           /* "" when none was given */
};

/* Parse and normalise s (Docker's grammar: lowercase path components of [a-z0-9._-],
 * a tag of [A-Za-z0-9_.-]{1,128} not starting with '.' or '-', an optional @digest).
 * -EINVAL with a message naming s when it is not a reference. */
int img_ref_parse(const char *s, struct img_ref *ret, struct nr_error *err);
/* "docker.io/library/bb:1" (name:tag, or name@digest when there is no tag). */
int img_ref_format(const struct img_ref *r, char *buf, size_t len);
/* The familiar name: "bb" for docker.io/library/bb, "team/app" for docker.io/team/app,
 * others unchanged. */
const char *img_ref_familiar(const char *full_name);

#endif

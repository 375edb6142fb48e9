/* Content digests: "sha256:" and 64 lowercase hex digits, computed with nettle.  Every
 * blob, layer and image of the store is named by one (docs/images.md). */
#ifndef NETNS_RUN_IMG_DIGEST_H
#define NETNS_RUN_IMG_DIGEST_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stddef.h>

#define IMG_DIGEST_HEX 64
#define IMG_DIGEST_LEN (7 + IMG_DIGEST_HEX) /* "sha256:" + hex, without the NUL */

typedef char img_digest[IMG_DIGEST_LEN + 1];

/* Whether s is "sha256:" followed by exactly 64 lowercase hex digits. */
bool img_digest_valid(const char *s);
/* The hex part of a valid digest (s + 7). */
const char *img_digest_hex(const char *s);

struct img_hasher {
	struct sha256_ctx ctx;
	long long bytes; /* hashed so far */
};

void img_hasher_init(struct img_hasher *h);
void img_hasher_update(struct img_hasher *h, const void *buf, size_t len);
void img_hasher_final(struct img_hasher *h, img_digest ret);

/* The digest of a whole file; -errno on failure. */
int img_digest_file(int fd, img_digest ret);
/* The digest of a buffer. */
void img_digest_buf(const void *buf, size_t len, img_digest ret);

#endif

/* SHA-512 (FIPS 180-4), for names derived from a hash the way the reference plugins derive
 * them (the bandwidth plugin's ifb device: "bwp" + the digest's first hex digits). */
#ifndef NETNS_RUN_SHA512_H
#define NETNS_RUN_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_DIGEST_LEN 64

void sha512(const void *data, size_t len, uint8_t ret[SHA512_DIGEST_LEN]);

/* The first n hex digits (lower case) of the digest of data into buf (n + 1 bytes;
 * n <= 128). */
void sha512_hex_prefix(const void *data, size_t len, size_t n, char *buf);

#endif

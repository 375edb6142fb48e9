/* Base64 (RFC 4648, with padding): the JSON gateway's form of etcd's keys and values,
 * which are protobuf bytes.  No allocation limits here: callers bound their input. */
#ifndef NETNS_RUN_ETCD_B64_H
#define NETNS_RUN_ETCD_B64_H

#include <stddef.h>

/* A malloc'd NUL-terminated encoding of len bytes; NULL when out of memory. */
char *etcd_b64_encode(const void *data, size_t len);

/* Decode the len characters of s into a malloc'd buffer, NUL-terminated after its
 * *ret_len bytes.  -EINVAL: not canonical padded base64; -ENOMEM. */
int etcd_b64_decode(const char *s, size_t len, char **ret, size_t *ret_len);

#endif

/* The error contract of netns-run.
 *
 * A function that can fail returns >= 0 on success and a negative errno on failure.
 * When it takes a `struct nr_error *err`, it also fills it in: a CNI error code (the
 * spec's well-known codes, see enum cni_code) and a message a person can act on.
 * Callers add context on the way up with nr_error_wrap(); exactly one place, the
 * plugin skeleton (or the runtime's main), prints it.
 */
#ifndef NETNS_RUN_ERROR_H
#define NETNS_RUN_ERROR_H

#include <stdarg.h>

/* Well-known error codes of the CNI specification (SPEC.md, "Error codes"). */
enum cni_code {
	CNI_OK = 0,
	CNI_ERR_INCOMPATIBLE_VERSION = 1,  /* the config's cniVersion is not one we speak */
	CNI_ERR_UNSUPPORTED_FIELD = 2,     /* a field we do not know; the message names it */
	CNI_ERR_UNKNOWN_CONTAINER = 3,     /* nothing known of this container or attachment */
	CNI_ERR_INVALID_ENV = 4,           /* a CNI_* variable missing or malformed */
	CNI_ERR_IO = 5,                    /* reading or writing a file, e.g. the lease store */
	CNI_ERR_DECODE = 6,                /* JSON that does not parse or has the wrong types */
	CNI_ERR_INVALID_CONFIG = 7,        /* well-formed but unusable configuration */
	CNI_ERR_TRY_AGAIN = 11,            /* transient: the runtime may retry later */
	CNI_ERR_NOT_AVAILABLE = 50,        /* STATUS: the plugin cannot take ADDs now */
	CNI_ERR_LIMITED_CONNECTIVITY = 51, /* STATUS: ADDs work, some connectivity does not */
	/* 100 and above are ours: plugin-specific failures (netlink, nftables, IPAM). */
	CNI_ERR_INTERNAL = 100,
};

#define NR_ERROR_MSG_MAX 512
#define NR_ERROR_DETAILS_MAX 1024

struct nr_error {
	int code; /* enum cni_code, or a plugin-specific code >= 100 */
	char msg[NR_ERROR_MSG_MAX];
	char details[NR_ERROR_DETAILS_MAX];
};

/* Record an error and return -errnum (-EINVAL when errnum is 0).  err may be NULL. */
int nr_error_set(struct nr_error *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix the message with context ("creating veth: <old msg>"); returns ret unchanged
 * so that `return nr_error_wrap(err, r, "…")` reads naturally. */
int nr_error_wrap(struct nr_error *err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Attach free-form details (for instance the kernel's own text, or a child's stderr). */
void nr_error_details(struct nr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void nr_error_clear(struct nr_error *err);

/* Copy src into dst (both may be the same); tolerates NULL. */
void nr_error_copy(struct nr_error *dst, const struct nr_error *src);

#endif

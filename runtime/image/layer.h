/* One layer's tar, both ways, and a container's changes (libarchive; docs/images.md,
 * "Whiteouts").  On disk a layer is in overlayfs's form: a deleted path is a character
 * device 0/0, an opaque directory carries trusted.overlay.opaque=y and
 * user.overlay.opaque=y (the latter for overlays mounted with userxattr, --userns).  In
 * a tar it is in the OCI form: ".wh.NAME" and ".wh..wh..opq". */
#ifndef NETNS_RUN_IMG_LAYER_H
#define NETNS_RUN_IMG_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/error.h"
#include "image/digest.h"

/* Unpack the layer tar read from fd (plain, gzip or zstd: detected) into dir (an existing
 * empty directory), whiteouts converted, owners, modes, times, xattrs, file
 * capabilities, hard and symbolic links, sparse files and device nodes kept.  An entry
 * whose path leaves dir (absolute, "..", through a symbolic link of the layer) is refused
 * and the whole unpack fails (RT_ERR_CORRUPT, naming the entry); the caller removes dir.
 * ret_diff_id: sha256 of the uncompressed tar stream (NULL: not computed, for a caller
 * that knows it already); ret_size: bytes of content. */
int layer_unpack(int fd, const char *dir, img_digest ret_diff_id, long long *ret_size, struct nr_error *err);

/* Write the directory upper (a container's overlay upper) as an uncompressed OCI layer
 * tar to fd: whiteouts and opaque directories in OCI form, overlay's own bookkeeping
 * (work dirs, overlay.* xattrs) left out, owners shifted down by uid_shift (--userns: host
 * id base+N is N in the layer; 0 = none).  Entries in a stable order (sorted), so
 * the same tree gives the same digest.  ret_digest: sha256 of what was written. */
int layer_pack(const char *upper, int fd, unsigned long uid_shift, img_digest ret_digest, long long *ret_size,
	       struct nr_error *err);

/* layer_pack with paths left out: skip(rel, st, is_empty_dir, arg) is asked for every
 * entry of upper ("etc/hosts", no leading '/'); true leaves it (and all under it) out.
 * The engine leaves out its own mount targets this way (Docker's init layer). */
typedef bool (*layer_skip_fn)(const char *rel, const struct stat *st, bool empty_dir, void *arg);
int layer_pack_skip(const char *upper, int fd, unsigned long uid_shift, layer_skip_fn skip, void *arg,
		    img_digest ret_digest, long long *ret_size, struct nr_error *err);

enum layer_change { LAYER_ADDED = 'A', LAYER_CHANGED = 'C', LAYER_DELETED = 'D' };

/* A container's changes as `docker diff` lists them: each path of upper against the
 * lowers (top first): 'D' for a whiteout, 'A' for a path no lower has, 'C' for one a lower
 * has (and for the directories above a change, as Docker).  Sorted by path. */
int layer_diff(const char *upper, const char *const *lowers, size_t n_lowers,
	       int (*fn)(enum layer_change kind, const char *path, void *arg), void *arg, struct nr_error *err);

#endif

/* What the layer files share (layer_unpack.c, layer_pack.c, layer_diff.c): paths of a
 * layer's entries checked and walked without following the layer's own symbolic links,
 * and the overlay forms of whiteouts (layer_path.c, layer_whiteout.c).  Not a contract. */
#ifndef NETNS_RUN_IMG_LAYER_INTERNAL_H
#define NETNS_RUN_IMG_LAYER_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "base/error.h"

#define LAYER_WH_PREFIX ".wh."
#define LAYER_WH_META_PREFIX ".wh..wh."
#define LAYER_WH_OPAQUE ".wh..wh..opq"

/* A tar entry's name made relative and clean: "./a//b/" -> "a/b", "." or "" -> "" (the
 * root).  -EINVAL for an absolute name or one with a ".." component: such an entry would
 * leave the layer (the caller names it in its error). */
int layer_path_clean(const char *name, char **ret);

/* Open the directory rel (clean, "" for the root) under rootfd, component by component
 * with O_NOFOLLOW: a symbolic link on the way (one the layer made) is -ENOTDIR
 * (or -ELOOP), never followed.  create: make missing directories (0755, root-owned). */
int layer_dir_open(int rootfd, const char *rel, bool create);

/* Split a clean path into its directory and last component (pointers into a copy in
 * buf, of size at least strlen(rel)+1): "a/b/c" -> "a/b", "c"; "c" -> "", "c". */
void layer_path_split(const char *rel, char *buf, const char **ret_dir, const char **ret_base);

/* Whether st is an overlay whiteout: a character device 0/0. */
bool layer_is_whiteout(const struct stat *st);
/* Whether the directory open as fd is opaque (trusted.overlay.opaque or
 * user.overlay.opaque is "y"). */
bool layer_is_opaque_fd(int fd);
/* Whether an xattr name is overlay's own (trusted.overlay.*, user.overlay.*): never
 * carried between a tar and a layer directory. */
bool layer_xattr_is_overlay(const char *name);

struct archive_entry;
/* Drop overlay's own xattrs from an entry, both ways: a layer must not carry redirects,
 * metacopy or opaque marks of its own making (opaque comes from ".wh..wh..opq" only),
 * and an upper's bookkeeping stays out of the tar.  -ENOMEM. */
int layer_xattrs_drop_overlay(struct archive_entry *e);

/* entry: the tar entry's name, for messages.
 * On unpack: make dir rel (clean; "" the root) opaque, creating it when absent. */
int layer_whiteout_opaque(int rootfd, const char *rel, const char *entry, struct nr_error *err);
/* On unpack: rel (clean) is deleted by this layer: an overlay whiteout replaces whatever
 * is there, with meta's owner and mtime (the tar's ".wh." entry's, as Docker keeps the
 * owner; the mtime so that packing it again gives the same bytes). */
int layer_whiteout_make(int rootfd, const char *rel, const struct stat *meta, const char *entry, struct nr_error *err);

/* Remove name under dirfd, a whole tree if it is a directory, never following links. */
int layer_remove_at(int dirfd, const char *name);

#endif

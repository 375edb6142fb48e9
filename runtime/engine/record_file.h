/* A small text file replaced atomically without allocating disk space: how a
 * container's record survives a full state directory (docs/security.md, "State that
 * survives a full disk").
 *
 * The file NAME and a spare, NAME.spare, have one fixed size, the slot; both are written
 * whole (the text, then spaces: JSON allows trailing white space).  A replace writes the
 * spare in place, flushes it, and exchanges the two names (renameat2 RENAME_EXCHANGE):
 * readers see the old text or the new, never half, and no block is allocated, so a disk
 * that something else filled cannot refuse it.  Space is allocated only when a text
 * outgrows the slot less RECORD_FILE_HEADROOM; then the slot grows, and that may fail
 * with ENOSPC, leaving the old text in place.  Every write, flush and rename is checked;
 * the new text is flushed (fdatasync) before it takes the name.
 *
 * Writers take an exclusive flock on the directory, readers a shared one: a reader that
 * opened the old file must not see the next replace write into it (it is the spare
 * then). */
#ifndef NETNS_RUN_RECORD_FILE_H
#define NETNS_RUN_RECORD_FILE_H

#include <stddef.h>

/* What every replace leaves free in the slot: the growth of the saves that must not fail
 * (a record's exit status, finish time and status are far less). */
#define RECORD_FILE_HEADROOM 2048

/* Replace dir/name with text (negative errno on failure: the old text stays). */
int record_file_replace(const char *dir, const char *name, const char *text);

/* Read dir/name (at most max bytes) into a NUL-terminated malloc'd buffer; the padding
 * is left on (JSON parsers skip it).  -ENOENT when there is none. */
int record_file_read(const char *dir, const char *name, size_t max, char **ret_buf, size_t *ret_len);

#endif

/* overlay's xattrs kept out of layers, both ways (layer_internal.h). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/layer_internal.h"

bool layer_xattr_is_overlay(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13);
}

int layer_xattrs_drop_overlay(struct archive_entry *e)
{
	struct keep {
		char *name;
		void *value;
		size_t size;
	} *keep = NULL;
	const char *name;
	const void *value;
	size_t size, n = 0, total;
	bool overlay = false;
	int r = 0;

	total = (size_t)archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
		overlay |= layer_xattr_is_overlay(name);
	if (!overlay)
		return 0;
	/* libarchive removes xattrs only all at once: keep copies of the others, re-add. */
	keep = calloc(total, sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (layer_xattr_is_overlay(name))
			continue;
		keep[n].name = strdup(name);
		keep[n].value = malloc(size ? size : 1);
		keep[n].size = size;
		if (!keep[n].name || !keep[n].value) {
			r = -ENOMEM;
			n++;
			break;
		}
		memcpy(keep[n++].value, value, size);
	}
	if (r == 0)
		archive_entry_xattr_clear(e);
	for (size_t i = 0; i < n; i++) {
		if (r == 0)
			archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
		free(keep[i].name);
		free(keep[i].value);
	}
	free(keep);
	return r;
}

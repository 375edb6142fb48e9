/* A stand-in for plugins/overlay's overlay_dir (overlay.h) until that branch is merged:
 * weak, so the real one wins.  To be deleted at the merge. */
#include <errno.h>
#include <stdio.h>

#include "overlay/overlay.h"
#include "rt.h"
#include "rt_error.h"

__attribute__((weak)) int overlay_dir(const char *name, char *buf, size_t size, struct nr_error *err)
{
	if (!rt_name_valid(name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "invalid network name \"%s\"", name);
	snprintf(buf, size, "%s/overlay/%s", rt_paths()->state_dir, name);
	return 0;
}

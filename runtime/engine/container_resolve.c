/* A container as Docker's API names it (container.h, ctr_store_resolve): a name, a full
 * id, or a unique prefix of an id.  Docker looks in the same order: an exact name first,
 * then an exact id, then id prefixes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container.h"
#include "rt_error.h"

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int ctr_store_resolve(const char *ref, char ret_name[RT_NAME_MAX], struct nr_error *err)
{
	_cleanup_strv_ char **names = NULL;
	char found[RT_NAME_MAX] = "";
	size_t n_found = 0, len;
	int r;

	if (!ref || !*ref)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such container: %s", ref ? ref : "");
	/* Docker's own spelling of a name starts with '/'. */
	if (*ref == '/' && ref[1])
		ref++;
	len = strlen(ref);
	/* A name is a directory name: nothing that could step out of the store gets here. */
	if (rt_name_valid(ref)) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		if (ctr_store_load(ref, &rec, NULL) >= 0) {
			snprintf(ret_name, RT_NAME_MAX, "%s", rec->name);
			return 0;
		}
	}
	if (!is_hex(ref) || len > RT_ID_LEN)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such container: %s", ref);
	if ((r = ctr_store_names(&names, err)) < 0)
		return r;
	for (size_t i = 0; names[i]; i++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		if (ctr_store_load(names[i], &rec, NULL) < 0)
			continue; /* removed meanwhile, or no record yet */
		if (!strcmp(rec->id, ref)) {
			snprintf(ret_name, RT_NAME_MAX, "%s", rec->name);
			return 0;
		}
		if (!strncmp(rec->id, ref, len) && n_found++ == 0)
			snprintf(found, sizeof(found), "%s", rec->name);
	}
	if (n_found > 1)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "multiple IDs found with provided prefix: %s", ref);
	if (!n_found)
		return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "No such container: %s", ref);
	snprintf(ret_name, RT_NAME_MAX, "%s", found);
	return 0;
}

/* Temporary: what is not written yet, so that the library links (replaced file by file). */
#include <errno.h>

#include "image/config.h"
#include "image/derive.h"
#include "image/store_int.h"

static int todo(struct nr_error *err, const char *what)
{
	return nr_error_set(err, RT_ERR_SYSTEM, ENOSYS, "%s: not implemented yet", what);
}

int img_config_parse(const char *text, size_t len, struct img_config *ret, struct nr_error *err)
{
	return todo(err, "img_config_parse");
}
void img_config_clear(struct img_config *c)
{
	(void)c;
}
int img_config_change(json_t *doc, const char *line, struct nr_error *err)
{
	return todo(err, "img_config_change");
}
int img_image_derive(struct img_store *st, const struct img_derive *d, img_digest ret_id, struct nr_error *err)
{
	return todo(err, "img_image_derive");
}

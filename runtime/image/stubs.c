/* Temporary: what is not written yet, so that the library links (replaced file by file). */
#include <errno.h>

#include "image/config.h"
#include "image/derive.h"
#include "image/store_int.h"

static int todo(struct nr_error *err, const char *what)
{
	return nr_error_set(err, RT_ERR_SYSTEM, ENOSYS, "%s: not implemented yet", what);
}

void img_image_free(struct img_image *im)
{
	(void)im;
}
int img_image_add(struct img_store *st, const char *config, const struct img_layer *layers, size_t n,
		  const char *manifest, struct nr_error *err)
{
	return todo(err, "img_image_add");
}
int img_image_find(const struct img_store *st, const char *what, struct img_image **ret, struct nr_error *err)
{
	return todo(err, "img_image_find");
}
int img_image_list(const struct img_store *st, struct img_image ***ret, struct nr_error *err)
{
	return todo(err, "img_image_list");
}
void img_image_list_free(struct img_image **list)
{
	(void)list;
}
int img_tag_set(struct img_store *st, const char *ref, const char *id, struct nr_error *err)
{
	return todo(err, "img_tag_set");
}
int img_tag_remove(struct img_store *st, const char *ref, struct nr_error *err)
{
	return todo(err, "img_tag_remove");
}
int img_image_remove(struct img_store *st, const char *id, struct nr_error *err)
{
	return todo(err, "img_image_remove");
}
int img_store_gc(struct img_store *st, long long *ret_bytes, struct nr_error *err)
{
	return todo(err, "img_store_gc");
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

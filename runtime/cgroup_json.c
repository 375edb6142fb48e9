/* TEMPORARY (see cgroup_json.h): moves into the typed record's serialisation file. */
#include "cgroup_json.h"

#include "base/cleanup.h"
#include "base/json_field.h"

json_t *cgroup_set_to_json(const struct cgroup_set *cg)
{
	_cleanup_json_ json_t *j = json_object();
	_cleanup_json_ json_t *paths = json_object();
	_cleanup_json_ json_t *dirs = json_array();
	const char *d[CGROUP_CTL_COUNT], *mode = cgroup_layout_name(cg->layout);
	size_t n = cgroup_set_dirs(cg, d);

	if (!j || !paths || !dirs || (mode && json_object_set_new(j, "mode", json_string(mode)) < 0))
		return NULL;
	for (size_t i = 0; i < CGROUP_CTL_COUNT; i++)
		if (cg->path[i] && json_object_set_new(paths, cgroup_ctl_names[i], json_string(cg->path[i])) < 0)
			return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(dirs, json_string(d[i])) < 0)
			return NULL;
	if (json_object_set(j, "paths", paths) < 0 || json_object_set(j, "dirs", dirs) < 0)
		return NULL;
	return TAKE_PTR(j);
}

struct cgroup_set *cgroup_set_from_json(json_t *j)
{
	_cleanup_cgroup_set_ struct cgroup_set *cg = NULL;
	json_t *paths = json_object_get(j, "paths");

	if (!json_is_object(j) ||
	    !(cg = cgroup_set_new(cgroup_layout_from_name(json_string_value(json_object_get(j, "mode"))))))
		return NULL;
	for (size_t i = 0; i < CGROUP_CTL_COUNT; i++) {
		const char *dir = json_string_value(json_object_get(paths, cgroup_ctl_names[i]));
		if (dir && *dir && cgroup_set_put(cg, (enum cgroup_ctl)i, dir) < 0)
			return NULL;
	}
	return TAKE_PTR(cg);
}

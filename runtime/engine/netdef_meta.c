/* Our metadata in a conflist (netdef.h): the top-level "netns-run" object that
 * `network create` writes.  Reading it never fails: a conflist without it (or with a
 * malformed one) is a hand-written network, with a stable id from its name. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "image/digest.h"
#include "netdef.h"

static bool hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static bool meta_bool(json_t *meta, const char *key, bool dflt)
{
	json_t *v = json_object_get(meta, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

void netdef_meta_get(const struct cni_netconf *conf, struct netdef_meta *m)
{
	json_t *meta = conf && conf->list ? json_object_get(conf->list, "netns-run") : NULL;
	const char *id = json_string_value(json_object_get(meta, "id"));
	const char *created = json_string_value(json_object_get(meta, "created"));
	const char *driver = json_string_value(json_object_get(meta, "driver"));

	*m = (struct netdef_meta){ 0 };
	snprintf(m->driver, sizeof(m->driver), "%s", driver && *driver ? driver : "bridge");
	if (json_is_object(meta) && hex64(id)) {
		memcpy(m->id, id, 65);
		snprintf(m->created, sizeof(m->created), "%s", created ? created : "");
		m->ours = true;
		m->dns = meta_bool(meta, "dns", true);
		m->internal = meta_bool(meta, "internal", false);
		m->ipv6 = meta_bool(meta, "ipv6", false);
		return;
	}
	/* Hand-written (or built in): an id that stays the same from one command to the
	 * next, as `network ls` and `inspect` show it. */
	img_digest d;
	const char *name = conf && conf->name ? conf->name : "";
	img_digest_buf(name, strlen(name), d);
	memcpy(m->id, img_digest_hex(d), 65);
}

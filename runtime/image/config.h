/* An image's config (OCI image spec config.json, Docker's superset), typed: what `run`
 * applies and what `commit`/`import` write.  Parsed and written in this one place. */
#ifndef NETNS_RUN_IMG_CONFIG_H
#define NETNS_RUN_IMG_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "base/error.h"

struct img_config {
	char **entrypoint; /* NULL-ended; NULL when unset */
	char **cmd;        /* NULL-ended; NULL when unset */
	char **env;        /* "K=V", NULL-ended; NULL when unset */
	char *working_dir; /* NULL = "/" */
	char *user;        /* NULL = root */
	char **exposed;    /* "80/tcp", NULL-ended; NULL when none */
	char **labels;     /* "K=V", NULL-ended; NULL when none */
	char *stop_signal; /* NULL = SIGTERM */
};

/* The "config" object of an image config document (text of len bytes).  Wrong types are
 * refused naming the key (RT_ERR_CORRUPT); unknown keys are kept for the writer. */
int img_config_parse(const char *text, size_t len, struct img_config *ret, struct nr_error *err);
void img_config_clear(struct img_config *c);

/* Apply one Dockerfile-like change line (`commit -c`, `import -c`): CMD, ENTRYPOINT (JSON
 * array or shell form, which becomes ["/bin/sh","-c","…"]), ENV K=V or K V, WORKDIR,
 * USER, EXPOSE, LABEL K=V, STOPSIGNAL.  Others are refused (RT_ERR_USAGE, naming it). */
int img_config_change(json_t *doc, const char *line, struct nr_error *err);

#endif

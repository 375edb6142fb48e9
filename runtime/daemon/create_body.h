/* POST /containers/create's body (Docker's ContainerConfig with HostConfig and
 * NetworkingConfig inside) to a run's options, checked as Docker checks it: wrong types,
 * unknown images, bad ports or modes give RT_ERR_USAGE / RT_ERR_NOT_FOUND with Docker's
 * wording, never a crash (this parser is fuzzed: tests/fuzz/fuzz_daemon_create_body.c).
 *
 * The body is kept whole, normalised, in the container's directory as CTR_CONFIG_FILE:
 * inspect and list show Config/HostConfig from it, and a start of an exited container
 * (monitor.h's `again`) parses it again. */
#ifndef NETNS_RUN_DAEMON_CREATE_BODY_H
#define NETNS_RUN_DAEMON_CREATE_BODY_H

#include <jansson.h>

#include "base/error.h"
#include "engine/monitor.h"
#include "engine/opts.h"

#define CTR_CONFIG_FILE "config.json"

/* What a create body gives besides the run's options. */
struct create_body {
	struct run_opts o;      /* points into body and into the strings below */
	struct monitor_opts mo; /* OpenStdin, StdinOnce */
	json_t *body;           /* the parsed body (owned), Docker's names */
	char *strings[512];     /* owned copies the options point to */
	size_t n_strings;
};

/* Parse text (len bytes) with name (the ?name= parameter, NULL or "" for a generated
 * one) into cb.  Images are looked up in the store under rt_paths()->state_dir.  On
 * failure cb holds nothing to free beyond create_body_free. */
int create_body_parse(const char *text, size_t len, const char *name, struct create_body *cb, struct nr_error *err);
void create_body_free(struct create_body *cb);

#endif

/* Bind mounts in Docker's -v spelling (volume_spec.c), for the CLI's -v and the daemon's
 * HostConfig.Binds. */
#ifndef NETNS_RUN_VOLUME_SPEC_H
#define NETNS_RUN_VOLUME_SPEC_H

#include "base/error.h"
#include "opts.h"

/* "HOST:CONTAINER[:ro|:rw]", both absolute, into v (pointing into spec, which is split
 * and cleaned in place).  A destination of "/", with "..", or on or in /proc (but
 * lxcfs's files) is refused as runc refuses it: RT_ERR_USAGE. */
int volume_spec_parse(char *spec, struct volume *v, struct nr_error *err);

#endif

/* Links by name in the current network namespace: look up, bring up or down. */
#ifndef NETNS_RUN_LINK_H
#define NETNS_RUN_LINK_H

#include <stdbool.h>

#include "error.h"
#include "nlsock.h"

/* Set IFF_UP on or off.  -ENODEV (with err filled) when there is no such link. */
int link_set_up(struct nlsock *s, const char *name, bool up, struct nr_error *err);

/* *ret_up = whether IFF_UP is set; -ENODEV when there is no such link. */
int link_is_up(struct nlsock *s, const char *name, bool *ret_up, struct nr_error *err);

/* The interface index, or -ENODEV. */
int link_index(struct nlsock *s, const char *name, struct nr_error *err);

#endif

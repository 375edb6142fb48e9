/* Capabilities, no_new_privs and the seccomp filter of a container's command (security.c):
 * what `run` and `exec` decide before the container starts, and apply inside it. */
#ifndef NETNS_RUN_SECURITY_H
#define NETNS_RUN_SECURITY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "opts.h"

struct ctr_record;

/* "CAP_NET_ADMIN" -> 12; -1 when unknown.  Exact, upper-case names. */
int rt_cap_from_name(const char *name);
/* 12 -> "CAP_NET_ADMIN"; NULL past the last capability this build knows. */
const char *rt_cap_name(int cap);
/* --cap-add/--cap-drop NAME ("net_admin", "CAP_NET_ADMIN", "ALL") into *mask; -EINVAL when
 * unknown (RT_ERR_USAGE naming opt). */
int rt_cap_add_to(uint64_t *mask, const char *opt, const char *name, struct nr_error *err);

/* Before the container exists, in the runtime: the command's capabilities (Docker's 14,
 * --cap-add/--cap-drop, --privileged: all) and the seccomp filter for them (the default
 * profile, seccomp=FILE's, none).  A bad profile is RT_ERR_USAGE, before anything is made. */
int security_prepare(struct run_opts *o, struct nr_error *err);
/* run: what exec needs again, into the record; exec: from the record, then prepare (an
 * exec whose o->privileged is set gets every capability, the container's filter kept). */
int security_to_record(const struct run_opts *o, struct ctr_record *rec);
int security_prepare_exec(struct run_opts *o, const struct ctr_record *rec, struct nr_error *err);

/* In the container's first process, once its root is ready, while the runtime brings the
 * network up: the default profile's filter (see security.c). */
int security_early(const struct run_opts *o, struct nr_error *err);
/* In the container (child.c for the init and the command, exec.c): the capability sets,
 * no_new_privs; with no-new-privileges=false the filter too, while CAP_SYS_ADMIN allows. */
int security_apply(const struct run_opts *o, struct nr_error *err);
/* In the command's own process, right before its exec: the filter (under no_new_privs).
 * Exits 125 with a message when the kernel refuses it. */
void security_before_exec(const struct run_opts *o);

#endif

/* Container life-cycle pieces shared by the verbs. */
#ifndef NETNS_RUN_CTR_H
#define NETNS_RUN_CTR_H

#include <stdbool.h>

#include "base/error.h"
#include "cni/cni_result.h"
#include "engine/container.h"
#include "opts.h"
#include "tty_relay.h"

/* End a container's resources from its record: DEL the network with the cached result,
 * unmount its netns file, remove its cgroups; then remove its directory (remove, or the
 * record asked for --rm) or mark it exited and save it.  Goes on past failures; the
 * first is returned.  The container's processes must be gone (or about to be). */
int ctr_teardown(struct ctr_record *rec, bool remove, struct nr_error *err);

/* Its first part alone: every attachment's DNS names leave and its DEL runs (once: its
 * done flag afterwards), carrying on past failures; the first is returned. */
int ctr_net_down(struct ctr_record *rec, struct nr_error *err);
/* Whether every attachment's DEL ran. */
bool ctr_net_all_done(const struct ctr_record *rec);
/* Forget every attachment's DEL (rm -f when a plugin cannot DEL, a start that never ADDed). */
void ctr_net_mark_done(struct ctr_record *rec);

/* gc.c.  What it did, for a front end to show (report may be NULL). */
enum ctr_gc_event {
	CTR_GC_NO_RECORD,    /* name: a directory without a record (a start that died) removed */
	CTR_GC_CLEANED_UP,   /* name: a stale container torn down */
	CTR_GC_NETWORK_DONE, /* name: a network's plugins collected their garbage */
	CTR_GC_FAILED,       /* name (may be NULL): e says what failed; gc goes on */
};
typedef void (*ctr_gc_report_fn)(void *ctx, enum ctr_gc_event ev, const char *name, const struct nr_error *e);

/* Containers whose init is gone while their record says created/running and no
 * netns-run watches them any more: tear them down.  Returns how many; takes the lock. */
int ctr_gc_reconcile(ctr_gc_report_fn report, void *ctx, struct nr_error *err);
/* The plugins' own GC for every network, with the attachments still in use, then the
 * netns-run cgroup parents no container uses; -1 when a network's GC failed. */
int ctr_gc_networks(ctr_gc_report_fn report, void *ctx);

/* The command's environment: PATH, HOSTNAME, the image's Env, -e (K alone copies the
 * caller's value), then HOME unless set; a NULL-ended strv (rt_strv_free), NULL when out of memory. */
char **env_build(const struct run_opts *o, const char *hostname);
/* Apply o's -e to *env (a strv of "K=V"). */
int env_extend(char ***env, const struct run_opts *o);

/* etc.c: hostname, hosts (the host name on every address of every attachment of rec, as
 * Docker; 127.0.1.1 when none; rec may be NULL) and resolv.conf (the responders of rec's
 * DNS-enabled attachments with the host's search and options; else the first network's
 * result's DNS, res; else the host's minus loopback resolvers unless host_net).  Written
 * in place: the container's bind mounts of them stay valid. */
int etc_write(const char *ctr_dir, const char *hostname, bool host_net, const struct ctr_record *rec,
	      const struct cni_result *res, struct nr_error *err);

/* stop.c.  Send sig to the container's init and wait up to timeout_ms for it to go;
 * -ETIMEDOUT. */
int ctr_signal_wait(const struct ctr_record *rec, int sig, int timeout_ms);
/* The monitor tears down after the init ends; give it a bounded time to finish. */
void ctr_wait_monitor(const struct ctr_record *rec, int timeout_ms);
/* End the container (TERM, then KILL after timeout_s) and wait for its teardown. */
int ctr_stop(const char *name, int timeout_s, struct nr_error *err);
/* Remove a stopped container: its record and directory.  force: kill a running one
 * first, and remove the record even when the network's DEL fails; *ret_warning (when
 * not NULL) then says what may be left.  A container that is gone meanwhile is done. */
int ctr_remove(const char *name, bool force, struct nr_error *ret_warning, struct nr_error *err);

/* container_rename.c: name becomes new_name (directory and record), under the store's
 * lock; only a container with no live init or monitor (RT_ERR_CONFLICT otherwise, and
 * when new_name is taken). */
int ctr_rename(const char *name, const char *new_name, struct nr_error *err);

/* exec.c: run o's command (o->argv, -e, -w, -u, -i, -t) in the running container name;
 * the command's exit status in *ret_status.  Signals arriving on sigfd (a signalfd; -1:
 * none) are passed on to the command; io is the caller's side of a -t pty.  The
 * command is killed (SIGKILL) when the calling process dies. */
int ctr_exec(const char *name, struct run_opts *o, const struct tty_stdio *io, int sigfd, int *ret_status,
	     struct nr_error *err);

#endif

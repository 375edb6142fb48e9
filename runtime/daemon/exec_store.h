/* The daemon's exec instances (POST /containers/{id}/exec … GET /exec/{id}/json): kept
 * in memory only, as Docker keeps them, in one table under one mutex.  A finished
 * instance is dropped a while after its end (so the table stays bounded); a daemon
 * restarted forgets them all. */
#ifndef NETNS_RUN_DAEMON_EXEC_STORE_H
#define NETNS_RUN_DAEMON_EXEC_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "base/cleanup.h"
#include "engine/rt.h"
#include "relay.h"

/* At most this many instances; a finished one is kept EXEC_KEEP_S seconds. */
#define EXEC_MAX 1024
#define EXEC_KEEP_S 300

enum exec_state { EXEC_CREATED, EXEC_RUNNING, EXEC_EXITED };

struct exec_inst {
	/* Fixed at creation: */
	char id[RT_ID_LEN + 1];
	char ctr_name[RT_NAME_MAX];
	char ctr_id[RT_ID_LEN + 1];
	bool attach_in, attach_out, attach_err, tty, privileged;
	/* DetachKeys (a tty's input only, as Docker): as given, and as bytes */
	char detach_spec[64];
	char detach[RELAY_DETACH_MAX];
	size_t n_detach;
	/* What `netns-run-daemon --exec` is given (exec_main.c reads it): {"container",
	 * "argv", "env", "user", "workdir", "tty", "stdin", "privileged"}. */
	json_t *args;
	/* Under the table's mutex (exec_store_lock): */
	enum exec_state state;
	int exit_code;
	pid_t pid;
	int master; /* a tty's pty master while it runs (the daemon's side); -1 */
	unsigned short rows, cols;
	long long ended; /* CLOCK_MONOTONIC seconds */
	int refs;
};

/* A new instance (refs 1, the caller's), args stolen; NULL on ENOMEM. */
struct exec_inst *exec_inst_new(json_t *args);
/* Into the table (which takes a reference of its own): -ENOSPC when full. */
int exec_store_add(struct exec_inst *e);
/* The instance with this id, referenced; NULL when none. */
struct exec_inst *exec_store_get(const char *id);
struct exec_inst *exec_inst_ref(struct exec_inst *e);
void exec_inst_unref(struct exec_inst *e);
DEFINE_PTR_CLEANUP(exec_inst_unrefp, struct exec_inst *, exec_inst_unref)

void exec_store_lock(void);
void exec_store_unlock(void);

/* CREATED -> RUNNING: false when it was not CREATED (it runs or ran). */
bool exec_store_claim(struct exec_inst *e);
/* Back to CREATED (the start failed before anything ran). */
void exec_store_unclaim(struct exec_inst *e);
/* -> EXITED with code; the master is forgotten (its owner closes it). */
void exec_store_finish(struct exec_inst *e, int code);

#endif

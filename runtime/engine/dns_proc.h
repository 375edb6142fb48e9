/* The responder process of one network (engine/dns_net.h): is it alive, start it, signal
 * it, stop it.  DIR is <state>/dns/<network>; the callers hold DIR/lock. */
#ifndef NETNS_RUN_DNS_PROC_H
#define NETNS_RUN_DNS_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* The responder's program: $NETNS_RUN_DNS_BIN when set, else netns-run-dns in the
 * directory of this process's executable (/proc/self/exe: make install puts both in
 * BINDIR, the build both in build/bin).  Into buf. */
int dns_proc_binary(char *buf, size_t len, struct nr_error *err);

/* Whether a responder holds DIR/pid's lock (it does while it lives).  The probe takes
 * that lock for an instant: a responder starting then would refuse to run, hence the
 * caller's DIR/lock, under which alone responders are started. */
bool dns_proc_alive(const char *dir);

/* Start netns-run-dns [--internal] DIR and wait (at most a few seconds) for it to report
 * that it listens.  Its failure message (its stderr) becomes err's (RT_ERR_SYSTEM). */
int dns_proc_spawn(const char *dir, bool internal, struct nr_error *err);

/* Send sig to the responder; 0 when none is alive. */
int dns_proc_signal(const char *dir, int sig, struct nr_error *err);

/* SIGTERM the responder and wait until it is gone (SIGKILL after 2 s); 0 when none was
 * alive. */
int dns_proc_stop(const char *dir, struct nr_error *err);

#endif

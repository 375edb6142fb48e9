/* The daemon's binary is also two helpers, re-executed by the daemon so that no container
 * process is ever forked from its threads: `netns-run-daemon --monitor …`, a container's
 * monitor (monitor_main.c over engine/monitor.h), and `netns-run-daemon --exec …`, one
 * exec's process (exec_main.c over the engine's ctr_exec).  main.c dispatches on argv[1]. */
#ifndef NETNS_RUN_DAEMON_MODES_H
#define NETNS_RUN_DAEMON_MODES_H

/* argv[0] is the binary, argv[1] the mode's flag; each returns the exit status. */
int daemon_monitor_main(int argc, char **argv);
int daemon_exec_main(int argc, char **argv);

/* The path of this binary (for re-executing it): /proc/self/exe resolved at start. */
const char *daemon_self_path(void);

#endif

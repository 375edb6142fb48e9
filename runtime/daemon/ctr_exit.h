/* Exit statuses of AutoRemove containers, which take their record with them: the monitor
 * (monitor_main.c) leaves <state_dir>/exits/NAME ("STATUS\n") just before its teardown
 * removes the container's directory, for the daemon's wait?condition=removed
 * (container_life.c), as Docker's wait answers with the status of a container it removed.  Files older than
 * CTR_EXIT_KEEP_S are pruned whenever one is written. */
#ifndef NETNS_RUN_DAEMON_CTR_EXIT_H
#define NETNS_RUN_DAEMON_CTR_EXIT_H

#include <stdbool.h>
#include <stddef.h>

#define CTR_EXIT_KEEP_S 600

/* <state_dir>/exits into buf; NULL when it does not fit. */
const char *ctr_exit_dir(char *buf, size_t len);
/* Remove files of dir older than CTR_EXIT_KEEP_S. */
void ctr_exit_prune(const char *dir);
/* name's status, if a monitor left one no earlier than since (unix time). */
bool ctr_exit_read(const char *name, long long since, int *ret_status);

#endif

/* The tuning plugin's steps inside the container's network namespace (apply.c), each run
 * with netns_run_path(). */
#ifndef NETNS_RUN_TUNING_APPLY_H
#define NETNS_RUN_TUNING_APPLY_H

#include "tuning.h"

struct tun_op {
	const struct tun_conf *conf; /* ADD and CHECK */
	const char *ifname;
	const char *backup_path;
	const char *network, *container_id; /* the backup's owner */
	bool ret_drop_backup;               /* DEL: what the backup held is restored or gone */
};

/* Sysctls, then the backup file, then the link; undone as a whole on failure. */
int tun_ns_add(void *arg, struct nr_error *err);
/* Put back what the backup holds; sets ret_drop_backup when it is done with. */
int tun_ns_del(void *arg, struct nr_error *err);
/* The configured values against the namespace's. */
int tun_ns_check(void *arg, struct nr_error *err);

#endif

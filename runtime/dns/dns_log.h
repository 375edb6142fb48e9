/* The responder's log: lines on stderr, which the daemon points at DIR/log.  The file is
 * kept small: past DNS_LOG_MAX bytes it moves to log.1 (replacing the older one) and a
 * new log starts, so a long-lived responder never fills the state directory. */
#ifndef NETNS_RUN_DNS_LOG_H
#define NETNS_RUN_DNS_LOG_H

#define DNS_LOG_MAX (1u << 20)

/* From now on, write to DIR/log (dirfd) on stdout and stderr, rotating it. */
int dns_log_to_dir(int dirfd);

void dns_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

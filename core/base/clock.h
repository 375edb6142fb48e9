/* The monotonic clock in milliseconds, for deadlines and timeouts. */
#ifndef NETNS_RUN_CLOCK_H
#define NETNS_RUN_CLOCK_H

long long clock_now_ms(void);

#endif

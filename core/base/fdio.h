/* Reading and writing whole buffers on file descriptors. */
#ifndef NETNS_RUN_FDIO_H
#define NETNS_RUN_FDIO_H

#include <stddef.h>

/* Read fd to EOF into a NUL-terminated malloc'd buffer.  -E2BIG when more than max
 * bytes arrive (reading stops there). */
int fd_read_all(int fd, size_t max, char **ret_buf, size_t *ret_len);

/* Write all of buf, retrying on EINTR and short writes. */
int fd_write_all(int fd, const void *buf, size_t len);

/* Read a small file (sysctl, pid file) into buf, NUL-terminated and trailing newline
 * stripped. */
int file_read_line(const char *path, char *buf, size_t len);

#endif

/* The body of an API_BODY_STREAM request, carried to its handler's thread (server.c). */
#ifndef NETNS_RUN_DAEMON_SERVER_BODY_H
#define NETNS_RUN_DAEMON_SERVER_BODY_H

#include <stdbool.h>
#include <stddef.h>

/* A connected pair: ret[0] the handler's (r->body_fd), ret[1] ours to write the body to. */
int body_pipe_open(int ret[2]);
/* Write a chunk; -EPIPE when the handler closed its end (it wants no more). */
int body_pipe_write(int wr, const void *buf, size_t len);
/* Close our end: complete, the handler reads EOF after the last byte; not complete (the
 * client left mid-upload), its read fails with ECONNRESET after the last byte, so it
 * knows to roll back. */
void body_pipe_close(int wr, bool complete);

#endif

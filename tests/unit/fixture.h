/* Helpers shared by the unit tests (linked into every one of them). */
#ifndef NETNS_RUN_TEST_FIXTURE_H
#define NETNS_RUN_TEST_FIXTURE_H

#include <stddef.h>

/* Remove a directory tree made by a test (mkdtemp); errors are ignored. */
void fixture_rm_tree(const char *dir);

/* A private NETNS_RUN_STATE_DIR (rt_paths() reads it once, on first use): a temporary
 * directory named after name, into dir (at least 64 bytes); 0 or -1. */
int fixture_state_dir(char *dir, size_t len, const char *name);

#endif

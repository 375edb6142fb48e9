/* Helpers shared by the unit tests (linked into every one of them). */
#ifndef NETNS_RUN_TEST_FIXTURE_H
#define NETNS_RUN_TEST_FIXTURE_H

/* Remove a directory tree made by a test (mkdtemp); errors are ignored. */
void fixture_rm_tree(const char *dir);

#endif

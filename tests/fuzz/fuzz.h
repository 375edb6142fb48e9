/* Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c, docs/reliability.md).
 * A target gets arbitrary bytes: never NUL-terminated, possibly containing NULs. */
#ifndef NETNS_RUN_FUZZ_H
#define NETNS_RUN_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* A NUL-terminated copy (the fuzzer's buffer has none). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split off the first line: *line gets a malloc'd copy of it, the rest stays in data/size. */
static inline char *fuzz_first_line(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;
	char *line = fuzz_str(*data, n);

	*data += nl ? n + 1 : n;
	*size -= nl ? n + 1 : n;
	return line;
}

/* Every failure must be a well-formed error: a code and a message a person can read. */
static inline void fuzz_check_error(int r, const struct nr_error *err)
{
	if (r >= 0)
		return;
	if (err->code <= 0 || !err->msg[0] || strnlen(err->msg, sizeof(err->msg)) == sizeof(err->msg)) {
		fprintf(stderr, "malformed error: r=%d code=%d msg=%.80s\n", r, err->code, err->msg);
		abort();
	}
}

/* A private directory for targets that must go through files (created once per process). */
static inline const char *fuzz_tmpdir(void)
{
	static char dir[64];

	if (!dir[0]) {
		/* Under TMPDIR: tests/reliability/fuzz.sh gives each target one and removes it. */
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/nr-fuzz.XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	return dir;
}

static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
}

#endif

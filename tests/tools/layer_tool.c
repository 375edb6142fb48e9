/* The layer functions (runtime/image/layer.h) from the shell, for
 * tests/integration/images_layer.sh:
 *   layer_tool unpack DIR <TAR        prints "DIFF_ID SIZE"
 *   layer_tool pack UPPER [SHIFT] >TAR  prints "DIGEST SIZE" on stderr
 *   layer_tool diff UPPER [LOWER...]  prints "K /path" lines (lowers top first)
 * A failure prints the error's message on stderr and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/layer.h"

static int print_change(enum layer_change kind, const char *path, void *arg)
{
	(void)arg;
	printf("%c %s\n", (char)kind, path);
	return 0;
}

int main(int argc, char **argv)
{
	struct nr_error err = { 0 };
	img_digest digest;
	long long size = 0;
	int r;

	if (argc >= 3 && !strcmp(argv[1], "unpack")) {
		r = layer_unpack(0, argv[2], digest, &size, &err);
		if (r >= 0)
			printf("%s %lld\n", digest, size);
	} else if (argc >= 3 && !strcmp(argv[1], "pack")) {
		r = layer_pack(argv[2], 1, argc > 3 ? strtoul(argv[3], NULL, 10) : 0, digest, &size, &err);
		if (r >= 0)
			fprintf(stderr, "%s %lld\n", digest, size);
	} else if (argc >= 3 && !strcmp(argv[1], "diff")) {
		r = layer_diff(argv[2], (const char *const *)argv + 3, (size_t)(argc - 3), print_change, NULL, &err);
	} else {
		fprintf(stderr,
			"usage: layer_tool unpack DIR <TAR | pack UPPER [SHIFT] >TAR | diff UPPER [LOWER...]\n");
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "layer_tool: %s\n", err.msg);
		return 1;
	}
	return 0;
}

/* The one printer of netns-run-overlay: "netns-run-overlay: <msg>" (and its details). */
#include <stdio.h>

#include "ovl.h"

void ovl_print_error(const struct nr_error *err)
{
	fprintf(stderr, "netns-run-overlay: %s\n", err->msg[0] ? err->msg : "failed");
	if (err->details[0])
		fprintf(stderr, "  %s\n", err->details);
}

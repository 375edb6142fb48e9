/* The lab program's one printer (cmd.h), in a file of its own so that the lab's unit
 * tests and fuzz targets, which link every object but main.o, have it too. */
#include <stdio.h>

#include "lab/cmd.h"

void lab_print_error(const struct nr_error *err)
{
	fprintf(stderr, "netns-run lab: %s\n", err->msg[0] ? err->msg : "failed");
	if (err->details[0])
		fprintf(stderr, "netns-run lab: (%s)\n", err->details);
}

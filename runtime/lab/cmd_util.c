/* The verbs' shared bits (cmd_util.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/cmd_util.h"

int lab_cmd_lab_name(const char *file, const char *name, char *buf, struct lab_topo **ret_topo, struct nr_error *err)
{
	struct lab_topo *t = NULL;
	int r;

	if ((file && name) || (!file && !name))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "give either -t FILE or --name LAB");
	if (name) {
		if (strlen(name) >= LAB_NAME_MAX)
			return nr_error_set(err, RT_ERR_USAGE, ENAMETOOLONG, "lab name too long: %s", name);
		snprintf(buf, LAB_NAME_MAX, "%s", name);
		return 0;
	}
	if ((r = lab_topo_parse_file(file, &t, err)) < 0)
		return r;
	snprintf(buf, LAB_NAME_MAX, "%s", t->name);
	if (ret_topo)
		*ret_topo = t;
	else
		lab_topo_free(t);
	return 0;
}

int lab_cmd_fail(const struct nr_error *err)
{
	lab_print_error(err);
	return err->code == RT_ERR_USAGE ? LAB_EXIT_USAGE : LAB_EXIT_FAIL;
}

/* `netns-run-overlay agent`: its options; the agent is agent.c's. */
#include "cmd_args.h"
#include "ovl.h"

static const char agent_usage[] = "Usage: netns-run-overlay agent [--foreground] NAME\n"
				  "\n"
				  "The host agent of the overlay network NAME (joined here): claims a subnet, keeps\n"
				  "its lease, watches the other hosts and keeps the VXLAN device's entries in step.\n"
				  "Forks into the background once it holds its subnet, unless --foreground.  Its\n"
				  "log: <state>/overlay/NAME/log.\n";

int ovl_cmd_agent(int argc, char **argv)
{
	struct ovl_args a;
	int r;

	if ((r = ovl_args_parse(argc, argv, OVL_ARG_FG, agent_usage, &a)) <= 0)
		return r == 0 ? 0 : OVL_EXIT_FAIL;
	return ovl_agent_main(a.name, a.foreground);
}

/* `netns-run ps`: one line per container from its record, with live usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/cgroup.h"
#include "engine/container.h"
#include "engine/net.h"

static const char *status_of(const struct ctr_record *rec, char *buf, size_t len)
{
	if (rec->status == CTR_EXITED) {
		if (!rec->has_exit_code)
			return "exited (?)"; /* its netns-run was killed: nobody saw the status */
		snprintf(buf, len, "exited (%d)%s", rec->exit_code, rec->oom ? " oom" : "");
		return buf;
	}
	if (!ctr_init_alive(rec))
		return "dead";
	return rec->status == CTR_RUNNING ? "running" : "created";
}

struct ps_ctx {
	bool all;
};

static int ps_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != 'a')
		return -1;
	((struct ps_ctx *)ctx)->all = true;
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	static const struct option extra[] = { { "all", no_argument, NULL, 'a' }, { 0 } };
	struct ps_ctx ctx = { 0 };
	struct nr_error err = { 0 };
	char **names = NULL;
	int r = cli_small_opts(argc, argv,
			       "Usage: netns-run ps [-a]\n\nList running containers: name, id, image, init pid, network, addresses,\n"
			       "state, and current memory, cpu and task use.\n\n  -a, --all   also exited ones\n",
			       "+ha", extra, ps_opt, &ctx, 0);

	if (r <= 0)
		return -r;
	if (ctr_store_names(&names, &err) < 0) {
		return cli_error(&err);
	}
	/* IMAGE last: the columns before it keep the places scripts have read them at since
	 * before images existed. */
	printf("%-16s %-12s %-8s %-18s %-20s %-14s %-9s %-8s %-6s %s\n", "NAME", "ID", "PID", "NETWORK", "ADDRESSES",
	       "STATE", "MEM", "CPU", "PIDS", "IMAGE");
	for (char **p = names; *p; p++) {
		_cleanup_record_ struct ctr_record *rec = NULL;
		char id[13], addrs[512] = "", sbuf[64], mem[32] = "-", cpu[32] = "-", pids[16] = "-";
		size_t used = 0;
		if (ctr_store_load(*p, &rec, NULL) < 0)
			continue;
		bool running = ctr_running(rec);
		if (!ctx.all && !running)
			continue;
		snprintf(id, sizeof(id), "%s", rec->id);
		char netname[256] = "";
		size_t nused = 0;
		for (size_t k = 0; k <= rec->n_more; k++) {
			const struct ctr_network *a = k ? &rec->more[k - 1] : &rec->net;
			char one[80];
			/* The first network's place after `network disconnect` of it with no other. */
			if (a->mode == CTR_NET_CNI && !a->name)
				continue;
			net_mode_of(a->mode)->describe(a, one, sizeof(one));
			nused += snprintf(netname + nused, nused < sizeof(netname) ? sizeof(netname) - nused : 0,
					  "%s%s", nused ? "," : "", one);
			for (size_t i = 0; a->addresses && a->addresses[i]; i++)
				used += snprintf(addrs + used, used < sizeof(addrs) ? sizeof(addrs) - used : 0, "%s%s",
						 used ? "," : "", a->addresses[i]);
		}
		if (running && rec->cgroup) {
			long long m, c, n;
			cgroup_usage(rec->cgroup, &m, &c, &n);
			if (m >= 0)
				snprintf(mem, sizeof(mem), "%.1fMiB", m / 1048576.0);
			if (c >= 0)
				snprintf(cpu, sizeof(cpu), "%.2fs", c / 1e9);
			if (n >= 0)
				snprintf(pids, sizeof(pids), "%lld", n);
		}
		/* IMAGE as given, as docker ps shows it; "-" for the host's root. */
		printf("%-16s %-12s %-8lld %-18s %-20s %-14s %-9s %-8s %-6s %s\n", *p, id,
		       running ? (long long)rec->pid : 0, nused ? netname : "-", used ? addrs : "-",
		       status_of(rec, sbuf, sizeof(sbuf)), mem, cpu, pids, rec->image_ref ? rec->image_ref : "-");
	}
	rt_strv_free(names);
	return 0;
}

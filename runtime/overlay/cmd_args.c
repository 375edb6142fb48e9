/* The verbs' common option loop (cmd_args.h). */
#include "cmd_args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum { OPT_STORE = 1000, OPT_CACERT, OPT_CERT, OPT_KEY, OPT_SUBNET, OPT_LABEL, OPT_FG };

static int usage_error(const char *verb, const char *usage, const char *what, const char *arg)
{
	fprintf(stderr, "netns-run-overlay %s: %s%s%s\n%s", verb, what, arg ? " " : "", arg ? arg : "", usage);
	return -1;
}

int ovl_args_parse(int argc, char **argv, int which, const char *usage, struct ovl_args *ret)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "store", required_argument, NULL, OPT_STORE },
		{ "store-cacert", required_argument, NULL, OPT_CACERT },
		{ "store-cert", required_argument, NULL, OPT_CERT },
		{ "store-key", required_argument, NULL, OPT_KEY },
		{ "subnet", required_argument, NULL, OPT_SUBNET },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "opt", required_argument, NULL, 'o' },
		{ "driver", required_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, OPT_FG },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb = argv[0];
	int c, idx;

	*ret = (struct ovl_args){ 0 };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ho:d:", longopts, &idx)) != -1) {
		bool ok = true;
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case OPT_STORE:
			ok = which & OVL_ARG_STORE;
			ret->store.endpoints = optarg;
			break;
		case OPT_CACERT:
			ok = which & OVL_ARG_STORE;
			ret->store.cacert = optarg;
			break;
		case OPT_CERT:
			ok = which & OVL_ARG_STORE;
			ret->store.cert = optarg;
			break;
		case OPT_KEY:
			ok = which & OVL_ARG_STORE;
			ret->store.key = optarg;
			break;
		case OPT_SUBNET:
			ok = which & OVL_ARG_CREATE;
			if (ret->subnet)
				return usage_error(verb, usage, "one --subnet only (an overlay network has one CIDR)",
						   NULL);
			ret->subnet = optarg;
			break;
		case OPT_LABEL:
			ok = which & OVL_ARG_CREATE;
			if (ret->n_labels == OVL_KV_MAX)
				return usage_error(verb, usage, "too many --label", NULL);
			ret->labels[ret->n_labels++] = optarg;
			break;
		case 'o':
			ok = which & OVL_ARG_OPT;
			if (ret->n_opts == OVL_KV_MAX)
				return usage_error(verb, usage, "too many --opt", NULL);
			if (!strchr(optarg, '='))
				return usage_error(verb, usage, "--opt takes KEY=VALUE, not", optarg);
			ret->opts[ret->n_opts++] = optarg;
			break;
		case 'd':
			ok = which & OVL_ARG_CREATE;
			if (ok && strcmp(optarg, "overlay"))
				return usage_error(verb, usage, "the only driver here is overlay, not", optarg);
			break;
		case OPT_FG:
			ok = which & OVL_ARG_FG;
			ret->foreground = true;
			break;
		default:
			return usage_error(verb, usage, "unknown option", argv[optind - 1]);
		}
		if (!ok)
			return usage_error(verb, usage, "this verb does not take", argv[optind - 1]);
	}
	if (optind != argc - 1)
		return usage_error(verb, usage, optind == argc ? "a network NAME is wanted" : "one NAME only", NULL);
	ret->name = argv[optind];
	return 1;
}

const char *ovl_args_opt(const struct ovl_args *a, const char *key)
{
	const char *v = NULL;
	size_t len = strlen(key);

	for (size_t i = 0; i < a->n_opts; i++)
		if (!strncmp(a->opts[i], key, len) && a->opts[i][len] == '=')
			v = a->opts[i] + len + 1;
	return v;
}

/* `netns-run version [--format TEMPLATE]`: the client's and the engine's versions, laid
 * out as `docker version`'s (Client, then Server with its Engine).  Both are this one
 * binary today, so they agree; they stay apart for the daemon to come.  The version,
 * commit and date come from the build (the Makefile's build/version.h: git describe, or
 * a fallback outside a git tree).  --format takes docker's Go-template fields
 * ({{.Client.Version}}, {{.Server.KernelVersion}}, {{json .}}), nothing else of Go's
 * templates. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "cli/cli.h"
#include "cni/cni_version.h"
#include "engine/container.h"

#if __has_include("nr_version.h")
#include "nr_version.h"
#else /* built without the Makefile's header (the fuzz build) */
#define NR_VERSION "0.0.0-unknown"
#define NR_GIT_COMMIT "unknown"
#define NR_BUILT "unknown"
#endif

#if defined(__clang__)
#define NR_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define NR_COMPILER "gcc " __VERSION__
#else
#define NR_COMPILER "cc"
#endif

/* Go's names for the architectures, as docker prints them. */
#if defined(__x86_64__)
#define NR_ARCH "amd64"
#elif defined(__aarch64__)
#define NR_ARCH "arm64"
#elif defined(__i386__)
#define NR_ARCH "386"
#elif defined(__arm__)
#define NR_ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define NR_ARCH "riscv64"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NR_ARCH "ppc64le"
#elif defined(__s390x__)
#define NR_ARCH "s390x"
#else
#define NR_ARCH "unknown"
#endif

/* The labels of the text layout, in order, for the keys of each section. */
static const struct {
	const char *key, *label;
} labels[] = {
	{ "Version", "Version" },     { "RecordVersion", "Record version" }, { "CNIVersions", "CNI versions" },
	{ "Compiler", "C compiler" }, { "GitCommit", "Git commit" },         { "BuildTime", "Built" },
	{ "OsArch", "OS/Arch" },      { "KernelVersion", "Kernel version" },
};

static json_t *versions(void)
{
	const char *const *v = cni_supported_versions;
	char cni[64];
	struct utsname u;
	size_t n = 0;

	while (v[n])
		n++;
	snprintf(cni, sizeof(cni), "%s to %s", v[0], v[n - 1]);
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "unknown");
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
			 "Client", "Version", NR_VERSION, "Compiler", NR_COMPILER, "GitCommit", NR_GIT_COMMIT,
			 "BuildTime", NR_BUILT, "Os", "linux", "Arch", NR_ARCH, "OsArch", "linux/" NR_ARCH, "Server",
			 "Version", NR_VERSION, "RecordVersion", CTR_RECORD_VERSION, "CNIVersions", cni, "Compiler",
			 NR_COMPILER, "GitCommit", NR_GIT_COMMIT, "BuildTime", NR_BUILT, "Os", "linux", "Arch", NR_ARCH,
			 "OsArch", "linux/" NR_ARCH, "KernelVersion", u.release);
}

static void print_section(json_t *sec, const char *indent)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		json_t *v = json_object_get(sec, labels[i].key);
		if (!v)
			continue;
		printf("%s%s:%*s", indent, labels[i].label, (int)(16 - strlen(labels[i].label)), "");
		if (json_is_integer(v))
			printf("%lld\n", (long long)json_integer_value(v));
		else
			printf("%s\n", json_string_value(v));
	}
}

/* ".Client.Version" (or "." for all) in root; NULL when there is no such field. */
static json_t *field(json_t *root, const char *path)
{
	char buf[128], *save = NULL;

	if (path[0] != '.' || snprintf(buf, sizeof(buf), "%s", path + 1) >= (int)sizeof(buf))
		return NULL;
	for (char *k = strtok_r(buf, ".", &save); k && root; k = strtok_r(NULL, ".", &save))
		root = json_object_get(root, k);
	return root;
}

/* {{.A.B}} prints a field, {{json .A}} its JSON; the rest of the template is copied. */
static int print_template(json_t *root, const char *t)
{
	for (;;) {
		const char *open = strstr(t, "{{"), *close = open ? strstr(open, "}}") : NULL;
		char expr[160];
		bool as_json = false;
		if (!open || !close) {
			fputs(t, stdout);
			break;
		}
		fwrite(t, 1, (size_t)(open - t), stdout);
		snprintf(expr, sizeof(expr), "%.*s", (int)(close - open - 2), open + 2);
		char *e = expr + strspn(expr, " ");
		for (char *end = e + strlen(e); end > e && end[-1] == ' ';)
			*--end = '\0';
		if (!strncmp(e, "json ", 5)) {
			as_json = true;
			e += 5 + strspn(e + 5, " ");
		}
		json_t *v = field(root, e);
		if (!v)
			return cli_usage_error("version", "--format: no field %s (see docs/cli.md)", e);
		_cleanup_free_ char *text = json_is_string(v) && !as_json
						    ? NULL
						    : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(text ? text : json_string_value(v), stdout);
		t = close + 2;
	}
	fputc('\n', stdout);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	static const struct option longopts[] = { { "format", required_argument, NULL, 'f' },
						  { "help", no_argument, NULL, 'h' },
						  { 0 } };
	_cleanup_json_ json_t *root = versions();
	const char *format = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs("Usage: netns-run version [-f|--format TEMPLATE]\n\nThe client's and the engine's versions, as "
			      "`docker version` shows them.\n--format takes fields as docker's: '{{.Client.Version}}', "
			      "'{{.Server.KernelVersion}}', '{{json .}}'.\n",
			      stdout);
			return 0;
		}
		if (c != 'f')
			return cli_usage_error("version", "bad option %s (see --help)", argv[optind - 1]);
		format = optarg;
	}
	if (optind < argc)
		return cli_usage_error("version", "takes no arguments (see --help)");
	if (!root)
		return cli_usage_error("version", "out of memory");
	if (format)
		return print_template(root, format);
	printf("Client:\n");
	print_section(json_object_get(root, "Client"), " ");
	printf("\nServer:\n Engine:\n");
	print_section(json_object_get(root, "Server"), "  ");
	return 0;
}

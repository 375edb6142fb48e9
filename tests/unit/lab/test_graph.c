/* The lab's picture (runtime/lab/graph.h) from parsed topologies: what Graphviz is given
 * (nodes by kind, one edge per link, even two between the same nodes, interface names and
 * addresses at the ends), the formats taken and refused, and the file written whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/rt_error.h"
#include "lab/cmd.h"
#include "lab/graph.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/nr-labgraph.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[128];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	return rmdir(dir);
}

static struct lab_topo *topo(const char *yaml)
{
	struct nr_error err = { 0 };
	struct lab_topo *t = NULL;

	if (lab_topo_parse_buf(yaml, strlen(yaml), "g.yml", &t, &err) < 0)
		fail_msg("%s", err.msg);
	return t;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static size_t files_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static const char lab[] = "name: g\n"
			  "topology:\n"
			  "  nodes: {r1: {image: frr}, r2: {}, sw: {kind: bridge}}\n"
			  "  links:\n"
			  "    - endpoints: [r1:eth1, r2:eth1]\n"
			  "    - endpoints: [r1:eth2, r2:eth2]\n"
			  "      mtu: 1500\n"
			  "    - endpoints: [r2:eth3, sw:sw-r2]\n"
			  "    - endpoints: [r1:eth3, host:lab-r1]\n";

static void test_svg(void **state)
{
	struct lab_topo *t = topo(lab);
	struct nr_error err = { 0 };
	char path[128];
	char *svg;

	/* Addresses, as lab_read_addresses leaves them once the lab is deployed. */
	t->links[0].a.addrs = calloc(3, sizeof(char *));
	t->links[0].a.addrs[0] = strdup("10.0.12.1/30");
	t->links[0].a.addrs[1] = strdup("fd00:12::1/64");
	snprintf(path, sizeof(path), "%s/g.svg", dir);
	assert_int_equal(lab_graph_write(t, path, &err), 0);
	svg = slurp(path);
	assert_non_null(strstr(svg, "<svg"));
	assert_int_equal(count(svg, "class=\"node\""), 4);
	/* Two links between r1 and r2 are two edges. */
	assert_int_equal(count(svg, "class=\"edge\""), 4);
	assert_non_null(strstr(svg, ">eth1<"));
	assert_non_null(strstr(svg, ">sw&#45;r2<"));
	assert_non_null(strstr(svg, ">10.0.12.1/30<"));
	assert_non_null(strstr(svg, ">fd00:12::1/64<"));
	assert_non_null(strstr(svg, ">mtu 1500<"));
	assert_non_null(strstr(svg, ">frr<"));
	assert_non_null(strstr(svg, ">(host root)<"));
	assert_non_null(strstr(svg, ">bridge<"));
	assert_non_null(strstr(svg, ">host namespace<"));
	assert_non_null(strstr(svg, "<polygon fill=\"#fff2cc\""));
	assert_int_equal(files_in_dir(), 1);
	free(svg);
	lab_topo_free(t);
}

static void test_dot_and_png(void **state)
{
	struct lab_topo *t = topo(lab);
	struct nr_error err = { 0 };
	char path[128], *dot;
	unsigned char magic[8];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/g.dot", dir);
	assert_int_equal(lab_graph_write(t, path, &err), 0);
	dot = slurp(path);
	assert_non_null(strstr(dot, "graph g {"));
	assert_int_equal(count(dot, " -- "), 4);
	assert_non_null(strstr(dot, "taillabel=eth1"));
	assert_non_null(strstr(dot, "headlabel=\"lab-r1\""));
	free(dot);
	snprintf(path, sizeof(path), "%s/g.png", dir);
	assert_int_equal(lab_graph_write(t, path, &err), 0);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fread(magic, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(magic, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 1000);
	lab_topo_free(t);
}

/* Graphviz reads backslash escapes in labels: a name's own backslash stays one. */
static void test_label_escapes(void **state)
{
	struct lab_topo *t = topo("name: e\ntopology:\n  nodes: {a: {}, b: {}}\n  links:\n"
				  "    - endpoints: ['a:x\\N', 'b:y\\n']\n");
	struct nr_error err = { 0 };
	char path[128], *svg;

	snprintf(path, sizeof(path), "%s/e.svg", dir);
	assert_int_equal(lab_graph_write(t, path, &err), 0);
	svg = slurp(path);
	assert_non_null(strstr(svg, ">x\\N<"));
	assert_non_null(strstr(svg, ">y\\n<"));
	free(svg);
	lab_topo_free(t);
}

static void test_refused(void **state)
{
	struct lab_topo *t = topo(lab);
	struct nr_error err = { 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/g.jpg", dir);
	assert_int_equal(lab_graph_write(t, path, &err), -EINVAL);
	assert_int_equal(err.code, RT_ERR_USAGE);
	assert_non_null(strstr(err.msg, ".svg, .png or .dot"));
	snprintf(path, sizeof(path), "%s/svg", dir);
	assert_int_equal(lab_graph_write(t, path, &err), -EINVAL);
	snprintf(path, sizeof(path), "%s/g.SVG", dir);
	assert_int_equal(lab_graph_write(t, path, &err), -EINVAL);
	snprintf(path, sizeof(path), "%s/none/g.svg", dir);
	assert_int_equal(lab_graph_write(t, path, &err), -ENOENT);
	assert_int_equal(err.code, RT_ERR_SYSTEM);
	assert_non_null(strstr(err.msg, "cannot write"));
	assert_int_equal(files_in_dir(), 0);
	lab_topo_free(t);
}

/* Over an existing picture: replaced by a whole new file (a rename), no temporary left. */
static void test_replaces_whole(void **state)
{
	struct lab_topo *t = topo(lab);
	struct nr_error err = { 0 };
	char path[128], *svg;
	struct stat before, after;
	FILE *f;

	snprintf(path, sizeof(path), "%s/g.svg", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("old", f);
	fclose(f);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(lab_graph_write(t, path, &err), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_not_equal(before.st_ino, after.st_ino);
	svg = slurp(path);
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
	assert_int_equal(files_in_dir(), 1);
	lab_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_svg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dot_and_png, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaces_whole, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

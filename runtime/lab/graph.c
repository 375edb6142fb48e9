/* A lab's picture with Graphviz's C library: one Graphviz node per lab node (its shape and
 * colour by kind), one edge per link with the interface names (and addresses, once read)
 * at its two ends.  Rendered into a temporary file beside the target, renamed over it. */
#include "lab/graph.h"

#include <errno.h>
#include <fcntl.h>
#include <gvc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"

#define GRAPH_NEATO_MAX 200

/* The picture's format, from the file's extension (Graphviz's renderer names). */
static const char *graph_format(const char *file)
{
	static const char *const exts[][2] = { { ".svg", "svg" }, { ".png", "png" }, { ".dot", "dot" } };
	size_t n = strlen(file);

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n > 4 && !strcmp(file + n - 4, exts[i][0]))
			return exts[i][1];
	return NULL;
}

/* Graphviz reports through agerr(), to stderr by default: kept here for our error instead
 * (the program is single-threaded; Graphviz itself is not thread-safe). */
static char gv_msgs[NR_ERROR_DETAILS_MAX];

static int gv_msg(char *msg)
{
	size_t n = strlen(gv_msgs);

	snprintf(gv_msgs + n, sizeof(gv_msgs) - n, "%s", msg);
	return 0;
}

#if defined(__SANITIZE_ADDRESS__)
/* Sanitized builds only (make asan): fontconfig, which Graphviz's pango plugin loads to
 * measure labels, keeps its configuration in blocks it no longer points to; LeakSanitizer
 * would report them at every exit of a program that drew a picture. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

/* Without it, a run whose only leaks were suppressed still writes a report (the table of
 * suppressions used), which tests/reliability/sanitize.sh counts as a failure. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

/* One Graphviz context for the process, never freed: the pango plugin of Graphviz 2.42
 * keeps a pointer to the last font name, which lives in the context's font dictionary;
 * a second context after gvFreeContext() would compare against freed memory (ASan sees
 * it in test_graph).  Graphviz is not thread-safe: callers draw from one thread. */
static GVC_t *graph_context(void)
{
	static GVC_t *gvc;

	if (!gvc)
		gvc = gvContext();
	return gvc;
}

static void set(void *obj, const char *name, const char *value)
{
	/* Graphviz 2.42 takes char * but copies (agstrdup) what it keeps. */
	agsafeset(obj, (char *)name, (char *)value, "");
}

/* A label's text: Graphviz reads backslash escapes (\n, \N, \G ...) in labels, so a
 * backslash in a name is doubled; lines are joined with Graphviz's "\n". */
struct label {
	char buf[1024];
	size_t n;
};

static void label_add(struct label *l, const char *s)
{
	if (l->n && l->n + 2 < sizeof(l->buf)) {
		l->buf[l->n++] = '\\';
		l->buf[l->n++] = 'n';
	}
	for (; *s && l->n + 2 < sizeof(l->buf); s++) {
		if (*s == '\\')
			l->buf[l->n++] = '\\';
		l->buf[l->n++] = *s;
	}
	l->buf[l->n] = '\0';
}

static const struct {
	const char *shape, *style, *fill;
} kind_look[] = {
	[LAB_KIND_LINUX] = { "box", "rounded,filled", "#cfe2f3" },
	[LAB_KIND_BRIDGE] = { "hexagon", "filled", "#fff2cc" },
	[LAB_KIND_HOST] = { "box3d", "filled", "#d9d9d9" },
};

static Agnode_t *node_draw(Agraph_t *g, const struct lab_node *n)
{
	Agnode_t *v = agnode(g, (char *)n->name, 1);
	struct label l = { 0 };

	if (!v)
		return NULL;
	label_add(&l, n->name);
	if (n->kind == LAB_KIND_LINUX)
		label_add(&l, n->image ? n->image : "(host root)");
	else
		label_add(&l, n->kind == LAB_KIND_BRIDGE ? "bridge" : "host namespace");
	if (n->mgmt_ipv4)
		label_add(&l, n->mgmt_ipv4);
	set(v, "label", l.buf);
	set(v, "shape", kind_look[n->kind].shape);
	set(v, "style", kind_look[n->kind].style);
	set(v, "fillcolor", kind_look[n->kind].fill);
	return v;
}

static void end_label(const struct lab_endpoint *e, struct label *l)
{
	label_add(l, e->ifname);
	for (size_t i = 0; e->addrs && e->addrs[i]; i++)
		label_add(l, e->addrs[i]);
}

static int graph_build(Agraph_t *g, const struct lab_topo *t, Agnode_t **v)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!(v[i] = node_draw(g, &t->nodes[i])))
			return -ENOMEM;
	for (size_t i = 0; i < t->n_links; i++) {
		const struct lab_link *k = &t->links[i];
		struct label a = { 0 }, b = { 0 };
		char name[32], mtu[32];
		Agedge_t *e;
		/* Named, so that two links between the same nodes are two edges. */
		snprintf(name, sizeof(name), "link%zu", i);
		if (!(e = agedge(g, v[k->a.node], v[k->b.node], name, 1)))
			return -ENOMEM;
		end_label(&k->a, &a);
		end_label(&k->b, &b);
		set(e, "taillabel", a.buf);
		set(e, "headlabel", b.buf);
		/* Addresses make the end labels two or three lines: longer edges, labels further
		 * out, so the ends of two links leaving one node do not write over each other. */
		if (k->a.addrs || k->b.addrs) {
			set(e, "len", "3.6");
			set(e, "labeldistance", "2.2");
			set(e, "labelangle", "-35");
		}
		if (k->mtu != LAB_DEFAULT_MTU) {
			snprintf(mtu, sizeof(mtu), "mtu %d", k->mtu);
			set(e, "label", mtu);
		}
	}
	return 0;
}

static int render(GVC_t *gvc, Agraph_t *g, const char *format, const char *file, struct nr_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	mode_t mask;
	FILE *f;
	int fd, r = 0;

	if (asprintf(&tmp, "%s.XXXXXX", file) < 0)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %m", file);
	/* mkstemp makes 0600; a picture is for others to see, as any new file under umask. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || !(f = fdopen(fd, "w"))) {
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %m", file);
		close(fd);
		unlink(tmp);
		return r;
	}
	if (gvRender(gvc, g, format, f) != 0)
		r = nr_error_set(err, RT_ERR_SYSTEM, EIO, "Graphviz could not render %s as %s", file, format);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = r < 0 ? r : nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %m", file);
	if (fclose(f) != 0 && r == 0)
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %m", file);
	if (r == 0 && rename(tmp, file) < 0)
		r = nr_error_set(err, RT_ERR_SYSTEM, errno, "cannot write %s: %m", file);
	if (r < 0)
		unlink(tmp);
	return r;
}

int lab_graph_write(const struct lab_topo *t, const char *file, struct nr_error *err)
{
	const char *format = graph_format(file);
	_cleanup_free_ Agnode_t **v = NULL;
	GVC_t *gvc;
	Agraph_t *g;
	int r;

	if (!format)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "%s: the picture's format comes from its name: .svg, .png or .dot", file);
	if (!(v = calloc(t->n_nodes + 1, sizeof(*v))))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	gv_msgs[0] = '\0';
	agseterrf(gv_msg);
	if (!(gvc = graph_context()))
		return nr_error_set(err, RT_ERR_SYSTEM, ENOMEM, "Graphviz: no context");
	if (!(g = agopen((char *)t->name, Agundirected, NULL)))
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	set(g, "label", t->name);
	set(g, "fontname", "Helvetica");
	set(g, "overlap", "scale");
	set(g, "sep", "+12");
	/* At most 250 inches a side (24000 pixels at 96 dpi): past 32767, Graphviz's cairo
	 * renderer scales a PNG down itself, with a warning on stderr no hook catches. */
	set(g, "size", "250,250");
	agattr(g, AGNODE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontsize", "10");
	/* Room for a label at each end (inches; neato's default is 1). */
	agattr(g, AGEDGE, "len", "2.6");
	agattr(g, AGEDGE, "labelfontsize", "9");
	agattr(g, AGEDGE, "labelfontcolor", "#1c4587");
	agattr(g, AGEDGE, "labeldistance", "1");
	if ((r = graph_build(g, t, v)) < 0)
		r = nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	/* neato: a lab is no hierarchy; it lays rings and meshes out as they are drawn by hand.
	 * Its stress majorization grows with the square of the nodes: sfdp, the multiscale
	 * layout, past a few hundred.  (Edges are straight: routing splines around every node
	 * took seconds for a 100-node chain.) */
	else if (gvLayout(gvc, g, t->n_nodes > GRAPH_NEATO_MAX ? "sfdp" : "neato") != 0)
		r = nr_error_set(err, RT_ERR_SYSTEM, EIO, "Graphviz could not lay out lab %s", t->name);
	else {
		r = render(gvc, g, format, file, err);
		gvFreeLayout(gvc, g);
	}
	if (r < 0 && gv_msgs[0])
		nr_error_details(err, "Graphviz: %s", gv_msgs);
	agclose(g);
	agseterrf(NULL);
	return r;
}

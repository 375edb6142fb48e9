/* monitor.sock's commands (monitor.h), one line per connection.  A line that is none of
 * them is answered "err …" and the connection closed: a client never ends the monitor. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container.h"
#include "monitor_internal.h"
#include "rt_error.h"

__attribute__((format(printf, 2, 3))) static void reply(struct mon_conn *c, const char *fmt, ...)
{
	char buf[NR_ERROR_MSG_MAX + 16];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;

	/* The line is the connection's first output: its socket buffer is empty. */
	send(c->fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* An exact "0" or "1". */
static bool parse_bit(const char *s, bool *ret)
{
	if ((s[0] != '0' && s[0] != '1') || s[1])
		return false;
	*ret = s[0] == '1';
	return true;
}

static bool parse_u16(const char *s, unsigned short *ret)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 65535)
		return false;
	*ret = (unsigned short)v;
	return true;
}

/* Split line at single spaces into at most max words; the count, or -1 when more. */
static int words(char *line, char **w, int max)
{
	int n = 0;

	for (char *save = NULL, *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

static void cmd_start(struct monitor *m, struct mon_conn *c)
{
	struct nr_error err = { 0 };
	const struct ctr_record *rec = ctr_run_record(m->run);

	if (m->state != MON_CREATED) {
		reply(c, "err container %s is already running\n", rec->name);
		return;
	}
	if (monitor_start_command(m, &err) < 0) {
		/* One line: a message with a newline would end the answer early. */
		for (char *p = err.msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		reply(c, "err %s\n", err.msg[0] ? err.msg : "the container did not start");
		return;
	}
	reply(c, "ok\n");
}

static void cmd_attach(struct monitor *m, struct mon_conn *c, char **w)
{
	if (!parse_bit(w[0], &c->in) || !parse_bit(w[1], &c->out) || !parse_bit(w[2], &c->err)) {
		reply(c, "err %s\n", "usage: attach IN OUT ERR (each 0 or 1)");
		monitor_conn_drop(c);
		return;
	}
	c->kind = MON_CONN_ATTACH;
	reply(c, "ok\n");
}

static void cmd_resize(struct monitor *m, struct mon_conn *c, char **w)
{
	unsigned short rows, cols;

	if (!parse_u16(w[0], &rows) || !parse_u16(w[1], &cols)) {
		reply(c, "err %s\n", "usage: resize ROWS COLS");
		return;
	}
	if (!m->o.tty) {
		reply(c, "err %s\n", "no tty");
		return;
	}
	if (m->state == MON_CREATED) { /* the pty does not exist yet: its first size */
		m->o.tty_rows = rows;
		m->o.tty_cols = cols;
	} else if (ctr_run_resize(m->run, rows, cols) < 0) {
		reply(c, "err %s\n", "no tty");
		return;
	}
	reply(c, "ok\n");
}

void monitor_command(struct monitor *m, struct mon_conn *c)
{
	char *w[5];
	int n = words(c->line, w, 4);

	if (n == 1 && !strcmp(w[0], "start"))
		cmd_start(m, c);
	else if (n == 4 && !strcmp(w[0], "attach")) {
		cmd_attach(m, c, w + 1);
		return; /* the connection stays, as the stream */
	} else if (n == 3 && !strcmp(w[0], "resize"))
		cmd_resize(m, c, w + 1);
	else
		reply(c, "err %s\n", "unknown command (start, attach IN OUT ERR, resize ROWS COLS)");
	monitor_conn_drop(c);
}

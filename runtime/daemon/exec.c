/* Docker's exec endpoints: POST /containers/{id}/exec (an instance in the daemon's memory,
 * exec_store.h), POST /exec/{id}/start (hijacked like attach, or detached), GET
 * /exec/{id}/json, POST /exec/{id}/resize.  The command runs under a helper process
 * (exec_spawn.h, exec_main.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "api.h"
#include "engine/container.h"
#include "engine/rt_error.h"
#include "events.h"
#include "exec_spawn.h"
#include "exec_store.h"
#include "relay.h"
#include "routes.h"

/* run_opts holds this many -e values. */
#define EXEC_ENV_MAX 128

/* A string array of the body (a lone string is one element, as Docker's strslice). */
static json_t *body_strv(json_t *v, const char *key, size_t *ret_n, char *msg, size_t msg_len)
{
	json_t *out, *s;
	size_t i;

	if (!v || json_is_null(v)) {
		*ret_n = 0;
		return json_array();
	}
	if (json_is_string(v)) {
		*ret_n = 1;
		return json_pack("[O]", v);
	}
	if (!json_is_array(v)) {
		snprintf(msg, msg_len, "%s: expected an array of strings", key);
		return NULL;
	}
	json_array_foreach(v, i, s) {
		if (!json_is_string(s)) {
			snprintf(msg, msg_len, "%s: expected an array of strings", key);
			return NULL;
		}
	}
	out = json_deep_copy(v);
	*ret_n = json_array_size(v);
	return out;
}

static const char *body_str(json_t *body, const char *key)
{
	const char *s = json_string_value(json_object_get(body, key));

	return s && *s ? s : NULL;
}

/* ConsoleSize: [height, width]. */
static void body_size(json_t *body, unsigned short *rows, unsigned short *cols)
{
	json_t *cs = json_object_get(body, "ConsoleSize");
	json_int_t h = json_integer_value(json_array_get(cs, 0)), w = json_integer_value(json_array_get(cs, 1));

	if (h > 0 && w > 0 && h < 65536 && w < 65536) {
		*rows = (unsigned short)h;
		*cols = (unsigned short)w;
	}
}

static bool body_bool(json_t *body, const char *key)
{
	return json_is_true(json_object_get(body, key));
}

/* Docker's exec events: "exec_create: CMD ARGS…", "exec_start: …", "exec_die" with
 * the exec's id (and its exit code). */
static void exec_event(const struct exec_inst *e, const char *what, int code)
{
	char action[512];
	size_t n = (size_t)snprintf(action, sizeof(action), "%s", what);
	json_t *argv = json_object_get(e->args, "argv"), *a;
	size_t i;

	/* moby's: the command after exec_create and exec_start, not after exec_die or
	 * exec_detach. */
	if (!strcmp(what, "exec_create") || !strcmp(what, "exec_start")) {
		json_array_foreach(argv, i, a) {
			if (n < sizeof(action))
				n += (size_t)snprintf(action + n, sizeof(action) - n, "%s%s", i ? " " : ": ",
						      json_string_value(a));
		}
	}
	json_t *attrs = json_pack("{s:s, s:s}", "name", e->ctr_name, "execID", e->id);
	if (attrs && code >= 0)
		json_object_set_new(attrs, "exitCode", json_sprintf("%d", code));
	events_emit("container", action, e->ctr_id, attrs);
}

static void exec_finish(struct exec_inst *e, int code)
{
	exec_store_finish(e, code);
	exec_event(e, "exec_die", code < 0 ? 0 : code);
}

int h_exec_create(struct api_req *r)
{
	_cleanup_record_ struct ctr_record *rec = NULL;
	_cleanup_(exec_inst_unrefp) struct exec_inst *e = NULL;
	char name[RT_NAME_MAX], msg[128] = "";
	struct nr_error err = { 0 };
	json_error_t jerr;
	size_t n_argv, n_env;
	int ret;

	if ((ret = ctr_store_resolve(r->params[0], name, &err)) < 0 || (ret = ctr_store_load(name, &rec, &err)) < 0)
		return api_reply_nr_error(r, &err);
	json_t *body = json_loadb(r->body ? r->body : "", r->body_len, 0, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		return api_reply_error(r, 400, "invalid JSON body: %s", jerr.text);
	}
	/* Docker's default when none are given: ctrl-p,ctrl-q (relay.h). */
	const char *keys = body_str(body, "DetachKeys");
	char detach[RELAY_DETACH_MAX], spec[64];
	size_t n_detach = 0;
	if (relay_detach_keys(keys, detach, &n_detach) < 0 || (keys && strlen(keys) >= sizeof(spec))) {
		ret = api_reply_error(r, 400, "Invalid escape keys (%s) provided", keys);
		json_decref(body);
		return ret;
	}
	snprintf(spec, sizeof(spec), "%s", keys ? keys : "");
	json_t *argv = body_strv(json_object_get(body, "Cmd"), "Cmd", &n_argv, msg, sizeof(msg));
	json_t *env = argv ? body_strv(json_object_get(body, "Env"), "Env", &n_env, msg, sizeof(msg)) : NULL;
	const char *workdir = body_str(body, "WorkingDir"), *user = body_str(body, "User");
	if (!argv || !env || n_argv == 0 || n_env > EXEC_ENV_MAX || (workdir && workdir[0] != '/')) {
		if (argv && env && n_argv == 0)
			snprintf(msg, sizeof(msg), "No exec command specified");
		else if (argv && env && n_env > EXEC_ENV_MAX)
			snprintf(msg, sizeof(msg), "Env: at most %d variables", EXEC_ENV_MAX);
		else if (argv && env)
			snprintf(msg, sizeof(msg),
				 "the working directory '%s' is invalid, it needs to be an absolute path", workdir);
		json_decref(argv);
		json_decref(env);
		json_decref(body);
		return api_reply_error(r, 400, "%s", msg);
	}
	bool tty = body_bool(body, "Tty"), in = body_bool(body, "AttachStdin"), priv = body_bool(body, "Privileged");
	json_t *args = json_pack("{s:s, s:o, s:o, s:s?, s:s?, s:b, s:b, s:b}", "container", name, "argv", argv, "env",
				 env, "user", user, "workdir", workdir, "tty", tty, "stdin", in, "privileged", priv);
	if (!args || !(e = exec_inst_new(args)) || rt_random_id(e->id) < 0) {
		json_decref(body);
		return api_reply_error(r, 500, "out of memory");
	}
	snprintf(e->ctr_name, sizeof(e->ctr_name), "%s", name);
	snprintf(e->ctr_id, sizeof(e->ctr_id), "%s", rec->id);
	e->tty = tty;
	e->attach_in = in;
	e->attach_out = body_bool(body, "AttachStdout");
	e->attach_err = body_bool(body, "AttachStderr");
	e->privileged = priv;
	memcpy(e->detach_spec, spec, sizeof(spec));
	memcpy(e->detach, detach, sizeof(e->detach));
	e->n_detach = n_detach;
	body_size(body, &e->rows, &e->cols);
	json_decref(body);
	if (rec->status != CTR_RUNNING || !ctr_running(rec))
		return api_reply_error(r, 409, "container %s is not running", rec->id);
	if (exec_store_add(e) < 0)
		return api_reply_error(r, 503, "too many exec instances (at most %d)", EXEC_MAX);
	exec_event(e, "exec_create", -1);
	return api_reply_json(r, 201, json_pack("{s:s}", "Id", e->id));
}

struct start_ctx {
	struct exec_inst *e;
	bool ran;
	unsigned short rows, cols;
};

static void start_free(void *p)
{
	struct start_ctx *c = p;

	if (!c->ran)
		exec_store_unclaim(c->e); /* the client never got its stream: it may start again */
	exec_inst_unref(c->e);
	free(c);
}

/* A start that failed once the stream is the client's: Docker's way, its message in the
 * stream and 126 as the exit code. */
static void start_failed(int sock, struct exec_inst *e, const struct nr_error *err)
{
	char line[NR_ERROR_MSG_MAX + 16];
	int n = snprintf(line, sizeof(line), "netns-run: %s\n", err->msg);

	if (e->tty)
		api_write_all(sock, line, (size_t)n);
	else
		api_write_frame(sock, 2, line, (size_t)n);
	exec_finish(e, RT_EXIT_CANNOT_EXEC);
	relay_finish(sock);
}

static void exec_run(int sock, void *p)
{
	struct start_ctx *c = p;
	struct exec_inst *e = c->e;
	struct exec_stdio s;
	struct nr_error err = { 0 };
	pid_t pid;

	c->ran = true;
	if (exec_stdio_open(e, false, c->rows, c->cols, &s, &err) < 0)
		return start_failed(sock, e, &err);
	if (exec_spawn(e, &s, &pid, &err) < 0) {
		exec_stdio_close(&s);
		return start_failed(sock, e, &err);
	}
	for (int i = 0; i < 3; i++)
		if (s.child[i] >= 0 && (i == 0 || s.child[i] != s.child[i - 1]))
			close(s.child[i]);
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int master = e->tty ? s.ours[0] : -1;
	exec_store_lock();
	e->pid = pid;
	e->master = master;
	exec_store_unlock();
	exec_event(e, "exec_start", -1);

	struct relay rl = { .sock = sock, .done_fd = pidfd };
	if (e->tty) {
		rl.in_fd = e->attach_in ? master : -1;
		rl.in_eof = RELAY_EOF_NONE;
		rl.out[rl.n_out++] = (struct relay_out){ .fd = master, .stream = 0 };
		if (e->attach_in) {
			memcpy(rl.detach, e->detach, sizeof(rl.detach));
			rl.n_detach = e->n_detach;
		}
	} else {
		rl.in_fd = s.ours[0];
		rl.in_eof = RELAY_EOF_CLOSE;
		for (int i = 1; i <= 2; i++)
			if (s.ours[i] >= 0)
				rl.out[rl.n_out++] = (struct relay_out){ .fd = s.ours[i], .stream = i };
	}
	enum relay_end end = relay_run(&rl);
	if (!e->tty) {
		if (rl.in_fd >= 0)
			close(rl.in_fd);
		for (int i = 1; i <= 2; i++)
			if (s.ours[i] >= 0)
				close(s.ours[i]);
	} else if (end != RELAY_DETACHED) {
		exec_store_lock();
		e->master = -1; /* no resize on it from here on */
		exec_store_unlock();
		close(master);
	}
	if (end == RELAY_CLIENT_GONE) {
		/* The command goes on without the client (a tty's sees a hangup), as Docker's. */
		exec_reap_async(e, pid, exec_finish);
		return;
	}
	if (end == RELAY_DETACHED) {
		/* The client typed the detach keys: the command goes on, the stream ends. */
		exec_event(e, "exec_detach", -1);
		exec_reap_async_draining(e, pid, master, exec_finish);
		relay_finish(sock);
		return;
	}
	/* The exit code is recorded before the client sees the end: it asks for it next. */
	exec_finish(e, exec_wait(pid));
	relay_finish(sock);
}

int h_exec_start(struct api_req *r)
{
	_cleanup_(exec_inst_unrefp) struct exec_inst *e = exec_store_get(r->params[0]);
	_cleanup_record_ struct ctr_record *rec = NULL;
	struct nr_error err = { 0 };
	json_t *body = NULL;
	bool detach;
	unsigned short rows, cols;

	if (!e)
		return api_reply_error(r, 404, "No such exec instance: %s", r->params[0]);
	if (r->body_len > 0) {
		json_error_t jerr;
		body = json_loadb(r->body, r->body_len, 0, &jerr);
		if (!json_is_object(body)) {
			json_decref(body);
			return api_reply_error(r, 400, "invalid JSON body: %s", jerr.text);
		}
	}
	detach = body_bool(body, "Detach");
	exec_store_lock();
	rows = e->rows;
	cols = e->cols;
	exec_store_unlock();
	body_size(body, &rows, &cols);
	json_decref(body);
	if (!detach && !api_hijack_asked(r))
		return api_reply_no_hijack(r); /* the instance stays startable */
	if (ctr_store_load(e->ctr_name, &rec, &err) < 0 || rec->status != CTR_RUNNING || !ctr_running(rec))
		return api_reply_error(r, 409, "container %s is not running", e->ctr_id);
	if (!exec_store_claim(e))
		return api_reply_error(r, 409, "Exec command %s is already running", e->id);
	if (detach) {
		struct exec_stdio s;
		pid_t pid;
		if (exec_stdio_open(e, true, rows, cols, &s, &err) < 0 || exec_spawn(e, &s, &pid, &err) < 0) {
			exec_stdio_close(&s);
			exec_store_unclaim(e);
			return api_reply_nr_error(r, &err);
		}
		exec_stdio_close(&s);
		exec_store_lock();
		e->pid = pid;
		exec_store_unlock();
		exec_event(e, "exec_start", -1);
		exec_reap_async(e, pid, exec_finish);
		return api_reply_empty(r, 200);
	}
	struct start_ctx *c = malloc(sizeof(*c));
	if (!c) {
		exec_store_unclaim(e);
		return api_reply_error(r, 500, "out of memory");
	}
	*c = (struct start_ctx){ .e = TAKE_PTR(e), .rows = rows, .cols = cols };
	return api_reply_hijack(r,
				c->e->tty ? "application/vnd.docker.raw-stream"
					  : "application/vnd.docker.multiplexed-stream",
				exec_run, c, start_free);
}

int h_exec_inspect(struct api_req *r)
{
	_cleanup_(exec_inst_unrefp) struct exec_inst *e = exec_store_get(r->params[0]);
	json_t *args, *argv;

	if (!e)
		return api_reply_error(r, 404, "No such exec instance: %s", r->params[0]);
	args = e->args;
	argv = json_object_get(args, "argv");
	json_t *rest = json_array();
	for (size_t i = 1; i < json_array_size(argv); i++)
		json_array_append(rest, json_array_get(argv, i));
	exec_store_lock();
	bool running = e->state == EXEC_RUNNING, exited = e->state == EXEC_EXITED;
	int code = e->exit_code, pid = (int)e->pid;
	exec_store_unlock();
	const char *user = json_string_value(json_object_get(args, "user"));
	json_t *out = json_pack("{s:s, s:b, s:o, s:{s:s, s:o, s:b, s:s, s:b}, s:b, s:b, s:b, s:b, s:s, s:s, s:i}", "ID",
				e->id, "Running", running, "ExitCode", exited ? json_integer(code) : json_null(),
				"ProcessConfig", "entrypoint", json_string_value(json_array_get(argv, 0)), "arguments",
				rest, "tty", e->tty, "user", user ? user : "", "privileged", e->privileged, "OpenStdin",
				e->attach_in, "OpenStdout", e->attach_out, "OpenStderr", e->attach_err, "CanRemove",
				false, "ContainerID", e->ctr_id, "DetachKeys", e->detach_spec, "Pid", pid);
	if (!out)
		return api_reply_error(r, 500, "out of memory");
	return api_reply_json(r, 200, out);
}

int h_exec_resize(struct api_req *r)
{
	_cleanup_(exec_inst_unrefp) struct exec_inst *e = exec_store_get(r->params[0]);
	long h, w;

	if (!e)
		return api_reply_error(r, 404, "No such exec instance: %s", r->params[0]);
	if (api_query_long(r, "h", 0, &h) < 0 || api_query_long(r, "w", 0, &w) < 0 || h < 0 || w < 0 || h > 65535 ||
	    w > 65535)
		return api_reply_error(r, 400, "bad parameter: h and w are sizes");
	exec_store_lock();
	/* Before the start: the size it starts with.  While it runs: the pty's, which the
	 * helper's terminal follows (it gets SIGWINCH as the pty's session leader). */
	if (h && w) {
		e->rows = (unsigned short)h;
		e->cols = (unsigned short)w;
		if (e->master >= 0) {
			struct winsize ws = { .ws_row = (unsigned short)h, .ws_col = (unsigned short)w };
			ioctl(e->master, TIOCSWINSZ, &ws);
		}
	}
	exec_store_unlock();
	return api_reply_empty(r, 200);
}

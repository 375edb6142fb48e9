#include "cni_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/clock.h"
#include "base/json_field.h"

#define OUTPUT_MAX (4u << 20)
#define STDERR_MAX 4096

extern char **environ;

int cni_plugin_find(const char *type, const char *cni_path, char *buf, size_t len, struct nr_error *err)
{
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;

	if (!type || !*type || strchr(type, '/') || strcmp(type, ".") == 0 || strcmp(type, "..") == 0)
		return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "plugin type '%s' is invalid: it must be a file name", type ? type : "");
	if (!cni_path || !*cni_path)
		return nr_error_set(err, CNI_ERR_INVALID_ENV, ENOENT,
				    "CNI_PATH is not set, so plugin '%s' cannot be found", type);
	if (!(dirs = strdup(cni_path)))
		return nr_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if ((size_t)snprintf(buf, len, "%s/%s", d, type) >= len)
			continue;
		if (access(buf, X_OK) == 0)
			return 0;
	}
	return nr_error_set(err, CNI_ERR_INVALID_CONFIG, ENOENT, "plugin '%s' was not found in CNI_PATH %s", type,
			    cni_path);
}

/* The child's environment: ours without any CNI_* variable, plus the request's.  *nowned
 * is how many entries at the end are ours to free (env_free). */
static char **build_env(const struct cni_exec_req *req, size_t *nowned)
{
	const char *names[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH" };
	const char *vals[] = { req->command, req->container_id, req->netns, req->ifname, req->args, req->path };
	size_t n = 0, k = 0;
	char **env;

	*nowned = 0;
	while (environ[n])
		n++;
	if (!(env = calloc(n + 7, sizeof(char *))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_", 4) != 0)
			env[k++] = environ[i];
	for (size_t i = 0; i < 6; i++) {
		if (!vals[i])
			continue;
		if (asprintf(&env[k], "%s=%s", names[i], vals[i]) < 0) {
			env[k] = NULL;
			for (size_t j = k - *nowned; j < k; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
		k++;
		(*nowned)++;
	}
	return env;
}

static void env_free(char **env, size_t nowned)
{
	size_t n = 0;

	if (!env)
		return;
	while (env[n])
		n++;
	for (size_t i = n - nowned; i < n; i++)
		free(env[i]);
	free(env);
}

struct child {
	pid_t pid;
	int pidfd;
	int in, out, errfd;
};

static int child_start(const char *exe, const struct cni_exec_req *req, struct child *c, struct nr_error *err)
{
	int pin[2], pout[2], perr[2];

	if (pipe2(pin, O_CLOEXEC) < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create a pipe: %s", strerror(errno));
	if (pipe2(pout, O_CLOEXEC) < 0) {
		close(pin[0]), close(pin[1]);
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create a pipe: %s", strerror(errno));
	}
	if (pipe2(perr, O_CLOEXEC) < 0) {
		close(pin[0]), close(pin[1]), close(pout[0]), close(pout[1]);
		return nr_error_set(err, CNI_ERR_IO, errno, "cannot create a pipe: %s", strerror(errno));
	}
	/* posix_spawn, not fork: glibc's shares our memory until the exec (CLONE_VM |
	 * CLONE_VFORK), so no page tables are copied and our pages do not become
	 * copy-on-write; an exec failure comes back as its return value. */
	size_t nowned = 0;
	char **env = build_env(req, &nowned);
	char *argv[] = { (char *)exe, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	int e = env ? 0 : ENOMEM;

	if (!e && (e = posix_spawn_file_actions_init(&fa)) == 0) {
		if ((e = posix_spawnattr_init(&attr)) == 0) {
			/* SIGPIPE is ignored around the call (see cni_exec_plugin); the plugin gets
			 * the default back. */
			sigemptyset(&dfl);
			sigaddset(&dfl, SIGPIPE);
			if (!(e = posix_spawnattr_setsigdefault(&attr, &dfl)) &&
			    !(e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF)) &&
			    !(e = posix_spawn_file_actions_adddup2(&fa, pin[0], STDIN_FILENO)) &&
			    !(e = posix_spawn_file_actions_adddup2(&fa, pout[1], STDOUT_FILENO)) &&
			    !(e = posix_spawn_file_actions_adddup2(&fa, perr[1], STDERR_FILENO)))
				e = posix_spawn(&c->pid, exe, &fa, &attr, argv, env);
			posix_spawnattr_destroy(&attr);
		}
		posix_spawn_file_actions_destroy(&fa);
	}
	env_free(env, nowned);
	close(pin[0]), close(pout[1]), close(perr[1]);
	if (e) {
		close(pin[1]), close(pout[0]), close(perr[0]);
		return nr_error_set(err, CNI_ERR_IO, e, "cannot start %s: %s", exe, strerror(e));
	}
	c->in = pin[1];
	c->out = pout[0];
	c->errfd = perr[0];
	fcntl(c->in, F_SETFL, O_NONBLOCK);
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	return 0;
}

struct sink {
	char *buf;
	size_t len, max;
	bool truncated;
};

/* Returns 1 while the pipe stays open, 0 at EOF. */
static int sink_read(int fd, struct sink *s)
{
	char tmp[8192];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	if (s->len + (size_t)n > s->max) {
		s->truncated = true;
		n = (ssize_t)(s->max - s->len);
	}
	if (n > 0) {
		char *p = realloc(s->buf, s->len + (size_t)n + 1);
		if (!p) {
			s->truncated = true;
			return 1;
		}
		s->buf = p;
		memcpy(s->buf + s->len, tmp, (size_t)n);
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
	}
	return 1;
}

/* Feed stdin, drain stdout and stderr, until both outputs close and the child exits,
 * or the deadline passes.  Returns the wait status, or -ETIMEDOUT after killing it. */
static int child_talk(struct child *c, const struct cni_exec_req *req, struct sink *out, struct sink *errs)
{
	long deadline = clock_now_ms() + (req->timeout_ms > 0 ? req->timeout_ms : CNI_EXEC_DEFAULT_TIMEOUT_MS);
	size_t written = 0;
	int status = 0;
	bool exited = false;

	if (req->stdin_len == 0) {
		close(c->in);
		c->in = -1;
	}
	while (c->out >= 0 || c->errfd >= 0 || !exited) {
		struct pollfd p[4] = { { c->in, POLLOUT, 0 },
				       { c->out, POLLIN, 0 },
				       { c->errfd, POLLIN, 0 },
				       { exited ? -1 : c->pidfd, POLLIN, 0 } };
		long left = deadline - clock_now_ms();
		int n;

		if (left <= 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
			return -ETIMEDOUT;
		}
		/* Without a pidfd (pre-5.3 kernels) poll the exit once the pipes are closed. */
		if (c->pidfd < 0 && c->out < 0 && c->errfd < 0)
			p[3].fd = -1;
		n = poll(p, 4, c->pidfd < 0 && c->out < 0 && c->errfd < 0 ? 10 : (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (c->in >= 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(c->in, req->stdin_buf + written, req->stdin_len - written);
			if (w > 0)
				written += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == req->stdin_len) {
				close(c->in);
				c->in = -1;
			}
		}
		if (c->out >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !sink_read(c->out, out)) {
			close(c->out);
			c->out = -1;
		}
		if (c->errfd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR)) && !sink_read(c->errfd, errs)) {
			close(c->errfd);
			c->errfd = -1;
		}
		if (!exited && (c->pidfd < 0 || (p[3].revents & POLLIN)) && waitpid(c->pid, &status, WNOHANG) == c->pid)
			exited = true;
	}
	return status;
}

static void child_close(struct child *c)
{
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->errfd >= 0)
		close(c->errfd);
	if (c->pidfd >= 0)
		close(c->pidfd);
}

/* A failed plugin: take its own error object when it printed one. */
static int decode_failure(const char *type, int status, const struct sink *out, const struct sink *errs,
			  struct nr_error *err)
{
	_cleanup_json_ json_t *o = NULL;
	const char *msg = NULL, *details = NULL;
	long long code = 0;

	if (out->len && json_parse_object(out->buf, out->len, "plugin output", &o, NULL) == 0 &&
	    jfield_int(o, "code", "error", 1, 0x7fffffff, &code, NULL) == 0 && code > 0 &&
	    jfield_string(o, "msg", "error", false, &msg, NULL) == 0) {
		jfield_string(o, "details", "error", false, &details, NULL);
		nr_error_set(err, (int)code, EIO, "%s", msg ? msg : "(no message)");
		if (details && *details)
			nr_error_details(err, "%s", details);
		return -EIO;
	}
	if (WIFSIGNALED(status))
		nr_error_set(err, CNI_ERR_INTERNAL, EIO, "plugin %s was killed by signal %d", type, WTERMSIG(status));
	else
		nr_error_set(err, CNI_ERR_INTERNAL, EIO, "plugin %s failed with exit status %d and no error object",
			     type, WEXITSTATUS(status));
	if (errs->len)
		nr_error_details(err, "%s", errs->buf);
	return -EIO;
}

int cni_exec_plugin(const char *type, const struct cni_exec_req *req, json_t **ret_out, struct nr_error *err)
{
	struct sink out = { .max = OUTPUT_MAX }, errs = { .max = STDERR_MAX };
	struct child c = { .in = -1, .out = -1, .errfd = -1, .pidfd = -1 };
	char exe[4096];
	int status, r;

	if ((r = cni_plugin_find(type, req->path, exe, sizeof(exe), err)) < 0)
		return r;
	/* A plugin that exits without reading all of stdin must not kill us with SIGPIPE. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	r = child_start(exe, req, &c, err);
	status = r < 0 ? 0 : child_talk(&c, req, &out, &errs);
	child_close(&c);
	sigaction(SIGPIPE, &old, NULL);
	if (r < 0)
		return r;
	if (status == -ETIMEDOUT) {
		r = nr_error_set(err, CNI_ERR_IO, ETIMEDOUT,
				 "plugin %s (%s) did not finish within %d ms and was killed", type, req->command,
				 req->timeout_ms > 0 ? req->timeout_ms : CNI_EXEC_DEFAULT_TIMEOUT_MS);
		goto out;
	}
	if (status < 0) {
		r = nr_error_set(err, CNI_ERR_IO, -status, "talking to plugin %s: %s", type, strerror(-status));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = decode_failure(type, status, &out, &errs, err);
		goto out;
	}
	if (out.truncated) {
		r = nr_error_set(err, CNI_ERR_DECODE, E2BIG, "plugin %s printed more than %u bytes", type, OUTPUT_MAX);
		goto out;
	}
	*ret_out = NULL;
	r = 0;
	if (out.len && strspn(out.buf, " \t\r\n") != out.len) {
		r = json_parse_object(out.buf, out.len, "plugin output", ret_out, err);
		if (r < 0)
			nr_error_wrap(err, r, "plugin %s", type);
	}
out:
	free(out.buf);
	free(errs.buf);
	return r;
}

int cni_exec_delegate(const char *type, const char *command, const char *stdin_buf, size_t stdin_len, json_t **ret_out,
		      struct nr_error *err)
{
	struct cni_exec_req req = {
		.command = command ? command : getenv("CNI_COMMAND"),
		.container_id = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
		.args = getenv("CNI_ARGS"),
		.path = getenv("CNI_PATH"),
		.stdin_buf = stdin_buf,
		.stdin_len = stdin_len,
	};

	return cni_exec_plugin(type, &req, ret_out, err);
}

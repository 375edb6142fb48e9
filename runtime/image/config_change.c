/* Dockerfile-like change lines (`commit -c`, `import -c`) applied to an image config
 * document, as Docker's builder dispatches them (moby builder/dockerfile/dispatchers.go):
 * CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL.  Variable expansion
 * ($VAR) is not done. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"
#include "base/json_field.h"
#include "engine/rt_error.h"
#include "image/config.h"

/* A range this long in one EXPOSE is a mistake, and would make a document of 64k keys. */
#define EXPOSE_RANGE_MAX 1024

static int usage(struct nr_error *err, const char *instr, const char *why)
{
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s %s", instr, why);
}

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

/* Split s into words as the Dockerfile lexer does for ENV and LABEL: unquoted blanks
 * separate, "…" and '…' group (their quotes removed), a backslash escapes the next
 * character (inside "…" only \" \\ and \$).  Returns a JSON array of strings. */
static int split_words(const char *s, const char *instr, json_t **ret, struct nr_error *err)
{
	_cleanup_json_ json_t *words = json_array();
	_cleanup_free_ char *buf = malloc(strlen(s) + 1);
	size_t n = 0;
	bool in_word = false;

	if (!words || !buf)
		return nomem(err);
	for (const char *p = s;; p++) {
		if (!*p || isspace((unsigned char)*p)) {
			if (in_word) {
				buf[n] = '\0';
				if (json_array_append_new(words, json_string(buf)) < 0)
					return nomem(err);
				n = 0;
				in_word = false;
			}
			if (!*p)
				break;
			continue;
		}
		in_word = true;
		if (*p == '\\' && p[1]) {
			buf[n++] = *++p;
		} else if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (!q)
				return usage(err, instr, "has an unterminated single quote");
			memcpy(buf + n, p + 1, (size_t)(q - p - 1));
			n += (size_t)(q - p - 1);
			p = q;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$'))
					p++;
				buf[n++] = *p;
			}
			if (!*p)
				return usage(err, instr, "has an unterminated double quote");
		} else {
			buf[n++] = *p;
		}
	}
	*ret = TAKE_PTR(words);
	return 0;
}

/* ENV and LABEL: "K=V K2=V2" (words) or the legacy "K V" (the rest of the line the value).
 * Calls set(name, value) for each pair. */
static int name_values(const char *instr, const char *rest, int (*set)(json_t *, const char *, const char *),
		       json_t *cfg, struct nr_error *err)
{
	_cleanup_json_ json_t *words = NULL;
	const char *first_end = rest;
	size_t i;
	json_t *w;
	int r;

	while (*first_end && !isspace((unsigned char)*first_end))
		first_end++;
	if (!memchr(rest, '=', (size_t)(first_end - rest))) {
		_cleanup_free_ char *name = strndup(rest, (size_t)(first_end - rest));
		const char *value = first_end;

		if (!name)
			return nomem(err);
		while (isspace((unsigned char)*value))
			value++;
		if (!*name || !*value)
			return usage(err, instr, "needs a name and a value (NAME=VALUE or NAME VALUE)");
		return set(cfg, name, value) < 0 ? nomem(err) : 0;
	}
	if ((r = split_words(rest, instr, &words, err)) < 0)
		return r;
	json_array_foreach(words, i, w) {
		const char *s = json_string_value(w), *eq = strchr(s, '=');
		_cleanup_free_ char *name = NULL;

		if (!eq)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "%s: can't find = in \"%s\"; it must be NAME=VALUE", instr, s);
		if (eq == s)
			return usage(err, instr, "names can not be blank");
		if (!(name = strndup(s, (size_t)(eq - s))) || set(cfg, name, eq + 1) < 0)
			return nomem(err);
	}
	return 0;
}

static int env_set(json_t *cfg, const char *name, const char *value)
{
	json_t *env = json_object_get(cfg, "Env"), *e;
	_cleanup_free_ char *kv = NULL;
	size_t len = strlen(name), i;

	if (asprintf(&kv, "%s=%s", name, value) < 0) {
		kv = NULL;
		return -ENOMEM;
	}
	if (!json_is_array(env)) {
		env = json_array();
		if (!env || json_object_set_new(cfg, "Env", env) < 0)
			return -ENOMEM;
	}
	json_array_foreach(env, i, e) {
		const char *s = json_string_value(e);

		if (s && strncmp(s, name, len) == 0 && s[len] == '=')
			return json_array_set_new(env, i, json_string(kv));
	}
	return json_array_append_new(env, json_string(kv));
}

static int label_set(json_t *cfg, const char *name, const char *value)
{
	json_t *labels = json_object_get(cfg, "Labels");

	if (!json_is_object(labels)) {
		labels = json_object();
		if (!labels || json_object_set_new(cfg, "Labels", labels) < 0)
			return -ENOMEM;
	}
	return json_object_set_new(labels, name, json_string(value));
}

/* CMD and ENTRYPOINT: a JSON array of strings (exec form), else the shell form. */
static int command(json_t *cfg, const char *key, const char *instr, const char *rest, struct nr_error *err)
{
	json_t *v = NULL;

	if (rest[0] == '[') {
		v = json_loads(rest, JSON_DECODE_ANY, NULL);
		bool ok = json_is_array(v);
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e)
			ok = ok && json_is_string(e);
		if (!ok) {
			json_decref(v);
			v = NULL;
		} else if (json_array_size(v) == 0) {
			/* "ENTRYPOINT []" clears it, as in a Dockerfile. */
			json_decref(v);
			v = json_null();
		}
	}
	if (!v && !*rest)
		return usage(err, instr, "requires at least one argument");
	if (!v)
		v = json_pack("[s, s, s]", "/bin/sh", "-c", rest);
	if (!v || json_object_set_new(cfg, key, v) < 0)
		return nomem(err);
	return 0;
}

/* "a/b/../c" as a clean absolute path (filepath.Clean), in buf of len bytes. */
static void path_clean(const char *in, char *buf, size_t len)
{
	size_t n = 0;

	buf[n++] = '/';
	for (const char *p = in; *p;) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == 0 || (l == 1 && p[0] == '.')) {
			/* nothing */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 1 && buf[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
		} else if (n + l + 2 < len) {
			if (n > 1)
				buf[n++] = '/';
			memcpy(buf + n, p, l);
			n += l;
		}
		p += l + (e ? 1 : 0);
	}
	buf[n] = '\0';
}

static int workdir(json_t *cfg, const char *rest, struct nr_error *err)
{
	const char *cur = json_string_value(json_object_get(cfg, "WorkingDir"));
	_cleanup_free_ char *joined = NULL, *clean = NULL;

	if (!*rest)
		return usage(err, "WORKDIR", "requires exactly one argument");
	/* A relative WORKDIR is under the current one, as in a Dockerfile. */
	if (asprintf(&joined, "%s/%s", rest[0] == '/' ? "" : (cur ? cur : ""), rest) < 0) {
		joined = NULL;
		return nomem(err);
	}
	clean = malloc(strlen(joined) + 2);
	if (!clean)
		return nomem(err);
	path_clean(joined, clean, strlen(joined) + 2);
	return json_object_set_new(cfg, "WorkingDir", json_string(clean)) < 0 ? nomem(err) : 0;
}

static int port_num(const char *s, size_t n, long *ret)
{
	long v = 0;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* EXPOSE 80 8080/udp 7000-7002: keys "80/tcp" … in ExposedPorts. */
static int expose(json_t *cfg, const char *rest, struct nr_error *err)
{
	_cleanup_json_ json_t *words = NULL;
	json_t *ports = json_object_get(cfg, "ExposedPorts"), *w;
	size_t i;
	int r;

	if ((r = split_words(rest, "EXPOSE", &words, err)) < 0)
		return r;
	if (json_array_size(words) == 0)
		return usage(err, "EXPOSE", "requires at least one argument");
	if (!json_is_object(ports)) {
		ports = json_object();
		if (!ports || json_object_set_new(cfg, "ExposedPorts", ports) < 0)
			return nomem(err);
	}
	json_array_foreach(words, i, w) {
		const char *s = json_string_value(w), *slash = strchr(s, '/'), *dash;
		char proto[8] = "tcp", key[32];
		size_t plen = slash ? (size_t)(slash - s) : strlen(s);
		long lo, hi;

		if (slash) {
			size_t l = strlen(slash + 1);

			if (l == 0 || l >= sizeof(proto))
				goto bad;
			for (size_t k = 0; k <= l; k++)
				proto[k] = (char)tolower((unsigned char)slash[1 + k]);
			if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
				goto bad;
		}
		dash = memchr(s, '-', plen);
		if (port_num(s, dash ? (size_t)(dash - s) : plen, &lo) < 0)
			goto bad;
		hi = lo;
		if (dash && (port_num(dash + 1, plen - (size_t)(dash - s) - 1, &hi) < 0 || hi < lo))
			goto bad;
		if (hi - lo >= EXPOSE_RANGE_MAX)
			return nr_error_set(err, RT_ERR_USAGE, EINVAL,
					    "EXPOSE: the range %s is too large (at most %d ports)", s,
					    EXPOSE_RANGE_MAX);
		for (long p = lo; p <= hi; p++) {
			snprintf(key, sizeof(key), "%ld/%s", p, proto);
			if (json_object_set_new(ports, key, json_object()) < 0)
				return nomem(err);
		}
		continue;
bad:
		return nr_error_set(err, RT_ERR_USAGE, EINVAL,
				    "EXPOSE: invalid port \"%s\" (PORT[-PORT][/tcp|udp|sctp])", s);
	}
	return 0;
}

static int stopsignal(json_t *cfg, const char *rest, struct nr_error *err)
{
	const char *p = rest;
	bool digits = isdigit((unsigned char)*p);

	if (!*p)
		return usage(err, "STOPSIGNAL", "requires exactly one argument");
	for (; *p; p++)
		if (digits ? !isdigit((unsigned char)*p) : !(isalnum((unsigned char)*p) || *p == '+' || *p == '-'))
			return nr_error_set(err, RT_ERR_USAGE, EINVAL, "STOPSIGNAL: invalid signal \"%s\"", rest);
	if (digits && (strlen(rest) > 2 || atoi(rest) < 1 || atoi(rest) > 64))
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "STOPSIGNAL: invalid signal \"%s\"", rest);
	return json_object_set_new(cfg, "StopSignal", json_string(rest)) < 0 ? nomem(err) : 0;
}

int img_config_change(json_t *doc, const char *line, struct nr_error *err)
{
	_cleanup_free_ char *copy = NULL;
	char *instr, *rest, *end;
	json_t *cfg;

	if (!json_is_object(doc))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image config: not a JSON object");
	cfg = json_object_get(doc, "config");
	if (!cfg || json_is_null(cfg)) {
		cfg = json_object();
		if (!cfg || json_object_set_new(doc, "config", cfg) < 0)
			return nomem(err);
	}
	if (!json_is_object(cfg))
		return nr_error_set(err, RT_ERR_CORRUPT, EINVAL, "image config: 'config' must be an object");
	/* Every string of the document must be UTF-8 (jansson refuses others). */
	json_t *probe = json_string(line);
	if (!probe)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "change is not valid UTF-8");
	json_decref(probe);
	if (!(copy = strdup(line)))
		return nomem(err);
	instr = copy;
	while (isspace((unsigned char)*instr))
		instr++;
	rest = instr;
	while (*rest && !isspace((unsigned char)*rest))
		rest++;
	if (*rest)
		*rest++ = '\0';
	while (isspace((unsigned char)*rest))
		rest++;
	end = rest + strlen(rest);
	while (end > rest && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!*instr)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "empty change: expected an instruction such as CMD");
	if (!strcasecmp(instr, "CMD"))
		return command(cfg, "Cmd", "CMD", rest, err);
	if (!strcasecmp(instr, "ENTRYPOINT"))
		return command(cfg, "Entrypoint", "ENTRYPOINT", rest, err);
	if (!strcasecmp(instr, "ENV"))
		return *rest ? name_values("ENV", rest, env_set, cfg, err) : usage(err, "ENV", "requires arguments");
	if (!strcasecmp(instr, "LABEL"))
		return *rest ? name_values("LABEL", rest, label_set, cfg, err)
			     : usage(err, "LABEL", "requires arguments");
	if (!strcasecmp(instr, "WORKDIR"))
		return workdir(cfg, rest, err);
	if (!strcasecmp(instr, "USER")) {
		if (!*rest)
			return usage(err, "USER", "requires exactly one argument");
		return json_object_set_new(cfg, "User", json_string(rest)) < 0 ? nomem(err) : 0;
	}
	if (!strcasecmp(instr, "EXPOSE"))
		return expose(cfg, rest, err);
	if (!strcasecmp(instr, "STOPSIGNAL"))
		return stopsignal(cfg, rest, err);
	return nr_error_set(err, RT_ERR_USAGE, EINVAL, "%s is not a valid change command", instr);
}

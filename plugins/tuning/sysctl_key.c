/* Which sysctls a tuning config may set, and where they are.  The reference turns every
 * "." of a key into "/" and refuses what does not end up below /proc/sys/net/; we read a
 * key the way sysctl(8) does (slashes when it has any, else dots), so an interface name
 * with a dot ("eth0.100") can be named in the slash form, and refuse outright any key
 * with an empty, "." or ".." component instead of cleaning it into another name. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/fdio.h"
#include "tuning.h"

#define IFNAME_TOKEN "IFNAME"

static int bad_key(const char *key, const char *why, struct nr_error *err)
{
	return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "tuning: invalid net sysctl key \"%s\": %s", key, why);
}

int tun_sysctl_path(const char *key, const char *ifname, char *buf, size_t len, struct nr_error *err)
{
	char sep = strchr(key, '/') ? '/' : '.';
	const char *p = key;
	size_t out = 0, n_comp = 0;
	bool replaced = false;

	if (!*key)
		return bad_key(key, "empty", err);
	while (true) {
		size_t n = strcspn(p, (char[]){ sep, '\0' });
		const char *tok = p;
		char comp[256];

		if (n == 0 || (n == 1 && tok[0] == '.') || (n == 2 && tok[0] == '.' && tok[1] == '.'))
			return bad_key(key, "empty, \".\" or \"..\" component", err);
		if (n >= sizeof(comp))
			return bad_key(key, "too long", err);
		memcpy(comp, tok, n);
		comp[n] = '\0';
		if (n_comp == 0 && strcmp(comp, "net") != 0)
			return bad_key(key, "only net.* sysctls (the container's network namespace) can be set", err);
		/* The reference's IFNAME placeholder: its first occurrence is the interface. */
		if (!replaced && ifname && strstr(comp, IFNAME_TOKEN)) {
			char *at = strstr(comp, IFNAME_TOKEN), tail[256];
			snprintf(tail, sizeof(tail), "%s", at + strlen(IFNAME_TOKEN));
			if (snprintf(at, sizeof(comp) - (size_t)(at - comp), "%s%s", ifname, tail) >=
			    (int)(sizeof(comp) - (size_t)(at - comp)))
				return bad_key(key, "too long", err);
			replaced = true;
		}
		n = strlen(comp);
		if (strchr(comp, '/') || out + n + 2 > len)
			return bad_key(key, "too long or not a name", err);
		if (out)
			buf[out++] = '/';
		memcpy(buf + out, comp, n);
		out += n;
		buf[out] = '\0';
		n_comp++;
		p += strcspn(p, (char[]){ sep, '\0' });
		if (!*p)
			break;
		p++;
	}
	if (n_comp < 2)
		return bad_key(key, "names no sysctl below net", err);
	return 0;
}

/* Each non-empty line of the file is an expression; a key is allowed when one matches
 * anywhere in it (Go's regexp.MatchString, which the reference uses, is unanchored too:
 * allowlists anchor with ^ and $ themselves).  POSIX extended syntax covers what such
 * lists use (^ $ . * + ? [] () |, \. escapes). */
int tun_allowlist_check(const char *path, json_t *sysctls, struct nr_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	const char *key;
	json_t *v;
	size_t len;
	int r;

	if (json_object_size(sysctls) == 0)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return nr_error_set(err, CNI_ERR_IO, errno, "tuning: cannot read %s: %s", path, strerror(errno));
	if ((r = fd_read_all(fd, 1 << 20, &buf, &len)) < 0)
		return nr_error_set(err, CNI_ERR_IO, -r, "tuning: cannot read %s: %s", path, strerror(-r));
	json_object_foreach(sysctls, key, v) {
		bool match = false;
		char *line = buf, *next;

		for (; line && !match; line = next) {
			regex_t re;
			int rc;

			if ((next = strchr(line, '\n')))
				*next++ = '\0';
			if (!*line)
				continue;
			if ((rc = regcomp(&re, line, REG_EXTENDED | REG_NOSUB)) != 0) {
				char msg[128];
				regerror(rc, &re, msg, sizeof(msg));
				return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
						    "tuning: %s: invalid expression \"%s\": %s", path, line, msg);
			}
			match = regexec(&re, key, 0, NULL, 0) == 0;
			regfree(&re);
			if (next)
				next[-1] = '\n'; /* keep buf whole for the next key */
		}
		if (!match)
			return nr_error_set(err, CNI_ERR_INVALID_CONFIG, EPERM,
					    "tuning: sysctl %s is not allowed by %s", key, path);
	}
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int tun_mac_normalize(const char *text, char buf[LINK_MAC_STRLEN])
{
	unsigned char b[6];
	size_t n = strlen(text), i, j = 0;
	/* Groups of 2 hex digits after ':' or '-' (17 chars), or of 4 after '.' (14 chars). */
	bool dotted = n == 14;

	if (n != 17 && n != 14)
		return -EINVAL;
	if (!dotted && text[2] != ':' && text[2] != '-')
		return -EINVAL;
	for (i = 0; i < n;) {
		size_t group = dotted ? 4 : 2, k;
		for (k = 0; k < group; k += 2, i += 2) {
			int hi = hexval(text[i]), lo = hexval(text[i + 1]);
			if (hi < 0 || lo < 0 || j >= 6)
				return -EINVAL;
			b[j++] = (unsigned char)(hi << 4 | lo);
		}
		if (i < n && text[i++] != (dotted ? '.' : text[2]))
			return -EINVAL;
	}
	if (j != 6)
		return -EINVAL;
	link_mac_format(b, buf);
	return 0;
}

#include "etcd_b64.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *etcd_b64_encode(const void *data, size_t len)
{
	const uint8_t *in = data;
	char *out, *o;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 2)
		return NULL;
	o = out = malloc((len + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = left > 1 ? alphabet[v >> 6 & 63] : '=';
		*o++ = left > 2 ? alphabet[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int etcd_b64_decode(const char *s, size_t len, char **ret, size_t *ret_len)
{
	const unsigned char *in = (const unsigned char *)s;
	size_t pad = 0, n = 0;
	uint8_t *out;

	if (len % 4)
		return -EINVAL;
	if (len && in[len - 1] == '=')
		pad = len >= 2 && in[len - 2] == '=' ? 2 : 1;
	out = malloc(len / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i += 4) {
		int a = sextet(in[i]), b = sextet(in[i + 1]), c, d;
		bool last = i + 4 == len;
		uint32_t v;

		c = last && pad == 2 ? 0 : sextet(in[i + 2]);
		d = last && pad >= 1 ? 0 : sextet(in[i + 3]);
		if (a < 0 || b < 0 || c < 0 || d < 0)
			goto bad;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		/* Canonical only: the bits a padded quantum leaves out must be zero. */
		if (last && ((pad == 2 && (v & 0xffff)) || (pad == 1 && (v & 0xff))))
			goto bad;
		out[n++] = (uint8_t)(v >> 16);
		if (!last || pad < 2)
			out[n++] = (uint8_t)(v >> 8);
		if (!last || pad < 1)
			out[n++] = (uint8_t)v;
	}
	out[n] = '\0';
	*ret = (char *)out;
	*ret_len = n;
	return 0;
bad:
	free(out);
	return -EINVAL;
}

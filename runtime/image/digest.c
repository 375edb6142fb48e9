#include "image/digest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void to_hex(const uint8_t *raw, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * n] = '\0';
}

bool img_digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		return false;
	for (size_t i = 0; i < IMG_DIGEST_HEX; i++) {
		char c = s[7 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[IMG_DIGEST_LEN] == '\0';
}

const char *img_digest_hex(const char *s)
{
	return s + 7;
}

void img_hasher_init(struct img_hasher *h)
{
	sha256_init(&h->ctx);
	h->bytes = 0;
}

void img_hasher_update(struct img_hasher *h, const void *buf, size_t len)
{
	sha256_update(&h->ctx, len, buf);
	h->bytes += (long long)len;
}

void img_hasher_final(struct img_hasher *h, img_digest ret)
{
	uint8_t raw[SHA256_DIGEST_SIZE];

	sha256_digest(&h->ctx, sizeof(raw), raw);
	memcpy(ret, "sha256:", 7);
	to_hex(raw, sizeof(raw), ret + 7);
}

int img_digest_file(int fd, img_digest ret)
{
	struct img_hasher h;
	char buf[65536];
	ssize_t n;

	img_hasher_init(&h);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		img_hasher_update(&h, buf, (size_t)n);
	}
	img_hasher_final(&h, ret);
	return 0;
}

void img_digest_buf(const void *buf, size_t len, img_digest ret)
{
	struct img_hasher h;

	img_hasher_init(&h);
	img_hasher_update(&h, buf, len);
	img_hasher_final(&h, ret);
}

/* Digests (runtime/image/digest.c): FIPS 180-2's SHA-256 vectors, incremental hashing,
 * a whole file, and what counts as a digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"

static void test_vectors(void **state)
{
	img_digest d;

	(void)state;
	img_digest_buf("", 0, d);
	assert_string_equal(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	img_digest_buf("abc", 3, d);
	assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	img_digest_buf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	assert_string_equal(d, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_true(img_digest_valid(d));
	assert_string_equal(img_digest_hex(d), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A million 'a's in uneven pieces: the hasher keeps state and counts bytes. */
static void test_incremental(void **state)
{
	struct img_hasher h;
	char buf[1024]; /* pieces are at most 1003 bytes */
	img_digest d;
	size_t done = 0, step = 1;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	img_hasher_init(&h);
	while (done < 1000000) {
		size_t n = step < 1000000 - done ? step : 1000000 - done;

		img_hasher_update(&h, buf, n);
		done += n;
		step = step % 997 + 7;
	}
	assert_int_equal(h.bytes, 1000000);
	img_hasher_final(&h, d);
	assert_string_equal(d, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_file(void **state)
{
	char path[] = "/tmp/nr-img-digest.XXXXXX";
	int fd = mkstemp(path);
	img_digest d;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(img_digest_file(fd, d), 0);
	assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	close(fd);
	unlink(path);
	assert_int_equal(img_digest_file(-1, d), -EBADF);
}

static void test_valid(void **state)
{
	const char *good = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const char *bad[] = {
		"",
		"sha256:",
		"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
		"sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	};

	(void)state;
	assert_true(img_digest_valid(good));
	assert_false(img_digest_valid(NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(img_digest_valid(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

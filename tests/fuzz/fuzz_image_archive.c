/* img_archive_load on arbitrary bytes (an outer tar, maybe compressed) into a store in a
 * private directory: it must succeed or fail with a well-formed error, and a failure
 * must leave the store's blobs, layers and image records as they were.  What loads is
 * removed again, so every run starts from the same (empty) store. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "image/archive.h"
#include "image/store.h"

/* Entries of dir (blobs/sha256, layers, images): how many. */
static int count(const char *root, const char *sub)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct img_store *st;
	struct nr_error err = { 0 };
	struct img_loaded l = { 0 };
	char path[256];
	int fd, r, before[3];

	if (!st && img_store_open(fuzz_tmpdir(), IMG_LOCK_EXCLUSIVE, &st, &err) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/in.tar", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	before[0] = count(img_store_root(st), "blobs/sha256");
	before[1] = count(img_store_root(st), "layers");
	before[2] = count(img_store_root(st), "images");
	r = img_archive_load(st, fd, &l, &err);
	close(fd);
	fuzz_check_error(r, &err);
	if (r < 0) {
		if (count(img_store_root(st), "blobs/sha256") != before[0] ||
		    count(img_store_root(st), "layers") != before[1] ||
		    count(img_store_root(st), "images") != before[2]) {
			fprintf(stderr, "a refused load left something: %s\n", err.msg);
			abort();
		}
		return 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (l.refs[i])
			img_tag_remove(st, l.refs[i], &err);
		img_image_remove(st, l.ids[i], &err);
	}
	img_store_gc(st, NULL, &err);
	img_loaded_free(&l);
	return 0;
}

/* The layer unpacker (runtime/image/layer_unpack.c), the classic tar-extraction attack
 * surface: the bytes as a layer (plain or compressed) unpacked into a fresh directory
 * beside a canary.  Whatever the input, nothing may appear beside the layer or change
 * the canary, and a failure must be a well-formed error.  The layer is removed after
 * each run.  Runs as root in CI, so devices and owners are made too. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "image/layer.h"
#include "image/layer_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Only "canary" (still "canary") and "l" may be in the scratch directory. */
static void check_beside(int tmp)
{
	char buf[16] = "";
	struct dirent *de;
	int fd = openat(tmp, "canary", O_RDONLY | O_NOFOLLOW), dup_fd = dup(tmp);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) != 6 || strcmp(buf, "canary") || !d)
		abort();
	close(fd);
	rewinddir(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "canary") &&
		    strcmp(de->d_name, "l")) {
			fprintf(stderr, "the layer wrote beside itself: %s\n", de->d_name);
			abort();
		}
	closedir(d);
}

/* The scratch directory goes with the process (libFuzzer ends with exit()). */
static void remove_scratch(void)
{
	layer_remove_at(AT_FDCWD, fuzz_tmpdir());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int tmp = -1;
	struct nr_error err = { 0 };
	char dir[128];
	img_digest id;
	long long bytes;
	int fd, r;

	if (tmp < 0) {
		tmp = open(fuzz_tmpdir(), O_RDONLY | O_DIRECTORY);
		if (tmp < 0)
			abort();
		snprintf(dir, sizeof(dir), "%s/canary", fuzz_tmpdir());
		fuzz_write_file(dir, (const uint8_t *)"canary", 6);
		atexit(remove_scratch);
	}
	fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	snprintf(dir, sizeof(dir), "%s/l", fuzz_tmpdir());
	if (mkdir(dir, 0755) < 0)
		abort();
	r = layer_unpack(fd, dir, id, &bytes, &err);
	close(fd);
	fuzz_check_error(r, &err);
	if (r >= 0 && !img_digest_valid(id))
		abort();
	check_beside(tmp);
	if (layer_remove_at(tmp, "l") < 0)
		abort();
	return 0;
}

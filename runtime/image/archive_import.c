/* img_archive_import: a plain root file system tar (docker import) as a one-layer image.
 * The tar is stored as given, in one pass (hashed as it is copied), with the media type
 * its first bytes say; the image itself is made by img_image_derive (no parent). */
#include "image/archive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "image/derive.h"
#include "image/manifest.h"

#define IMPORT_CHUNK (1 << 20)

static const char *media_type_of(const unsigned char *m, size_t n)
{
	static const unsigned char gz[] = { 0x1f, 0x8b }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
				   xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 }, bz[] = { 'B', 'Z', 'h' };

	if (n >= sizeof(gz) && memcmp(m, gz, sizeof(gz)) == 0)
		return IMG_MT_OCI_LAYER_GZIP;
	if (n >= sizeof(zst) && memcmp(m, zst, sizeof(zst)) == 0)
		return IMG_MT_OCI_LAYER_ZSTD;
	if ((n >= sizeof(xz) && memcmp(m, xz, sizeof(xz)) == 0) || (n >= sizeof(bz) && memcmp(m, bz, sizeof(bz)) == 0))
		return NULL; /* no OCI media type names xz or bzip2 layers */
	return IMG_MT_OCI_LAYER;
}

static void image_list_freep(struct img_image ***l)
{
	img_image_list_free(*l);
}

static void blob_writer_abortp(struct img_blob_writer **w)
{
	img_blob_abort(*w);
}

int img_archive_import(struct img_store *st, int fd, const char *ref, const char *const *changes, img_digest ret_id,
		       struct nr_error *err)
{
	_cleanup_(blob_writer_abortp) struct img_blob_writer *w = NULL;
	_cleanup_free_ unsigned char *buf = malloc(IMPORT_CHUNK);
	unsigned char magic[6];
	size_t n_magic = 0;
	long long total = 0;
	const char *mt;
	img_digest blob, id;
	struct img_ref parsed;
	struct nr_error ignored = { 0 };
	bool had;
	int r;

	if (!buf)
		return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
	/* A bad name is refused before anything is stored. */
	if (ref && (r = img_ref_parse(ref, &parsed, err)) < 0)
		return nr_error_wrap(err, r, "import: %s", ref);
	if ((r = img_blob_begin(st, &w, err)) < 0)
		return r;
	for (;;) {
		ssize_t n = read(fd, buf, IMPORT_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return nr_error_set(err, RT_ERR_SYSTEM, errno, "import: reading the tar: %m");
		if (n == 0)
			break;
		if (n_magic < sizeof(magic)) {
			size_t k = sizeof(magic) - n_magic < (size_t)n ? sizeof(magic) - n_magic : (size_t)n;

			memcpy(magic + n_magic, buf, k);
			n_magic += k;
		}
		if ((r = img_blob_write(w, buf, n, err)) < 0)
			return r;
		total += n;
	}
	if (total == 0)
		return nr_error_set(err, RT_ERR_USAGE, EINVAL, "import: the input is empty (a tar archive is needed)");
	if (!(mt = media_type_of(magic, n_magic)))
		return nr_error_set(err, RT_ERR_USAGE, ENOTSUP,
				    "import: xz and bzip2 are not supported (a plain, gzip or zstd tar is)");
	if ((r = img_blob_commit(TAKE_PTR(w), NULL, blob, err)) < 0)
		return r;
	had = false;
	{
		/* img_blob_commit cannot say whether the blob was new; an image using it says it
		 * was not, and then a failure below must leave it. */
		_cleanup_(image_list_freep) struct img_image **list = NULL;

		if (img_image_list(st, &list, &ignored) >= 0)
			for (size_t i = 0; list && list[i] && !had; i++)
				for (size_t l = 0; l < list[i]->n_layers; l++)
					if (strcmp(list[i]->layers[l].blob, blob) == 0)
						had = true;
	}
	struct img_derive d = {
		.parent = NULL,
		.layer_blob = blob,
		.media_type = mt,
		.changes = changes,
		.created_by = "import",
		.ref = ref,
	};

	r = img_image_derive(st, &d, id, err);
	if (r < 0) {
		if (!had) {
			char path[4096];

			if (img_blob_path(st, blob, path, sizeof(path)))
				unlink(path);
		}
		return nr_error_wrap(err, r, "import");
	}
	if (ret_id)
		memcpy(ret_id, id, IMG_DIGEST_LEN + 1);
	return 0;
}

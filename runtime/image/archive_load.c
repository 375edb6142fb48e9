/* img_archive_load: docker save's layout (manifest.json) or the OCI image layout
 * (index.json), detected; Docker 25+ and podman write both, and manifest.json is read
 * then (it has the names).  Three steps, as docs/images.md describes:
 *   1. stage: the outer tar read once into memory and store blobs (archive_stage.c);
 *   2. plan (archive_plan.c): the documents parsed, every referenced blob found and its
 *      digest checked, every layer the archive leaves out (`save --since`) found in the
 *      store;
 *   3. apply: layers unpacked bottom up into tmp/, one syncfs, the layers renamed into
 *      layers/, images recorded, names set (docs/images-perf.md: why one sync).
 * Whatever step 1 or 3 added is taken back on failure (blobs, layers and images this load
 * made, names it moved), so a refused archive leaves the store as it was. */
#include "image/archive.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "engine/rt_error.h"
#include "image/archive_plan.h"
#include "image/store_int.h"

static int nomem(struct nr_error *err)
{
	return nr_error_set(err, RT_ERR_NOMEM, ENOMEM, "out of memory");
}

static int push_digest(img_digest **v, size_t *n, const char *d)
{
	img_digest *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	memcpy(nv[(*n)++], d, IMG_DIGEST_LEN + 1);
	return 0;
}

/* --- apply and roll back --- */

static void rollback(struct load *ld)
{
	struct nr_error ignored = { 0 };

	for (size_t i = ld->n_undo; i-- > 0;) {
		if (ld->undo[i].old[0])
			img_tag_set(ld->st, ld->undo[i].ref, ld->undo[i].old, &ignored);
		else
			img_tag_remove(ld->st, ld->undo[i].ref, &ignored);
	}
	for (size_t i = ld->n_new_images; i-- > 0;)
		img_image_remove(ld->st, ld->new_images[i], &ignored);
	for (size_t i = ld->n_new_layers; i-- > 0;)
		img_layer_delete(ld->st, ld->new_layers[i], NULL, &ignored);
	for (size_t i = 0; i < ld->s.n_new_blobs; i++)
		stage_blob_remove(&ld->s, ld->s.new_blobs[i]);
}

/* A layer the store has already: described by its layer.json (the load's copy of its
 * blob, if any, is not needed) as long as the blob it was unpacked from is still there. */
static bool layer_existing(struct load *ld, const char *chain_id, struct img_layer *ret)
{
	struct nr_error ignored = { 0 };
	struct img_layer l;
	char path[4096];
	struct stat sb;

	if (!img_layer_has(ld->st, chain_id) || img_layer_load(ld->st, chain_id, &l, &ignored) < 0 ||
	    !img_digest_valid(l.blob) || !img_blob_has(ld->st, l.blob))
		return false;
	if (stat(img_blob_path(ld->st, l.blob, path, sizeof(path)), &sb) == 0)
		l.blob_size = sb.st_size;
	*ret = l;
	return true;
}

/* Layers to unpack into tmp/ (jobs for unpack_all), then waiting there for the load's
 * one sync to be published. */
struct pending {
	struct pending_layer {
		img_digest chain_id; /* the plan's: what the verified diff ids give */
		char tmp[4096];
		/* the job: pointers into the plan, which outlives it */
		const char *parent, *blob, *media_type, *expect, *what;
		bool plain;
		/* its outcome */
		struct img_layer l;
		int r;
		struct nr_error err;
	} * v;
	size_t n;
	size_t next; /* unpack_all: the next job to take */
	pthread_mutex_t lock;
};

static struct pending_layer *pending_find(struct pending *p, const char *chain_id)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].chain_id, chain_id) == 0)
			return &p->v[i];
	return NULL;
}

static void pending_drop(struct pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		img_fs_rm_tree(p->v[i].tmp, NULL);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Step 3a: an image's config and new layers, unpacked into tmp/ (shared layers once). */
static int apply_layers(struct load *ld, struct plan_image *pi, struct pending *pend, struct nr_error *err)
{
	const char *parent = NULL;
	int r;

	if ((r = stage_store(&ld->s, pi->config, err)) < 0)
		return r;
	for (size_t i = 0; i < pi->n; i++) {
		struct plan_layer *pl = &pi->layers[i];
		struct pending_layer *have = pending_find(pend, pl->chain_id);
		bool had = img_layer_has(ld->st, pl->chain_id);

		parent = i ? pi->layers[i - 1].chain_id : NULL;
		if (have)
			continue; /* another image's of this archive: done[i] filled after the unpack */
		if (layer_existing(ld, pl->chain_id, &pi->done[i]))
			continue;
		if (!pl->blob) /* plan_check_absent saw the layer; its blob has gone since */
			return nr_error_set(err, RT_ERR_NOT_FOUND, ENOENT, "layer %.200s: its blob is not in the store",
					    pl->what);
		if ((r = stage_store(&ld->s, pl->blob, err)) < 0)
			return r;
		if (had) {
			/* There, but unpacked from another blob that has gone: this one stands for
			 * it now, nothing unpacked (its parent may still be waiting in tmp/, so not
			 * through img_layer_add, which wants it published). */
			struct img_layer *l = &pi->done[i];

			if ((r = img_layer_load(ld->st, pl->chain_id, l, err)) < 0)
				return nr_error_wrap(err, r, "layer %.200s", pl->what);
			memcpy(l->blob, pl->blob->digest, sizeof(l->blob));
			snprintf(l->media_type, sizeof(l->media_type), "%s", img_layer_media_type(pl->kind));
			l->blob_size = pl->blob->size;
			continue;
		}
		struct pending_layer *nv = realloc(pend->v, (pend->n + 1) * sizeof(*nv));

		if (!nv)
			return nomem(err);
		pend->v = nv;
		nv = &pend->v[pend->n];
		memset(nv, 0, sizeof(*nv));
		if ((r = img_tmp_path(ld->st, "layer", nv->tmp, sizeof(nv->tmp), err)) < 0)
			return r;
		memcpy(nv->chain_id, pl->chain_id, sizeof(nv->chain_id));
		nv->parent = parent;
		nv->blob = pl->blob->digest;
		nv->media_type = img_layer_media_type(pl->kind);
		nv->expect = pi->diff_ids[i];
		nv->what = pl->what;
		nv->plain = stage_compression(pl->blob) == STAGE_PLAIN;
		pend->n++;
	}
	return 0;
}

/* A worker of unpack_all: takes jobs until there are none (or one failed). */
static void *unpack_worker(void *arg)
{
	struct load *ld = ((void **)arg)[0];
	struct pending *pend = ((void **)arg)[1];

	for (;;) {
		struct pending_layer *p;
		bool stop = false;

		pthread_mutex_lock(&pend->lock);
		for (size_t i = 0; i < pend->next; i++)
			stop = stop || pend->v[i].r < 0;
		p = !stop && pend->next < pend->n ? &pend->v[pend->next++] : NULL;
		pthread_mutex_unlock(&pend->lock);
		if (!p)
			return NULL;
		int r = img_layer_unpack_tmp(ld->st, p->tmp, p->parent, p->blob, p->media_type, p->expect, p->plain,
					     &p->l, &p->err);

		if (r < 0)
			nr_error_wrap(&p->err, r, "layer %.200s", p->what);
		else if (strcmp(p->l.chain_id, p->chain_id) != 0) /* diff id checked: cannot be */
			r = nr_error_set(&p->err, RT_ERR_SYSTEM, EIO, "layer %.200s: chain id %s, planned %s", p->what,
					 p->l.chain_id, p->chain_id);
		pthread_mutex_lock(&pend->lock); /* r is what the others look at */
		p->r = r;
		pthread_mutex_unlock(&pend->lock);
	}
}

/* Step 3b: the layers unpacked, on as many threads as there are CPUs (up to
 * UNPACK_THREADS): layers are independent directories, and unpacking one is CPU work
 * (inode allocation, copies, hashing) more than waiting for the disk.  Each thread has
 * its own working directory (layer_unpack: unshare(CLONE_FS)), error and archive
 * objects; img_layer_unpack_tmp changes nothing shared. */
#define UNPACK_THREADS 4

static int unpack_all(struct load *ld, struct pending *pend, struct nr_error *err)
{
	void *arg[2] = { ld, pend };
	pthread_t th[UNPACK_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n_th = 0, want = cpus < 1 ? 1 : cpus > UNPACK_THREADS ? UNPACK_THREADS : (size_t)cpus;

	if (want > pend->n)
		want = pend->n;
	pthread_mutex_init(&pend->lock, NULL);
	pend->next = 0;
	/* The calling thread is one of the workers; a thread that cannot be made is one less. */
	while (n_th + 1 < want && pthread_create(&th[n_th], NULL, unpack_worker, arg) == 0)
		n_th++;
	unpack_worker(arg);
	for (size_t i = 0; i < n_th; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&pend->lock);
	for (size_t i = 0; i < pend->n; i++)
		if (pend->v[i].r < 0) {
			*err = pend->v[i].err;
			return pend->v[i].r;
		}
	/* Every image's layers as unpacked (a layer two images share, once). */
	for (size_t k = 0; k < ld->n_im; k++)
		for (size_t i = 0; i < ld->im[k].n; i++) {
			struct pending_layer *p = pending_find(pend, ld->im[k].layers[i].chain_id);

			if (p)
				ld->im[k].done[i] = p->l;
		}
	return 0;
}

/* Step 3c: one syncfs for every blob and layer this load wrote (rather than an fsync per
 * blob and a syncfs per layer), then the layers' names: a layer is in layers/ only
 * once its files are on disk, and no record names anything not yet synced. */
static int publish_layers(struct load *ld, struct pending *pend, struct nr_error *err)
{
	char dir[4096];
	int r;

	if (!pend->n && !ld->s.n_new_blobs) {
		ld->st->defer_sync = false;
		return 0;
	}
	if ((r = img_store_syncfs(ld->st, err)) < 0)
		return r;
	ld->st->defer_sync = false;
	while (pend->n) {
		struct pending_layer *p = &pend->v[0];

		if ((r = img_layer_publish(ld->st, p->tmp, p->chain_id, err)) < 0) {
			memmove(pend->v, pend->v + 1, --pend->n * sizeof(*pend->v));
			return r;
		}
		if (push_digest(&ld->new_layers, &ld->n_new_layers, p->chain_id) < 0)
			return nomem(err);
		memmove(pend->v, pend->v + 1, --pend->n * sizeof(*pend->v));
	}
	snprintf(dir, sizeof(dir), "%s/layers", img_store_root(ld->st));
	img_fs_sync_dir(dir);
	return 0;
}

/* Step 3d: the image's record (its layers published, everything it names synced). */
static int apply_record(struct load *ld, struct plan_image *pi, struct nr_error *err)
{
	_cleanup_img_image_ struct img_image *old = NULL;
	struct nr_error ignored = { 0 };
	int r;
	bool existed = img_image_find(ld->st, pi->config->digest, &old, &ignored) >= 0;

	if ((r = img_image_add(ld->st, pi->config->digest, pi->done, pi->n, NULL, err)) < 0)
		return r;
	if (!existed && push_digest(&ld->new_images, &ld->n_new_images, pi->config->digest) < 0)
		return nomem(err);
	return 0;
}

static int apply_tags(struct load *ld, struct plan_image *pi, struct nr_error *err)
{
	for (size_t i = 0; i < pi->n_refs; i++) {
		_cleanup_img_image_ struct img_image *old = NULL;
		struct nr_error ignored = { 0 };
		struct tag_undo *nv = realloc(ld->undo, (ld->n_undo + 1) * sizeof(*nv));
		int r;

		if (!nv)
			return nomem(err);
		ld->undo = nv;
		nv = &ld->undo[ld->n_undo];
		memset(nv, 0, sizeof(*nv));
		if (!(nv->ref = strdup(pi->refs[i])))
			return nomem(err);
		if (img_image_find(ld->st, pi->refs[i], &old, &ignored) >= 0)
			memcpy(nv->old, old->id, IMG_DIGEST_LEN + 1);
		ld->n_undo++;
		if ((r = img_tag_set(ld->st, pi->refs[i], pi->config->digest, err)) < 0)
			return r;
	}
	return 0;
}

static bool blob_used(struct load *ld, const char *digest)
{
	for (size_t k = 0; k < ld->n_im; k++) {
		struct plan_image *pi = &ld->im[k];
		_cleanup_img_image_ struct img_image *im = NULL;
		struct nr_error ignored = { 0 };

		if (strcmp(pi->config->digest, digest) == 0)
			return true;
		for (size_t i = 0; i < pi->n; i++)
			if (strcmp(pi->done[i].blob, digest) == 0)
				return true;
		if (img_image_find(ld->st, pi->config->digest, &im, &ignored) >= 0 && strcmp(im->manifest, digest) == 0)
			return true;
	}
	return false;
}

static int loaded_fill(struct load *ld, struct img_loaded *ret, struct nr_error *err)
{
	struct img_loaded l = { 0 };
	size_t n = 0;

	for (size_t k = 0; k < ld->n_im; k++)
		n += ld->im[k].n_refs ? ld->im[k].n_refs : 1;
	l.refs = calloc(n + 1, sizeof(*l.refs));
	l.ids = calloc(n + 1, sizeof(*l.ids));
	if (!l.refs || !l.ids) {
		img_loaded_free(&l);
		return nomem(err);
	}
	for (size_t k = 0; k < ld->n_im; k++) {
		struct plan_image *pi = &ld->im[k];

		for (size_t i = 0; i < (pi->n_refs ? pi->n_refs : 1); i++) {
			if (pi->n_refs && !(l.refs[l.n] = strdup(pi->refs[i]))) {
				img_loaded_free(&l);
				return nomem(err);
			}
			memcpy(l.ids[l.n++], pi->config->digest, IMG_DIGEST_LEN + 1);
		}
	}
	*ret = l;
	return 0;
}

void img_loaded_free(struct img_loaded *l)
{
	if (!l)
		return;
	for (size_t i = 0; l->refs && i < l->n; i++)
		free(l->refs[i]);
	free(l->refs);
	free(l->ids);
	memset(l, 0, sizeof(*l));
}

static void load_free(struct load *ld)
{
	for (size_t k = 0; k < ld->n_im; k++)
		plan_image_clear(&ld->im[k]);
	free(ld->im);
	free(ld->new_layers);
	free(ld->new_images);
	for (size_t i = 0; i < ld->n_undo; i++)
		free(ld->undo[i].ref);
	free(ld->undo);
	stage_free(&ld->s);
}

int img_archive_load(struct img_store *st, int fd, struct img_loaded *ret, struct nr_error *err)
{
	struct load ld = { .st = st };
	struct pending pend = { 0 };
	int r;

	/* The rollback takes back what is new since the start: no other writer may add meanwhile. */
	if ((r = img_store_need_writer(st, "loading images", err)) < 0)
		return r;
	st->defer_sync = true;
	if ((r = stage_read(&ld.s, st, fd, err)) < 0)
		goto fail;
	if ((r = load_plan(&ld, err)) < 0)
		goto fail;
	for (size_t k = 0; k < ld.n_im; k++)
		if ((r = apply_layers(&ld, &ld.im[k], &pend, err)) < 0)
			goto fail;
	if ((r = unpack_all(&ld, &pend, err)) < 0)
		goto fail;
	if ((r = publish_layers(&ld, &pend, err)) < 0)
		goto fail;
	for (size_t k = 0; k < ld.n_im; k++)
		if ((r = apply_record(&ld, &ld.im[k], err)) < 0)
			goto fail;
	for (size_t k = 0; k < ld.n_im; k++)
		if ((r = apply_tags(&ld, &ld.im[k], err)) < 0)
			goto fail;
	if ((r = loaded_fill(&ld, ret, err)) < 0)
		goto fail;
	/* Archive files no image uses (Docker 25's OCI manifests, stray files): not kept. */
	for (size_t i = 0; i < ld.s.n_new_blobs; i++)
		if (!blob_used(&ld, ld.s.new_blobs[i]))
			stage_blob_remove(&ld.s, ld.s.new_blobs[i]);
	pending_drop(&pend); /* all published: only the array is left */
	load_free(&ld);
	return 0;
fail:
	st->defer_sync = false;
	pending_drop(&pend);
	rollback(&ld);
	load_free(&ld);
	return r < 0 ? r : -EIO;
}

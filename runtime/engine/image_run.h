/* `netns-run run IMAGE`: which first word names an image, and what the image lends a
 * run's options, by Docker's rules (docs/cli.md "Images", docs/images.md, "Running an image").
 *
 * The order of a run: the CLI finds the image (image_run_find: the image store's shared
 * lock, held only while its record and config are read) and applies it to its options
 * (image_run_apply); create() then pins it (image_run_pin) under the container store's
 * lock, so that rmi, which takes that lock first and the image store's second, sees
 * either no record or a record naming the image whose layers are all there. */
#ifndef NETNS_RUN_IMAGE_RUN_H
#define NETNS_RUN_IMAGE_RUN_H

#include <stdbool.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "image/config.h"
#include "image/digest.h"
#include "opts.h"

/* What an image (or --entrypoint alone) lends a run's options; they point into it. */
struct image_run {
	img_digest id;         /* "" without an image */
	struct img_config cfg; /* its config (Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts) */
	char **lowers;         /* its layers' directories, top first (NULL-ended) */
	char **argv;           /* the command run_opts.argv points to (image_run_apply) */
	char *workdir;         /* WorkingDir made absolute, when o->workdir comes from it */
};

void image_run_free(struct image_run *im);
DEFINE_PTR_CLEANUP(image_run_freep, struct image_run *, image_run_free)
#define _cleanup_image_run_ _cleanup_(image_run_freep)

/* Whether word is written as an image reference, so that a miss is an error rather than
 * a command on the host's root: it has a tag (':'), a digest ('@'), or a '/' while not
 * being a path (starting with '/' or '.').  Syntax only: the caller checks it parses. */
bool image_word_explicit(const char *word);

/* The first word after run's options: 1 with *ret when it names an image of the store
 * under state_dir, 0 when it is a command (no such image, not written as a reference;
 * also when there is no store: it is not created just to look), or negative with err:
 * RT_ERR_NOT_FOUND "Unable to find image 'W' locally …" for a reference the store lacks. */
int image_run_find(const char *state_dir, const char *word, struct image_run **ret, struct nr_error *err);

/* The command Docker runs: --entrypoint (entrypoint_opt: NULL when not given, "" for
 * none) or else the image's Entrypoint, followed by command when given (non-empty), else
 * by the image's Cmd unless --entrypoint was given.  *ret is an owned strv (possibly
 * empty: the caller refuses "no command specified"). */
int image_argv_build(char *const *img_entrypoint, char *const *img_cmd, const char *entrypoint_opt,
		     char *const *command, char ***ret, struct nr_error *err);

/* Apply im (NULL: no image, only --entrypoint) to o: o->rootfs from its layers (refused
 * with --rootfs), o->argv (command: what followed IMAGE, NULL-ended, may be empty), Env
 * before -e (o->image_env), WorkingDir unless -w, User unless -u, and with -P each
 * exposed port on a free host port added to o->caps.  o takes im (o->img). */
int image_run_apply(struct image_run *im, struct run_opts *o, char **command, struct nr_error *err);

/* "80/tcp" (or "80", "8000-8010/udp") -> portMappings entries on free host ports, picked
 * by binding port 0 (TCP or UDP) in this, the host's, network namespace. */
int image_publish_all(char *const *exposed, char **caps, struct nr_error *err);

/* Under the container store's lock (ctr_store_lock), before the record naming the image
 * is saved: the image o->image_id is still in the store with the layers o->rootfs
 * names, so a concurrent rmi either removed it before (refused here) or sees the record
 * after.  Takes the image store's lock shared, after the container store's. */
int image_run_pin(const struct run_opts *o, struct nr_error *err);

#endif

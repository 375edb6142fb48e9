/* The netns-run command line: verbs over the engine (runtime/engine).  Each verb is a
 * file; main.c dispatches through a table; this file's printer is the one place errors
 * reach the user. */
#ifndef NETNS_RUN_CLI_H
#define NETNS_RUN_CLI_H

#include <getopt.h>

#include "base/error.h"
#include "engine/rt.h"
#include "engine/rt_error.h"

/* Verbs: each returns the process exit status. */
int cmd_run(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_network(int argc, char **argv); /* runtime/network.c */
int cmd_version(int argc, char **argv); /* version.c */
/* Images (issue 16): one verb per file; `image` dispatches its subverbs to these. */
int cmd_load(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_image_inspect(int argc, char **argv); /* image.c */
int cmd_image_prune(int argc, char **argv);   /* image.c */
int cmd_history(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_pull(int argc, char **argv);   /* pull, push, login: refused (no registries) */
int cmd_daemon(int argc, char **argv); /* sibling.c: execs netns-run-daemon */
int cmd_lab(int argc, char **argv);    /* sibling.c: execs netns-run-lab */
/* sibling.c: `netns-run-overlay VERB argv[1..]` (argv[0] is the CLI's own verb): exec'd
 * (returns only on failure), or run and waited for (its exit status). */
int cli_exec_overlay(const char *verb, int argc, char **argv);
int cli_run_overlay(const char *verb, int argc, char **argv);
/* image_store.c.  Open the image store for a verb that only reads it: 0 with *ret NULL when
 * there is none yet (<state>/images), which the verb shows as no images, rather than
 * creating one just to look. */
struct img_store;
int cli_image_store_peek(struct img_store **ret, struct nr_error *err);

/* error.c.  Print "netns-run: <msg>" (and "netns-run: (<details>)") to stderr. */
void rt_print_error(const struct nr_error *err);
/* The exit status for an error: the runtime's own failures are 125 (docker's convention),
 * whatever their kind (enum rt_error_kind) or a plugin's CNI code. */
int cli_exit_status(const struct nr_error *err);
/* rt_print_error, then cli_exit_status. */
int cli_error(const struct nr_error *err);
/* "netns-run VERB: <msg>" for a command line the verb cannot take; returns 125. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "netns-run: <msg><tail>": a warning; the command goes on. */
void cli_warn(const struct nr_error *w, const char *tail);

/* options.c.  The option loop the small verbs share: -h prints usage (0); a bad option
 * or fewer than min_args arguments print a usage error (-125); 1 to go on. */
int cli_small_opts(int argc, char **argv, const char *usage, const char *optstr, const struct option *extra,
		   int (*on_opt)(int c, const char *arg, void *ctx), void *ctx, int min_args);
/* fn on each name left after the options (argv[optind..]): its name printed when it
 * returns 0 (> 0: done, nothing to print), its error when < 0; 125 when any failed. */
int cli_each_name(int argc, char **argv, int (*fn)(const char *name, void *ctx, struct nr_error *err), void *ctx);

#endif

/* A capped log file, rotated by its one writer: the plain log of `run -d` (log.h) and
 * the JSON log of a monitor's container (log_json.h) both keep their size this way.
 * path -> path.1 -> … -> path.<max_files-1> (the oldest dropped); with max_files 1 the
 * file starts again empty.  A write is cut after its last whole line that fits; what
 * the file system refuses (a full disk) is dropped, never waited for. */
#ifndef NETNS_RUN_LOG_FILE_H
#define NETNS_RUN_LOG_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct log_file {
	char path[512];
	int fd;        /* the current file, O_APPEND; -1 when closed */
	size_t size;   /* of the current file */
	size_t max;    /* max-size (SIZE_MAX: no cap) */
	int max_files; /* max-file, at least 1 */
};

/* Open (append to) path; max_size <= 0 means no cap.  -errno. */
int log_file_open(struct log_file *f, const char *path, long long max_size, int max_files);
/* Write within the cap: whole lines while they fit, then rotate; a line longer than the
 * cap is cut. */
void log_file_write(struct log_file *f, const char *buf, size_t n);
void log_file_close(struct log_file *f);

#endif

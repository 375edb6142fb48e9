#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int nr_error_set(struct nr_error *err, int code, int errnum, const char *fmt, ...)
{
	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EINVAL;
	if (err) {
		va_list ap;
		err->code = code;
		err->details[0] = '\0';
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

int nr_error_wrap(struct nr_error *err, int ret, const char *fmt, ...)
{
	char prefix[NR_ERROR_MSG_MAX];
	char old[NR_ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return ret;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	if (err->code == CNI_OK)
		err->code = CNI_ERR_INTERNAL;
	if (old[0])
		snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, strerror(ret < 0 ? -ret : EINVAL));
	return ret;
}

void nr_error_details(struct nr_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->details, sizeof(err->details), fmt, ap);
	va_end(ap);
}

void nr_error_clear(struct nr_error *err)
{
	if (!err)
		return;
	err->code = CNI_OK;
	err->msg[0] = '\0';
	err->details[0] = '\0';
}

void nr_error_copy(struct nr_error *dst, const struct nr_error *src)
{
	if (!dst || !src || dst == src)
		return;
	*dst = *src;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Errors, crun style: a failing function returns a negative value and fills
 * *err with one message that names what was at fault. Only commands print. */
#ifndef NVCT_ERROR_H
#define NVCT_ERROR_H

typedef struct nvct_error {
        int status; /* errno that caused it, or 0 */
        char *msg;
} nvct_error;

/* Sets *err (when err is not NULL and *err is still empty) and returns -1.
 * When errno_ is non-zero, ": strerror(errno_)" is appended. */
int nvct_error_make(nvct_error **err, int errno_, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Prefixes an existing error's message with "prefix: ". Returns -1. */
int nvct_error_prefix(nvct_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void nvct_error_free(nvct_error **err);

/* A warning: something left out that the caller may want to hear about.
 * Formats the message and hands it to `warn` (nothing when warn is NULL, or
 * when memory ran out: a warning is never worth failing for). */
typedef void (*nvct_warn_fn)(void *userdata, const char *message);
void nvct_warnf(nvct_warn_fn warn, void *userdata, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define _cleanup_error_ __attribute__((cleanup(nvct_error_free)))

#endif

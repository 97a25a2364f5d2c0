/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* When even the message cannot be allocated, callers still get an error to
 * print: a static one, never freed. */
static nvct_error oom_error = { .status = 12, .msg = (char *)"out of memory" };

int nvct_error_make(nvct_error **err, int errno_, const char *fmt, ...) {
        if (err == NULL || *err != NULL)
                return -1;

        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0) {
                *err = &oom_error;
                return -1;
        }
        if (errno_ != 0) {
                char *full = NULL;
                if (asprintf(&full, "%s: %s", msg, strerror(errno_)) < 0) {
                        free(msg);
                        *err = &oom_error;
                        return -1;
                }
                free(msg);
                msg = full;
        }

        nvct_error *e = calloc(1, sizeof(*e));
        if (e == NULL) {
                free(msg);
                *err = &oom_error;
                return -1;
        }
        e->status = errno_;
        e->msg = msg;
        *err = e;
        return -1;
}

int nvct_error_prefix(nvct_error **err, const char *fmt, ...) {
        if (err == NULL || *err == NULL || *err == &oom_error)
                return -1;

        char *prefix = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&prefix, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -1;
        char *full = NULL;
        if (asprintf(&full, "%s: %s", prefix, (*err)->msg) >= 0) {
                free((*err)->msg);
                (*err)->msg = full;
        }
        free(prefix);
        return -1;
}

void nvct_error_free(nvct_error **err) {
        if (err == NULL || *err == NULL)
                return;
        if (*err != &oom_error) {
                free((*err)->msg);
                free(*err);
        }
        *err = NULL;
}

void nvct_warnf(nvct_warn_fn warn, void *userdata, const char *fmt, ...) {
        if (warn == NULL)
                return;
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r >= 0)
                warn(userdata, msg);
        free(msg);
}

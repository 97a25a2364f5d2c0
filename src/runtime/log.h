/* SPDX-License-Identifier: Apache-2.0 */
/* The runc wrapper's log, as NVIDIA's nvidia-container-runtime writes it:
 * each record goes to the config's nvidia-container-runtime.debug file and to
 * runc's --log file, formatted once in runc's --log-format (logrus's text or
 * JSON formatter: containerd's shim reads the JSON lines of runc's log to
 * show why a create failed), one write() per record. Nothing ever goes to
 * stdout or stderr: runc's `state` and `list` print there. */
#ifndef NVCT_RUNTIME_LOG_H
#define NVCT_RUNTIME_LOG_H

#include "basic/cleanup.h"
#include "basic/error.h"

typedef enum nvct_log_level {
        NVCT_LOG_ERROR,
        NVCT_LOG_WARNING,
        NVCT_LOG_INFO,
        NVCT_LOG_DEBUG,
        NVCT_LOG_TRACE,
} nvct_log_level;

typedef struct nvct_runtime_log nvct_runtime_log;

typedef struct nvct_runtime_log_options {
        const char *debug_path;      /* config nvidia-container-runtime.debug; NULL or "": none */
        const char *level;           /* config log-level; NULL: "info" */
        const char *runc_log_path;   /* runc's --log; NULL or "": none */
        const char *runc_log_format; /* runc's --log-format; NULL: "text" */
} nvct_runtime_log_options;

/* A message longer than this many bytes is cut (at a UTF-8 boundary) and
 * ends in "...": a record stays one bounded write. */
#define NVCT_RUNTIME_LOG_MSG_MAX 16384

/* Opens the log. The level is logrus's (panic, fatal, error, warning or
 * warn, info, debug, trace; any case): records below it are dropped; an
 * unknown level is "info" and one warning. "json" is logrus's JSON
 * formatter, anything else its text formatter (runc refuses other formats
 * itself). Each path is opened O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, mode
 * 0644 less the umask, its missing parent directories made (0755) as
 * NVIDIA's does; "/dev/null" is none. A file that cannot be opened is
 * skipped after a warning written to the other one. Never fails except on
 * allocation. */
int nvct_runtime_log_open(const nvct_runtime_log_options *options, nvct_runtime_log **ret_log,
                          nvct_error **err);

/* Closes the files and frees the log; NULL is a no-op. */
void nvct_runtime_log_close(nvct_runtime_log *log);

static inline void nvct_runtime_log_closep(nvct_runtime_log **log) {
        nvct_runtime_log_close(*log);
}
#define _cleanup_runtime_log_ _cleanup_(nvct_runtime_log_closep)

/* Formats and writes one record at `level` (dropped below the log's level).
 * The message may hold anything (untrusted text): it is escaped for the
 * format, so that it stays one line. A NULL log logs nothing. */
void nvct_runtime_logf(nvct_runtime_log *log, nvct_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* An nvct_warn_fn (basic/error.h): `userdata` is the nvct_runtime_log (or
 * NULL); the message is logged at warning level. */
void nvct_runtime_log_warn_fn(void *userdata, const char *message);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* An engine's configuration file read and replaced: the original's mode and
 * owner kept, nothing written when nothing changed. */
#ifndef NVCT_ENGINES_FILE_H
#define NVCT_ENGINES_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "basic/error.h"

typedef struct nvct_engine_file {
        char *data; /* NULL when the file does not exist; else NUL-terminated */
        size_t len;
        bool exists;
        mode_t mode; /* permission bits; of the file when it exists */
        uid_t uid;
        gid_t gid;
} nvct_engine_file;

/* Reads `path` (at most max_size bytes, a regular file: a FIFO or device is
 * refused without blocking; a symlink is followed). A missing file is not an
 * error: ret->exists is false. `what` names the file in errors ("docker
 * config"). *ret filled only on success. */
int nvct_engine_file_read(const char *path, const char *what, size_t max_size,
                          nvct_engine_file *ret, nvct_error **err);

/* Frees the bytes and empties the struct in place. */
void nvct_engine_file_clear(nvct_engine_file *file);

/* Replaces `path` with data when it differs from old's bytes (old as
 * nvct_engine_file_read filled it): atomically (a temporary file, fsync,
 * rename), with the original's mode, owner and group. A new file is made
 * 0644 by the writing process, its directory first (0755, as NVIDIA's
 * MkdirAll). A symlink is written through: its target is replaced and the
 * link stays. *ret_changed (may be NULL): whether it wrote. */
int nvct_engine_file_update(const char *path, const nvct_engine_file *old, const char *data,
                            size_t len, bool *ret_changed, nvct_error **err);

#endif

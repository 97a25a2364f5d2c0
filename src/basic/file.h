/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the files the hook reads (config.json, config.toml) the one safe
 * way: never blocking, regular files only, size bounded. */
#ifndef NVCT_FILE_H
#define NVCT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Opens `path` read-only. O_NONBLOCK: a FIFO planted in place of the file
 * must not hang container start; fstat then refuses anything but a regular
 * file, and one larger than `max_size`. `what` names the file in errors
 * ("OCI spec", "config file"). With `missing_ok`, a missing file returns
 * -ENOENT without an error. On success *ret_fd (O_CLOEXEC) and *ret_size. */
int nvct_open_regular(const char *path, const char *what, size_t max_size, bool missing_ok,
                      int *ret_fd, size_t *ret_size, nvct_error **err);

/* nvct_open_regular, then the whole file into memory, NUL-terminated after
 * *ret_len bytes: read to EOF (procfs files report size 0), never more than
 * `max_size` (a file that grew past it since fstat is refused too). */
int nvct_read_regular(const char *path, const char *what, size_t max_size, bool missing_ok,
                      char **ret_data, size_t *ret_len, nvct_error **err);

/* The read half of nvct_read_regular, for a caller that opened the file
 * with nvct_open_regular itself (to fstat the fd, say): `size` is what that
 * returned; the same bound, the same messages. */
int nvct_read_opened(int fd, const char *path, const char *what, size_t size, size_t max_size,
                     char **ret_data, size_t *ret_len, nvct_error **err);

/* Writes all of `buf` (retrying short writes and EINTR); 0 or -errno. */
int nvct_write_all(int fd, const void *buf, size_t len);

/* Replaces `path` with `data` atomically: a temporary file beside it
 * (O_EXCL, mode `mode` whatever the umask), written, fsync'd and renamed over
 * it. Readers see the old file or the new one, never a part; on failure the
 * temporary file is removed and `path` is untouched. Refuses a `path` that
 * exists and is not a regular file or a symlink (which is replaced, not
 * followed). */
int nvct_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                           nvct_error **err);

/* nvct_write_file_atomic, and the temporary file is given owner `uid` and
 * group `gid` before it is renamed, so that a replaced file keeps its owner
 * (an engine's config edited by root for another user); (uid_t)-1 or
 * (gid_t)-1 leaves that one as the writing process's. Failing to set them
 * (EPERM: not root) fails the write; `path` is untouched. */
int nvct_write_file_atomic_owned(const char *path, const void *data, size_t len, mode_t mode,
                                 uid_t uid, gid_t gid, nvct_error **err);

/* The same without the fsyncs: atomic for readers (old file or new, never
 * a part), not durable across a crash. For files that do not outlive a
 * crash anyway, such as a container bundle's config.json, where two fsyncs
 * would cost more than the rest of the edit. */
int nvct_write_file_replace(const char *path, const void *data, size_t len, mode_t mode,
                            nvct_error **err);

#endif

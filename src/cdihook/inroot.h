/* SPDX-License-Identifier: Apache-2.0 */
/* What the hook subcommands share inside a container's root, beyond
 * basic/rootfs's lookups: writing a file in a directory that rootfs
 * resolved, and listing a directory with a bound. */
#ifndef NVCT_CDIHOOK_INROOT_H
#define NVCT_CDIHOOK_INROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "basic/error.h"

/* Entries one directory listing reads before it gives up: a directory of an
 * image may hold millions of names. */
#define NVCT_CDIHOOK_MAX_DIR_ENTRIES 100000

/* Writes `data` as the file `name` in `dir_fd` (an fd of a directory inside
 * the root, O_PATH is enough), with `mode` whatever the umask. Atomic: the
 * bytes go to a new file under a hidden temporary name (O_CREAT|O_EXCL|
 * O_NOFOLLOW: never an existing file, never through a symlink), which is
 * then renamed to `name`: readers see no file or the whole of it. With
 * `replace`, whatever non-directory is at `name` is replaced (not written
 * through); without, an existing `name` fails with EEXIST (and *err is left
 * alone, so that the caller may pick another name). `where` names the
 * directory in messages (a container path). On failure the temporary file
 * is gone. */
int nvct_cdihook_write_at(int dir_fd, const char *where, const char *name, const void *data,
                          size_t len, mode_t mode, bool replace, nvct_error **err);

/* Calls `fn` for each entry of the directory `dir_fd` (an O_PATH fd is
 * reopened for reading), "." and ".." left out, at most
 * NVCT_CDIHOOK_MAX_DIR_ENTRIES of them (then an error naming `where`). `fn`
 * returns 0 to go on, a negative value (with *err set) to stop. */
typedef int (*nvct_cdihook_dirent_fn)(int dir_fd, const char *name, unsigned char d_type,
                                      void *userdata, nvct_error **err);
int nvct_cdihook_list_dir(int dir_fd, const char *where, nvct_cdihook_dirent_fn fn, void *userdata,
                          nvct_error **err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Acting inside a container's root filesystem from the host, as root, when
 * the image's author controls every path in it. Every lookup goes through
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) on an fd of the root, so
 * symlinks and ".." resolve as they would inside the container and never
 * reach the host; where openat2 is missing (ENOSYS), a component-by-component
 * walk with O_NOFOLLOW that keeps fds and resolves symlinks itself, within
 * the root, does the same. Nothing is ever created or written through a
 * symlink. */
#ifndef NVCT_ROOTFS_H
#define NVCT_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Symlinks followed in one resolution before ELOOP, as the kernel's 40. */
#define NVCT_ROOTFS_MAX_SYMLINKS 40

/* Path components (".", ".." and those in symlink contents included) one
 * resolution visits before it gives up: with the 40 symlinks, a bound on the
 * total work of a lookup, not only on its depth. Real paths have dozens. */
#define NVCT_ROOTFS_MAX_COMPONENTS 4096

/* Opens the root directory itself (O_PATH|O_DIRECTORY|O_CLOEXEC, not
 * following a final symlink). */
int nvct_rootfs_open_root(const char *rootfs, int *ret_root_fd, nvct_error **err);

/* Opens `path` (absolute or not, always taken inside the root) with
 * `flags` (O_CLOEXEC added). Symlinks, including a final one unless flags
 * hold O_NOFOLLOW, resolve inside the root. */
int nvct_rootfs_open(int root_fd, const char *path, int flags, int *ret_fd, nvct_error **err);

/* Makes directory `path` and its missing parents inside the root (mode
 * 0755), and returns an O_PATH fd of it. An existing component that is a
 * symlink is followed inside the root (a dangling one: its target is made);
 * one that is not a directory is an error. One walk, bounded in total by
 * NVCT_ROOTFS_MAX_SYMLINKS and NVCT_ROOTFS_MAX_COMPONENTS. */
int nvct_rootfs_mkdir_p(int root_fd, const char *path, int *ret_dir_fd, nvct_error **err);

/* Makes `link` (inside the root) a symlink whose content is `target`,
 * creating missing parent directories. An existing symlink with the same
 * target is left alone; any other existing non-directory is replaced
 * atomically (a new link under a temporary name, renamed over it, never
 * written through); an existing directory is an error. */
int nvct_rootfs_symlink(int root_fd, const char *target, const char *link, nvct_error **err);

/* For tests: force the O_NOFOLLOW walk even where openat2 works. */
void nvct_rootfs_force_fallback(bool force);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* ldconfig in a container's root, sandboxed: what nvidia-cdi-hook
 * update-ldcache runs. */
#ifndef NVCT_LDCONFIG_H
#define NVCT_LDCONFIG_H

#include "basic/error.h"

/* How long ldconfig may run before it is killed: an image can make it block
 * forever (/etc/ld.so.conf a FIFO, say). */
#define NVCT_LDCONFIG_TIMEOUT_MS 10000

/* For tests: ldconfig's deadline in milliseconds (0: the default,
 * NVCT_LDCONFIG_TIMEOUT_MS). */
void nvct_ldconfig_set_timeout(unsigned ms);

/* Runs `ldconfig_path` (a host path) with the container's root as its root:
 * the program is opened on the host, then a child process enters a private
 * mount namespace, pivots into `rootfs` and executes the opened program there
 * (execveat), so every path ldconfig reads or writes (/etc/ld.so.conf,
 * /etc/ld.so.cache, the folders, the links it makes) resolves inside the
 * container. `folders` (NULL-terminated, container paths) are passed as
 * arguments; the environment is empty. Waits for it, NVCT_LDCONFIG_TIMEOUT_MS
 * at most: then it is killed, with anything it started, and reaped. Its
 * stderr goes to ours. Errors name the folder, the exit status or the
 * deadline. */
/* The folders of `folders` (NULL-terminated container paths) that exist as
 * directories in the root `root_fd` (`rootfs` names it in errors): a missing
 * one is skipped, as NVIDIA's hook does; a relative one, or one that cannot
 * be resolved (a loop, a magic link), is an error. *ret_folders is
 * NULL-terminated and borrows the strings of `folders`. */
int nvct_ldconfig_existing_folders(int root_fd, const char *rootfs, const char *const *folders,
                                   const char ***ret_folders, nvct_error **err);

int nvct_ldconfig_run(const char *rootfs, const char *ldconfig_path, const char *const *folders,
                      nvct_error **err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook chmod: a path's mode set inside a container's root. */
#ifndef NVCT_CDIHOOK_CHMOD_H
#define NVCT_CDIHOOK_CHMOD_H

#include <sys/types.h>

#include "basic/error.h"

/* --mode: octal digits (strconv.ParseUint(s, 8, 32), as NVIDIA's hook reads
 * it), and only permission bits: 0 to 0777. NVIDIA's Go drops setuid,
 * setgid and sticky bits given this way without a word; we refuse them. */
int nvct_cdihook_parse_mode(const char *s, mode_t *ret_mode, nvct_error **err);

typedef enum nvct_chmod_result {
        NVCT_CHMOD_CHANGED,
        NVCT_CHMOD_UNCHANGED, /* it had that mode already */
        NVCT_CHMOD_MISSING,   /* no such path in the root: skipped, as NVIDIA does */
        NVCT_CHMOD_DENIED,    /* EPERM: ignored, as NVIDIA does (a /dev bound from the host) */
} nvct_chmod_result;

/* Gives `path` (taken inside the root; symlinks resolve inside it) `mode`.
 * The path is resolved once, to an O_PATH fd, and that inode is changed
 * (fchmodat2 AT_EMPTY_PATH, or the fd's /proc/self/fd entry on a kernel
 * without it): nothing is resolved again by name, and a symlink to a host
 * file leads to the name inside the root. */
int nvct_cdihook_chmod(int root_fd, const char *path, mode_t mode, nvct_chmod_result *ret_result,
                       nvct_error **err);

#endif

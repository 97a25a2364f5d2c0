/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the driver root's files (root.c, rootlibs.c, rootfind.c): the
 * index of the root's ld.so.cache entries by library, kept with the root's
 * memo, and the helpers they share. */
#ifndef NVCT_DRIVER_ROOTLIBS_H
#define NVCT_DRIVER_ROOTLIBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "root.h"

/* The cache's native entries by library ("libcuda" of "libcuda.so.1"),
 * chained in file order: find_library and link_names each scanned the
 * whole cache (thousands of entries on a real host) for each of the
 * driver's libraries. Built on first use; heads and next hold entry index
 * + 1, 0 ending a chain. */
typedef struct nvct_driver_root_libindex {
        uint32_t *heads, *next;
        size_t mask;
        bool tried;
} nvct_driver_root_libindex;

/* The root's index (in its memo); NULL when it has no memo. */
nvct_driver_root_libindex *nvct_driver_root_libindex_of(const nvct_driver_root *root);
void nvct_driver_root_libindex_clear(nvct_driver_root_libindex *index);

/* "driver root: out of memory" in *err; -1. */
int nvct_driver_root_oom(nvct_error **err);
/* Adds a copy of `s` to `list` unless it holds it already. */
int nvct_driver_root_add_unique(nvct_strv *list, const char *s, nvct_error **err);
/* `path` resolved, when it is a regular file: 0, or -ENOENT. */
int nvct_driver_root_resolve_regular(const nvct_driver_root *root, const char *path,
                                     char **ret_path, nvct_error **err);

#endif

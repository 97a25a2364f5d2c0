/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the driver root (root.c, rootlibs.c): the index of the root's
 * ld.so.cache entries by library, kept with the root's memo. */
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

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* What every harness shares: the invariant check, and the exact-size copy of
 * the input (so that reading one byte too far is an ASan report). */
#ifndef NVCT_FUZZ_H
#define NVCT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* A malloc'd copy of exactly size bytes (one byte for an empty input);
 * NULL on allocation failure. */
static inline char *fuzz_copy_input(const uint8_t *data, size_t size) {
        char *buf = malloc(size ? size : 1);
        if (buf != NULL && size > 0)
                memcpy(buf, data, size);
        return buf;
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* A multiset of byte strings: how many times each was added. Lookups and
 * changes cost O(1) (the keyed hash of basic/hash.h: an input cannot make
 * its strings collide), so that a caller that would otherwise scan a list
 * for each of m strings costs O(n + m), not O(n * m). The strings are
 * copied; a string whose count drops to 0 stays in the table. */
#ifndef NVCT_STRCOUNT_H
#define NVCT_STRCOUNT_H

#include <stddef.h>
#include <stdint.h>

typedef struct nvct_strcount_slot nvct_strcount_slot;

typedef struct nvct_strcount {
        nvct_strcount_slot *slots; /* NULL until the first add */
        size_t size, used;         /* size: a power of two; used: distinct strings */
} nvct_strcount;

/* Changes the count of s (len bytes, NULs allowed) by delta, never below 0.
 * 0, or -1 when memory ran out (the set is then unchanged). */
int nvct_strcount_add(nvct_strcount *c, const char *s, size_t len, int delta);

/* How many times s is in the set. */
size_t nvct_strcount_get(const nvct_strcount *c, const char *s, size_t len);

/* Frees the table and empties the set in place. */
void nvct_strcount_clear(nvct_strcount *c);

#endif

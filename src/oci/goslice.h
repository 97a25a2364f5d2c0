/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/oci: a Go slice as encoding/json decodes into it.
 *
 * Decoding an array into a slice that already holds elements (the same key
 * given twice) reuses them: element i of the new array is decoded *into*
 * old element i, so a null keeps the old value and an object merges into
 * the old struct; elements between len and cap survive a shrink and come
 * back if a later array is longer. golang/go#21092; the reference inherits
 * it, so the readers emulate it: length, capacity and growth as Go's. */
#ifndef NVCT_OCI_GOSLICE_H
#define NVCT_OCI_GOSLICE_H

#include <stddef.h>

typedef struct goslice {
        unsigned char *items;
        size_t len, cap;
        size_t next;                   /* the element the next array value decodes into */
        size_t size;                   /* of one element */
        void (*free_item)(void *item); /* may be NULL */
} goslice;

#define GOSLICE_INIT(type, free_fn)                                                                \
        { .size = sizeof(type), .free_item = (free_fn) }

/* A nil slice, or a fresh empty one: nothing of the old elements remains. */
void goslice_nil(goslice *gs);
/* An array starts decoding into the slice. */
static inline void goslice_begin(goslice *gs) {
        gs->next = 0;
}
/* The element the next array value decodes into (zeroed when new, the old
 * one when reused); NULL on OOM. */
void *goslice_next(goslice *gs);
/* The array is complete: len is what it held; an empty array is a fresh,
 * empty slice. */
void goslice_end(goslice *gs);

static inline void *goslice_at(const goslice *gs, size_t i) {
        return gs->items + i * gs->size;
}

#endif

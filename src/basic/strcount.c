/* SPDX-License-Identifier: Apache-2.0 */
#include "strcount.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct nvct_strcount_slot {
        char *s; /* NULL: empty */
        size_t len, count;
};

/* The slot holding s, or the empty slot where it would go. */
static nvct_strcount_slot *find(const nvct_strcount *c, const char *s, size_t len) {
        size_t mask = c->size - 1;
        for (size_t i = (size_t)nvct_hash(s, len) & mask;; i = (i + 1) & mask) {
                nvct_strcount_slot *slot = &c->slots[i];
                if (slot->s == NULL || (slot->len == len && memcmp(slot->s, s, len) == 0))
                        return slot;
        }
}

/* Room for one more distinct string at a load of at most one half. */
static bool reserve(nvct_strcount *c) {
        if ((c->used + 1) * 2 <= c->size)
                return true;
        size_t size = c->size ? c->size * 2 : 16;
        if (size > SIZE_MAX / sizeof(nvct_strcount_slot))
                return false;
        nvct_strcount bigger = { .slots = calloc(size, sizeof(nvct_strcount_slot)),
                                 .size = size,
                                 .used = c->used };
        if (bigger.slots == NULL)
                return false;
        for (size_t i = 0; i < c->size; i++)
                if (c->slots[i].s != NULL)
                        *find(&bigger, c->slots[i].s, c->slots[i].len) = c->slots[i];
        free(c->slots);
        *c = bigger;
        return true;
}

int nvct_strcount_add(nvct_strcount *c, const char *s, size_t len, int delta) {
        nvct_strcount_slot *slot = c->slots != NULL ? find(c, s, len) : NULL;
        if (slot == NULL || slot->s == NULL) {
                if (delta <= 0)
                        return 0;
                char *copy = malloc(len + 1);
                if (copy == NULL || !reserve(c)) {
                        free(copy);
                        return -1;
                }
                if (len > 0)
                        memcpy(copy, s, len);
                copy[len] = '\0';
                slot = find(c, s, len);
                *slot = (nvct_strcount_slot){ .s = copy, .len = len };
                c->used++;
        }
        if (delta < 0)
                slot->count = (size_t)-delta < slot->count ? slot->count - (size_t)-delta : 0;
        else
                slot->count += (size_t)delta;
        return 0;
}

size_t nvct_strcount_get(const nvct_strcount *c, const char *s, size_t len) {
        if (c->slots == NULL)
                return 0;
        const nvct_strcount_slot *slot = find(c, s, len);
        return slot->s != NULL ? slot->count : 0;
}

void nvct_strcount_clear(nvct_strcount *c) {
        for (size_t i = 0; i < c->size; i++)
                free(c->slots[i].s);
        free(c->slots);
        *c = (nvct_strcount){ 0 };
}

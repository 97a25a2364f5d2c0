/* SPDX-License-Identifier: Apache-2.0 */
#include "goslice.h"

#include <stdlib.h>
#include <string.h>

static void drop(goslice *gs, size_t from, size_t to) {
        if (gs->free_item != NULL)
                for (size_t i = from; i < to; i++)
                        gs->free_item(gs->items + i * gs->size);
}

void goslice_nil(goslice *gs) {
        drop(gs, 0, gs->cap);
        free(gs->items);
        gs->items = NULL;
        gs->len = gs->cap = gs->next = 0;
}

void *goslice_next(goslice *gs) {
        size_t i = gs->next;
        if (i >= gs->cap) {
                size_t cap = gs->cap + gs->cap / 2;
                if (cap < 4)
                        cap = 4;
                unsigned char *items = calloc(cap, gs->size);
                if (items == NULL)
                        return NULL;
                /* reflect.Copy takes len elements; the rest are lost. */
                if (gs->len > 0)
                        memcpy(items, gs->items, gs->len * gs->size);
                drop(gs, gs->len, gs->cap);
                free(gs->items);
                gs->items = items;
                gs->cap = cap;
        }
        if (i >= gs->len)
                gs->len = i + 1;
        gs->next++;
        return gs->items + i * gs->size;
}

void goslice_end(goslice *gs) {
        if (gs->next < gs->len)
                gs->len = gs->next;
        if (gs->next == 0)
                goslice_nil(gs);
}

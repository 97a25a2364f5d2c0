/* SPDX-License-Identifier: Apache-2.0 */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int nvct_buf_append(nvct_buf *b, const void *p, size_t n) {
        /* Room for the bytes and the NUL, with doubling that cannot wrap. */
        if (n > SIZE_MAX / 2 - 1 - b->len)
                return -1;
        size_t need = b->len + n + 1;
        if (need > b->cap) {
                size_t cap = b->cap ? b->cap : 256;
                while (cap < need)
                        cap *= 2;
                char *bigger = realloc(b->data, cap);
                if (bigger == NULL)
                        return -1;
                b->data = bigger;
                b->cap = cap;
        }
        if (n > 0)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

void nvct_buf_clear(nvct_buf *b) {
        free(b->data);
        *b = (nvct_buf){ 0 };
}

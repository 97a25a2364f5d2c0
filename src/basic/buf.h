/* SPDX-License-Identifier: Apache-2.0 */
/* A growable byte buffer, kept NUL-terminated (the bytes may hold NULs of
 * their own: len says where they end). Growth is geometric, so appending n
 * bytes in any number of pieces costs O(n). */
#ifndef NVCT_BUF_H
#define NVCT_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct nvct_buf {
        char *data; /* NULL until the first append */
        size_t len, cap;
} nvct_buf;

/* Appends n bytes (p may be NULL when n is 0). 0, or -1 when memory ran out
 * or the length would overflow; the buffer is then unchanged. */
int nvct_buf_append(nvct_buf *b, const void *p, size_t n);

/* nvct_buf_append with its common case, the room already there, inline:
 * for writers that append many small pieces. */
static inline int nvct_buf_put(nvct_buf *b, const void *p, size_t n) {
        if (b->data != NULL && n < b->cap - b->len) {
                if (n > 0) /* p may be NULL then */
                        memcpy(b->data + b->len, p, n);
                b->len += n;
                b->data[b->len] = '\0';
                return 0;
        }
        return nvct_buf_append(b, p, n);
}

/* Frees the bytes and empties the buffer in place. */
void nvct_buf_clear(nvct_buf *b);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* A folder's entries by getdents64, in one block of names, hashed. */
#define _GNU_SOURCE
#include "dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "basic/hash.h"

/* getdents64's buffer: a library folder of a few thousand names in a few
 * calls. */
#define DIRLIST_BUF 32768

/* The project's one keyed hash (basic/hash.h), as every table's. */
static size_t hash(const char *s) {
        return (size_t)nvct_hash(s, strlen(s));
}

void nvct_dirlist_clear(nvct_dirlist *list) {
        free(list->names);
        free(list->off);
        free(list->type);
        free(list->slots);
        *list = (nvct_dirlist){ 0 };
}

static int add(nvct_dirlist *l, const char *name, uint8_t type) {
        size_t len = strlen(name) + 1;
        if (l->n == l->cap_n) {
                size_t cap = l->cap_n ? 2 * l->cap_n : 64;
                uint32_t *off = realloc(l->off, cap * sizeof(*off));
                if (off == NULL)
                        return -ENOMEM;
                l->off = off;
                uint8_t *type_v = realloc(l->type, cap);
                if (type_v == NULL)
                        return -ENOMEM;
                l->type = type_v;
                l->cap_n = cap;
        }
        if (l->bytes + len > l->cap_bytes) {
                size_t cap = l->cap_bytes ? 2 * l->cap_bytes : 2048;
                while (cap < l->bytes + len)
                        cap *= 2;
                if (cap > UINT32_MAX)
                        return -E2BIG;
                char *names = realloc(l->names, cap);
                if (names == NULL)
                        return -ENOMEM;
                l->names = names;
                l->cap_bytes = cap;
        }
        memcpy(l->names + l->bytes, name, len);
        l->off[l->n] = (uint32_t)l->bytes;
        l->type[l->n] = type;
        l->bytes += len;
        l->n++;
        return 0;
}

static int index_build(nvct_dirlist *l) {
        size_t slots = 16;
        while (slots < 2 * l->n)
                slots *= 2;
        l->slots = calloc(slots, sizeof(*l->slots));
        if (l->slots == NULL)
                return -ENOMEM;
        l->mask = slots - 1;
        for (size_t i = 0; i < l->n; i++) {
                size_t s = hash(nvct_dirlist_name(l, i)) & l->mask;
                while (l->slots[s] != 0)
                        s = (s + 1) & l->mask;
                l->slots[s] = (uint32_t)(i + 1);
        }
        return 0;
}

static int read_all(int fd, size_t max_entries, nvct_dirlist *l) {
        char *buf = malloc(DIRLIST_BUF);
        if (buf == NULL)
                return -ENOMEM;
        int r = 0;
        for (;;) {
                ssize_t got = getdents64(fd, buf, DIRLIST_BUF);
                if (got < 0) {
                        r = -errno;
                        break;
                }
                if (got == 0)
                        break;
                for (ssize_t at = 0; r == 0 && at < got;) {
                        const struct dirent64 *de = (const struct dirent64 *)(buf + at);
                        at += de->d_reclen;
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        r = l->n >= max_entries ? -E2BIG : add(l, de->d_name, de->d_type);
                }
                if (r < 0)
                        break;
        }
        free(buf);
        return r;
}

int nvct_dirlist_read(int fd, size_t max_entries, nvct_dirlist *ret) {
        nvct_dirlist l = { 0 };
        int r = read_all(fd, max_entries, &l);
        if (r == 0)
                r = index_build(&l);
        if (r < 0) {
                nvct_dirlist_clear(&l);
                return r;
        }
        *ret = l;
        return 0;
}

int nvct_dirlist_find(const nvct_dirlist *l, const char *name) {
        if (l->slots == NULL)
                return -1;
        for (size_t s = hash(name) & l->mask; l->slots[s] != 0; s = (s + 1) & l->mask) {
                size_t i = l->slots[s] - 1;
                if (strcmp(nvct_dirlist_name(l, i), name) == 0)
                        return l->type[i];
        }
        return -1;
}

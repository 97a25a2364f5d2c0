/* SPDX-License-Identifier: Apache-2.0 */
/* A growable, NULL-terminated vector of owned strings: command lines, flag
 * values, lists of links and folders. */
#ifndef NVCT_STRV_H
#define NVCT_STRV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct nvct_strv {
        char **v; /* NULL-terminated once non-empty; NULL while empty */
        size_t n, cap;
        /* Set by a push that could not allocate: a caller that pushes many
         * may check it once at the end instead of after each push. */
        bool failed;
} nvct_strv;

/* Appends `item`, taking ownership of it. A NULL item (a failed strdup or
 * asprintf) or a failed allocation frees the item, leaves the vector as it
 * was, sets `failed` and returns -ENOMEM; after that, every push fails. */
int nvct_strv_push(nvct_strv *strv, char *item);
/* Appends a copy of `item`. */
int nvct_strv_add(nvct_strv *strv, const char *item);
/* Appends a formatted string. */
int nvct_strv_pushf(nvct_strv *strv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool nvct_strv_contains(const nvct_strv *strv, const char *item);

/* a, b and c joined into a malloc'ed string (c may be NULL); NULL on OOM.
 * For paths joined on every lookup, where asprintf's format machinery cost
 * more than the lookups. */
char *nvct_strjoin3(const char *a, const char *b, const char *c);
/* Frees every string and the array, and empties the vector in place (the
 * nvct_strv itself is the caller's). NULL is allowed. */
void nvct_strv_clear(nvct_strv *strv);
/* The same for a bare array of `n` strings (a vector handed out as v, n). */
void nvct_strv_free_array(char **v, size_t n);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "strv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nvct_strv_push(nvct_strv *strv, char *item) {
        if (strv->failed || item == NULL)
                goto fail;
        /* Room for the item and the terminating NULL; doubling keeps long
         * command lines linear. */
        if (strv->n + 2 > strv->cap) {
                size_t cap = strv->cap ? strv->cap * 2 : 16;
                char **v = reallocarray(strv->v, cap, sizeof(*v));
                if (v == NULL)
                        goto fail;
                strv->v = v;
                strv->cap = cap;
        }
        strv->v[strv->n++] = item;
        strv->v[strv->n] = NULL;
        return 0;
fail:
        free(item);
        strv->failed = true;
        return -ENOMEM;
}

int nvct_strv_add(nvct_strv *strv, const char *item) {
        return nvct_strv_push(strv, strdup(item));
}

int nvct_strv_pushf(nvct_strv *strv, const char *fmt, ...) {
        char *item = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&item, fmt, ap);
        va_end(ap);
        return nvct_strv_push(strv, r < 0 ? NULL : item);
}

bool nvct_strv_contains(const nvct_strv *strv, const char *item) {
        for (size_t i = 0; i < strv->n; i++)
                if (strcmp(strv->v[i], item) == 0)
                        return true;
        return false;
}

void nvct_strv_free_array(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void nvct_strv_clear(nvct_strv *strv) {
        if (strv == NULL)
                return;
        nvct_strv_free_array(strv->v, strv->n);
        *strv = (nvct_strv){ 0 };
}

char *nvct_strjoin3(const char *a, const char *b, const char *c) {
        size_t la = strlen(a), lb = strlen(b), lc = c != NULL ? strlen(c) : 0;
        char *s = malloc(la + lb + lc + 1);
        if (s == NULL)
                return NULL;
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c != NULL ? c : "", lc + 1);
        return s;
}

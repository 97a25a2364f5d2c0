/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *quote(const char *s, size_t len, size_t max) {
        bool cut = len > max;
        size_t shown = cut ? max : len;
        /* Worst case every byte becomes \xHH, plus quotes, "..." and NUL. */
        char *out = malloc(shown * 4 + 6);
        if (out == NULL)
                return NULL;
        size_t w = 0;
        out[w++] = '"';
        for (size_t i = 0; i < shown; i++) {
                unsigned char c = (unsigned char)s[i];
                switch (c) {
                case '"':
                case '\\':
                        out[w++] = '\\';
                        out[w++] = (char)c;
                        break;
                case '\n':
                        out[w++] = '\\';
                        out[w++] = 'n';
                        break;
                case '\t':
                        out[w++] = '\\';
                        out[w++] = 't';
                        break;
                case '\r':
                        out[w++] = '\\';
                        out[w++] = 'r';
                        break;
                default:
                        if (c >= 0x20 && c < 0x7f) {
                                out[w++] = (char)c;
                        } else {
                                static const char hex[] = "0123456789abcdef";
                                out[w++] = '\\';
                                out[w++] = 'x';
                                out[w++] = hex[c >> 4];
                                out[w++] = hex[c & 0xf];
                        }
                }
        }
        out[w++] = '"';
        if (cut) {
                out[w++] = '.';
                out[w++] = '.';
                out[w++] = '.';
        }
        out[w] = '\0';
        return out;
}

char *nvct_quote(const char *s, size_t len) {
        return quote(s, len, NVCT_QUOTE_MAX);
}

char *nvct_quote_full(const char *s, size_t len) {
        return quote(s, len, len);
}

char *nvct_quote_path(const char *path) {
        size_t len = strnlen(path, NVCT_QUOTE_PATH_MAX + 1);
        return quote(path, len, NVCT_QUOTE_PATH_MAX);
}

bool nvct_is_plain(const char *s, size_t len) {
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '\'')
                        return false;
        }
        return true;
}

bool nvct_is_printable(const char *s, size_t len) {
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c >= 0x7f)
                        return false;
        }
        return true;
}

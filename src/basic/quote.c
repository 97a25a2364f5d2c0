/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The escaped form of one byte into out (at most 4 bytes); its length. */
static size_t escape_byte(unsigned char c, char out[4]) {
        static const char hex[] = "0123456789abcdef";
        switch (c) {
        case '"':
        case '\\':
                out[0] = '\\';
                out[1] = (char)c;
                return 2;
        case '\n':
                memcpy(out, "\\n", 2);
                return 2;
        case '\t':
                memcpy(out, "\\t", 2);
                return 2;
        case '\r':
                memcpy(out, "\\r", 2);
                return 2;
        default:
                if (c >= 0x20 && c < 0x7f) {
                        out[0] = (char)c;
                        return 1;
                }
                out[0] = '\\';
                out[1] = 'x';
                out[2] = hex[c >> 4];
                out[3] = hex[c & 0xf];
                return 4;
        }
}

static char *quote(const char *s, size_t len, size_t max) {
        bool cut = len > max;
        size_t shown = cut ? max : len;
        /* Worst case every byte becomes \xHH, plus quotes, "..." and NUL. */
        char *out = malloc(shown * 4 + 6);
        if (out == NULL)
                return NULL;
        size_t w = 0;
        out[w++] = '"';
        for (size_t i = 0; i < shown; i++)
                w += escape_byte((unsigned char)s[i], out + w);
        out[w++] = '"';
        if (cut) {
                memcpy(out + w, "...", 3);
                w += 3;
        }
        out[w] = '\0';
        return out;
}

int nvct_quote_write(FILE *f, const char *s, size_t len) {
        /* Escaped a run at a time, never the whole value at once: a value
         * may be megabytes, and its quoted form four times that. */
        char buf[1024];
        size_t w = 0;
        buf[w++] = '"';
        for (size_t i = 0; i < len; i++) {
                if (w > sizeof(buf) - 4) {
                        if (fwrite(buf, 1, w, f) != w)
                                return -1;
                        w = 0;
                }
                w += escape_byte((unsigned char)s[i], buf + w);
        }
        if (w > sizeof(buf) - 1) {
                if (fwrite(buf, 1, w, f) != w)
                        return -1;
                w = 0;
        }
        buf[w++] = '"';
        return fwrite(buf, 1, w, f) == w ? 0 : -1;
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

/* SPDX-License-Identifier: Apache-2.0 */
#include "utf8.h"

static size_t fail(nvct_utf8_status why, nvct_utf8_status *ret_status) {
        if (ret_status != NULL)
                *ret_status = why;
        return 0;
}

size_t nvct_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp,
                        nvct_utf8_status *ret_status) {
        unsigned char c = s[0];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
                n = 1;
                cp = c;
                min = 0;
        } else if ((c & 0xe0) == 0xc0) {
                n = 2;
                cp = c & 0x1fu;
                min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
                n = 3;
                cp = c & 0x0fu;
                min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
                n = 4;
                cp = c & 0x07u;
                min = 0x10000;
        } else {
                return fail(NVCT_UTF8_BAD_LEAD, ret_status);
        }
        if (n > len)
                return fail(NVCT_UTF8_TRUNCATED, ret_status);
        for (size_t k = 1; k < n; k++) {
                if ((s[k] & 0xc0) != 0x80)
                        return fail(NVCT_UTF8_BAD_CONTINUATION, ret_status);
                cp = cp << 6 | (s[k] & 0x3fu);
        }
        if (cp < min)
                return fail(NVCT_UTF8_OVERLONG, ret_status);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return fail(NVCT_UTF8_NOT_SCALAR, ret_status);
        if (ret_cp != NULL)
                *ret_cp = cp;
        if (ret_status != NULL)
                *ret_status = NVCT_UTF8_OK;
        return n;
}

bool nvct_utf8_valid(const char *s, size_t len) {
        const unsigned char *u = (const unsigned char *)s;
        for (size_t i = 0; i < len;) {
                if (u[i] < 0x80) { /* the common case, without a call */
                        i++;
                        continue;
                }
                size_t n = nvct_utf8_decode(u + i, len - i, NULL, NULL);
                if (n == 0)
                        return false;
                i += n;
        }
        return true;
}

size_t nvct_utf8_encode(uint32_t cp, char out[4]) {
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

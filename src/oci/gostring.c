/* SPDX-License-Identifier: Apache-2.0 */
#include "gostring.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basic/utf8.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* The length of the valid sequence at s[i], or 0 when the byte there starts
 * none: then Go's utf8.DecodeRune gives (RuneError, 1), one U+FFFD for that
 * byte alone. ASCII, nearly every byte of a real spec, skips the call. */
static size_t valid_len(const unsigned char *s, size_t i, size_t len) {
        if (s[i] < 0x80)
                return 1;
        return nvct_utf8_decode(s + i, len - i, NULL, NULL);
}

char *nvct_go_string_copy(const char *str, size_t len, size_t *ret_len) {
        const unsigned char *s = (const unsigned char *)str;
        size_t invalid = 0;
        for (size_t i = 0; i < len;) {
                size_t n = valid_len(s, i, len);
                invalid += n == 0;
                i += n == 0 ? 1 : n;
        }
        /* Each invalid byte becomes the 3 bytes of U+FFFD. */
        char *out = malloc(len + 2 * invalid + 1);
        if (out == NULL)
                return NULL;
        if (invalid == 0) {
                if (len > 0)
                        memcpy(out, s, len);
                out[len] = '\0';
                *ret_len = len;
                return out;
        }
        size_t w = 0;
        for (size_t i = 0; i < len;) {
                size_t n = valid_len(s, i, len);
                if (n == 0) {
                        memcpy(out + w, REPLACEMENT, 3);
                        w += 3;
                        i++;
                } else {
                        memcpy(out + w, s + i, n);
                        w += n;
                        i += n;
                }
        }
        out[w] = '\0';
        *ret_len = w;
        return out;
}

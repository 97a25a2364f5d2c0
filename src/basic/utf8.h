/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8, the one validator: well-formed sequences only, as Go's
 * utf8.DecodeRune and TOML 1.0 accept them (no overlong forms, no UTF-16
 * surrogates, nothing past U+10FFFF). */
#ifndef NVCT_UTF8_H
#define NVCT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a sequence is not well formed. */
typedef enum nvct_utf8_status {
        NVCT_UTF8_OK,
        NVCT_UTF8_BAD_LEAD,         /* a byte no sequence starts with */
        NVCT_UTF8_TRUNCATED,        /* the input ends inside the sequence */
        NVCT_UTF8_BAD_CONTINUATION, /* a byte that does not continue it */
        NVCT_UTF8_OVERLONG,         /* a longer form than the code point needs */
        NVCT_UTF8_NOT_SCALAR,       /* a surrogate, or past U+10FFFF */
} nvct_utf8_status;

/* Decodes the sequence at s[0] (len > 0): its length, 1 to 4, and the code
 * point in *ret_cp; or 0, with *ret_status saying why (either may be NULL). */
size_t nvct_utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp,
                        nvct_utf8_status *ret_status);

/* Whether all of s is well-formed UTF-8 (NUL bytes allowed). */
bool nvct_utf8_valid(const char *s, size_t len);

/* The bytes of `cp` (a Unicode scalar value) into out; their count. */
size_t nvct_utf8_encode(uint32_t cp, char out[4]);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for basic/utf8.c: the one UTF-8 validator. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "basic/utf8.h"

#define S(lit) (const unsigned char *)(lit), sizeof(lit) - 1

static void assert_decodes(const unsigned char *s, size_t len, size_t want_len, uint32_t want_cp) {
        uint32_t cp = 0;
        nvct_utf8_status st = NVCT_UTF8_BAD_LEAD;
        assert_int_equal(nvct_utf8_decode(s, len, &cp, &st), want_len);
        assert_int_equal(st, NVCT_UTF8_OK);
        assert_int_equal(cp, want_cp);
}

static void assert_refused(const unsigned char *s, size_t len, nvct_utf8_status want) {
        nvct_utf8_status st = NVCT_UTF8_OK;
        assert_int_equal(nvct_utf8_decode(s, len, NULL, &st), 0);
        assert_int_equal(st, want);
        assert_false(nvct_utf8_valid((const char *)s, len));
}

static void test_boundaries(void **state) {
        (void)state;
        assert_decodes(S("\0"), 1, 0);
        assert_decodes(S("\x7f"), 1, 0x7f);
        assert_decodes(S("\xc2\x80"), 2, 0x80);
        assert_decodes(S("\xdf\xbf"), 2, 0x7ff);
        assert_decodes(S("\xe0\xa0\x80"), 3, 0x800);
        assert_decodes(S("\xed\x9f\xbf"), 3, 0xd7ff);
        assert_decodes(S("\xee\x80\x80"), 3, 0xe000);
        assert_decodes(S("\xef\xbf\xbf"), 3, 0xffff);
        assert_decodes(S("\xf0\x90\x80\x80"), 4, 0x10000);
        assert_decodes(S("\xf4\x8f\xbf\xbf"), 4, 0x10ffff);
}

static void test_refusals(void **state) {
        (void)state;
        assert_refused(S("\x80"), NVCT_UTF8_BAD_LEAD);
        assert_refused(S("\xf8\x88\x80\x80\x80"), NVCT_UTF8_BAD_LEAD);
        assert_refused(S("\xff"), NVCT_UTF8_BAD_LEAD);
        assert_refused(S("\xc2"), NVCT_UTF8_TRUNCATED);
        assert_refused(S("\xe0\xa0"), NVCT_UTF8_TRUNCATED);
        assert_refused(S("\xc2\x41"), NVCT_UTF8_BAD_CONTINUATION);
        assert_refused(S("\xc0\x80"), NVCT_UTF8_OVERLONG);
        assert_refused(S("\xe0\x80\x80"), NVCT_UTF8_OVERLONG);
        assert_refused(S("\xf0\x8f\xbf\xbf"), NVCT_UTF8_OVERLONG);
        assert_refused(S("\xed\xa0\x80"), NVCT_UTF8_NOT_SCALAR);
        assert_refused(S("\xed\xbf\xbf"), NVCT_UTF8_NOT_SCALAR);
        assert_refused(S("\xf4\x90\x80\x80"), NVCT_UTF8_NOT_SCALAR);
}

static void test_valid_and_encode(void **state) {
        (void)state;
        assert_true(nvct_utf8_valid("", 0));
        assert_true(nvct_utf8_valid("a\0b\xc3\xa9\xf0\x9f\x98\x80", 9));
        assert_false(nvct_utf8_valid("ok\xc3", 3));
        /* Every scalar value round-trips. */
        for (uint32_t cp = 0; cp <= 0x10ffff; cp += cp < 0x1000 ? 1 : 97) {
                if (cp >= 0xd800 && cp <= 0xdfff)
                        continue;
                char buf[4];
                size_t n = nvct_utf8_encode(cp, buf);
                uint32_t back = 0;
                assert_int_equal(nvct_utf8_decode((const unsigned char *)buf, n, &back, NULL), n);
                assert_int_equal(back, cp);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_boundaries),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_valid_and_encode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

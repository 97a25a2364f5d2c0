/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for quote.c (escaping untrusted bytes) and error.c. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/quote.h"

static void assert_quote(const char *in, size_t len, const char *want) {
        _cleanup_free_ char *q = nvct_quote(in, len);
        assert_non_null(q);
        assert_string_equal(q, want);
}

static void test_quote_escapes(void **state) {
        (void)state;
        assert_quote("abc", 3, "\"abc\"");
        assert_quote("", 0, "\"\"");
        assert_quote("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
        assert_quote("\n\t\r", 3, "\"\\n\\t\\r\"");
        /* A terminal escape sequence and a NUL never reach a terminal raw. */
        assert_quote("\x1b[2J\0x", 6, "\"\\x1b[2J\\x00x\"");
        assert_quote("\xc3\xa9\x7f", 3, "\"\\xc3\\xa9\\x7f\"");
}

static void test_quote_is_capped(void **state) {
        (void)state;
        char long_input[NVCT_QUOTE_MAX + 50];
        memset(long_input, 'a', sizeof(long_input));
        _cleanup_free_ char *q = nvct_quote(long_input, sizeof(long_input));
        assert_non_null(q);
        /* quotes + NVCT_QUOTE_MAX bytes + "..." */
        assert_int_equal(strlen(q), NVCT_QUOTE_MAX + 2 + 3);
        assert_string_equal(q + strlen(q) - 4, "\"...");

        _cleanup_free_ char *full = nvct_quote_full(long_input, sizeof(long_input));
        assert_non_null(full);
        assert_int_equal(strlen(full), sizeof(long_input) + 2);
}

static void test_quote_path(void **state) {
        (void)state;
        /* A bundle that would forge a line and a colour shows as one line. */
        _cleanup_free_ char *q = nvct_quote_path("/x\n\x1b[31mFORGED/config.json");
        assert_non_null(q);
        assert_string_equal(q, "\"/x\\n\\x1b[31mFORGED/config.json\"");

        /* Real paths are longer than NVCT_QUOTE_MAX: kept whole up to
         * NVCT_QUOTE_PATH_MAX, then cut. */
        char *long_path = malloc(NVCT_QUOTE_PATH_MAX + 2);
        assert_non_null(long_path);
        memset(long_path, 'a', NVCT_QUOTE_PATH_MAX + 1);
        long_path[NVCT_QUOTE_PATH_MAX] = '\0';
        _cleanup_free_ char *whole = nvct_quote_path(long_path);
        assert_non_null(whole);
        assert_int_equal(strlen(whole), NVCT_QUOTE_PATH_MAX + 2);
        long_path[NVCT_QUOTE_PATH_MAX] = 'a';
        long_path[NVCT_QUOTE_PATH_MAX + 1] = '\0';
        _cleanup_free_ char *cut = nvct_quote_path(long_path);
        assert_non_null(cut);
        assert_int_equal(strlen(cut), NVCT_QUOTE_PATH_MAX + 2 + 3);
        assert_string_equal(cut + strlen(cut) - 4, "\"...");
        free(long_path);

        assert_string_equal(nvct_quoted(NULL), "\"(out of memory)\"");
        assert_string_equal(nvct_quoted("\"a\""), "\"a\"");
}

static void test_plain_and_printable(void **state) {
        (void)state;
        assert_true(nvct_is_plain("GPU-1,2", 7));
        assert_false(nvct_is_plain("", 0));
        assert_false(nvct_is_plain("a b", 3));
        assert_false(nvct_is_plain("a\"b", 3));
        assert_false(nvct_is_plain("a'b", 3));
        assert_false(nvct_is_plain("a\\b", 3));
        assert_false(nvct_is_plain("a\0b", 3));
        assert_false(nvct_is_plain("\xc3\xa9", 2));

        assert_true(nvct_is_printable("a b \"c\"", 7));
        assert_false(nvct_is_printable("", 0));
        assert_false(nvct_is_printable("a\tb", 3));
        assert_false(nvct_is_printable("a\x7f", 2));
}

static void test_error_make_and_prefix(void **state) {
        (void)state;
        nvct_error *err = NULL;
        assert_int_equal(nvct_error_make(&err, 0, "bad %s %d", "value", 7), -1);
        assert_non_null(err);
        assert_string_equal(err->msg, "bad value 7");
        assert_int_equal(err->status, 0);

        /* The first error is kept: later failures do not overwrite it. */
        assert_int_equal(nvct_error_make(&err, 0, "second"), -1);
        assert_string_equal(err->msg, "bad value 7");

        assert_int_equal(nvct_error_prefix(&err, "loading %s", "x.toml"), -1);
        assert_string_equal(err->msg, "loading x.toml: bad value 7");
        nvct_error_free(&err);
        assert_null(err);

        assert_int_equal(nvct_error_make(&err, ENOENT, "open %s", "/nope"), -1);
        assert_int_equal(err->status, ENOENT);
        assert_string_equal(err->msg, "open /nope: No such file or directory");
        nvct_error_free(&err);

        /* A NULL destination is allowed and still reports failure. */
        assert_int_equal(nvct_error_make(NULL, 0, "ignored"), -1);
        /* Prefixing nothing does nothing. */
        assert_int_equal(nvct_error_prefix(&err, "p"), -1);
        assert_null(err);
}

static void test_memdup0(void **state) {
        (void)state;
        _cleanup_free_ char *d = nvct_memdup0("a\0b", 3);
        assert_non_null(d);
        assert_memory_equal(d, "a\0b", 4);
        _cleanup_free_ char *e = nvct_memdup0(NULL, 0);
        assert_non_null(e);
        assert_string_equal(e, "");
}

/* The streamed form is the allocated one, byte for byte, across its
 * buffer's boundaries and for every kind of escape. */
static void test_quote_write_matches_quote_full(void **state) {
        (void)state;
        static const char pattern[] = "a\"\\\n\t\r\x1b\xff z";
        for (size_t len = 0; len < 3000; len += len < 40 ? 1 : 97) {
                _cleanup_free_ char *in = malloc(len + 1);
                assert_non_null(in);
                for (size_t i = 0; i < len; i++)
                        in[i] = pattern[i % (sizeof(pattern) - 1)];
                _cleanup_free_ char *want = nvct_quote_full(in, len);
                char *got = NULL;
                size_t got_len = 0;
                FILE *f = open_memstream(&got, &got_len);
                assert_non_null(f);
                assert_int_equal(nvct_quote_write(f, in, len), 0);
                assert_int_equal(fclose(f), 0);
                assert_string_equal(got, want);
                free(got);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_quote_write_matches_quote_full),
                cmocka_unit_test(test_quote_escapes),
                cmocka_unit_test(test_quote_is_capped),
                cmocka_unit_test(test_quote_path),
                cmocka_unit_test(test_plain_and_printable),
                cmocka_unit_test(test_error_make_and_prefix),
                cmocka_unit_test(test_memdup0),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for basic/buf.c: the growable byte buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "basic/buf.h"

static void test_append_keeps_nul_and_bytes(void **state) {
        (void)state;
        nvct_buf b = { 0 };
        assert_int_equal(nvct_buf_append(&b, NULL, 0), 0);
        assert_non_null(b.data);
        assert_int_equal(b.len, 0);
        assert_string_equal(b.data, "");
        assert_int_equal(nvct_buf_append(&b, "a\0b", 3), 0);
        assert_int_equal(b.len, 3);
        assert_memory_equal(b.data, "a\0b", 4);
        /* Many small pieces, past several doublings. */
        for (int i = 0; i < 10000; i++)
                assert_int_equal(nvct_buf_append(&b, "xyz", 3), 0);
        assert_int_equal(b.len, 3 + 30000);
        assert_true(b.cap > b.len);
        assert_int_equal(b.data[b.len], '\0');
        assert_memory_equal(b.data + b.len - 3, "xyz", 3);
        nvct_buf_clear(&b);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.cap, 0);
}

static void test_overflow_leaves_the_buffer(void **state) {
        (void)state;
        nvct_buf b = { 0 };
        assert_int_equal(nvct_buf_append(&b, "abc", 3), 0);
        char *data = b.data;
        assert_int_equal(nvct_buf_append(&b, "x", SIZE_MAX - 1), -1);
        assert_ptr_equal(b.data, data);
        assert_int_equal(b.len, 3);
        assert_string_equal(b.data, "abc");
        nvct_buf_clear(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_append_keeps_nul_and_bytes),
                cmocka_unit_test(test_overflow_leaves_the_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

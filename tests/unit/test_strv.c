/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the string vector every command line and list is built in. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/strv.h"

static void test_push_grows_and_terminates(void **state) {
        (void)state;
        nvct_strv s = { 0 };
        assert_null(s.v);
        for (int i = 0; i < 1000; i++) {
                assert_int_equal(nvct_strv_pushf(&s, "item-%d", i), 0);
                assert_int_equal(s.n, (size_t)i + 1);
                assert_null(s.v[s.n]);
                assert_true(s.cap >= s.n + 1);
        }
        assert_string_equal(s.v[0], "item-0");
        assert_string_equal(s.v[999], "item-999");
        assert_int_equal(nvct_strv_add(&s, "copy"), 0);
        assert_string_equal(s.v[1000], "copy");
        assert_true(nvct_strv_contains(&s, "item-500"));
        assert_false(nvct_strv_contains(&s, "item-1000"));
        assert_false(s.failed);
        nvct_strv_clear(&s);
        assert_null(s.v);
        assert_int_equal(s.n, 0);
        assert_int_equal(s.cap, 0);
}

static void test_failed_push_is_sticky(void **state) {
        (void)state;
        nvct_strv s = { 0 };
        assert_int_equal(nvct_strv_add(&s, "a"), 0);
        /* A NULL item is what a failed strdup hands in. */
        assert_int_equal(nvct_strv_push(&s, NULL), -ENOMEM);
        assert_true(s.failed);
        assert_int_equal(s.n, 1);
        assert_null(s.v[1]);
        /* Later pushes fail too (and free what they were given). */
        assert_int_equal(nvct_strv_push(&s, strdup("b")), -ENOMEM);
        assert_int_equal(nvct_strv_pushf(&s, "%s", "c"), -ENOMEM);
        assert_int_equal(s.n, 1);
        nvct_strv_clear(&s);
        assert_false(s.failed);
}

static void test_free_array(void **state) {
        (void)state;
        nvct_strv s = { 0 };
        assert_int_equal(nvct_strv_add(&s, "x"), 0);
        assert_int_equal(nvct_strv_add(&s, "y"), 0);
        nvct_strv_free_array(s.v, s.n); /* handed out as v, n */
        nvct_strv_free_array(NULL, 0);
        nvct_strv_clear(NULL);
}

static void test_strjoin3(void **state) {
        (void)state;
        char *s = nvct_strjoin3("/usr/lib", "/", "libcuda.so.1");
        assert_string_equal(s, "/usr/lib/libcuda.so.1");
        free(s);
        s = nvct_strjoin3("/root", "/dev", NULL);
        assert_string_equal(s, "/root/dev");
        free(s);
        s = nvct_strjoin3("", "", "");
        assert_string_equal(s, "");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_push_grows_and_terminates),
                cmocka_unit_test(test_failed_push_is_sticky),
                cmocka_unit_test(test_free_array),
                cmocka_unit_test(test_strjoin3),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

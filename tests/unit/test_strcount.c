/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "basic/strcount.h"

/* Counts go up and down, never below 0; strings differ by bytes and
 * length (NULs included); many strings grow the table and keep every count. */
static void test_counts(void **state) {
        (void)state;
        nvct_strcount c = { 0 };
        assert_int_equal(nvct_strcount_get(&c, "a", 1), 0);
        assert_int_equal(nvct_strcount_add(&c, "a", 1, -1), 0);
        assert_int_equal(nvct_strcount_get(&c, "a", 1), 0);
        assert_int_equal(nvct_strcount_add(&c, "a", 1, 1), 0);
        assert_int_equal(nvct_strcount_add(&c, "a", 1, 1), 0);
        assert_int_equal(nvct_strcount_add(&c, "a\0b", 3, 1), 0);
        assert_int_equal(nvct_strcount_get(&c, "a", 1), 2);
        assert_int_equal(nvct_strcount_get(&c, "a\0b", 3), 1);
        assert_int_equal(nvct_strcount_get(&c, "a\0c", 3), 0);
        assert_int_equal(nvct_strcount_get(&c, "", 0), 0);
        assert_int_equal(nvct_strcount_add(&c, "a", 1, -5), 0);
        assert_int_equal(nvct_strcount_get(&c, "a", 1), 0);
        char name[32];
        for (int i = 0; i < 5000; i++) {
                int n = snprintf(name, sizeof(name), "/dev/nvidia%d", i);
                assert_int_equal(nvct_strcount_add(&c, name, (size_t)n, i % 3 + 1), 0);
        }
        for (int i = 0; i < 5000; i++) {
                int n = snprintf(name, sizeof(name), "/dev/nvidia%d", i);
                assert_int_equal(nvct_strcount_get(&c, name, (size_t)n), (size_t)(i % 3 + 1));
        }
        assert_int_equal(nvct_strcount_get(&c, "a\0b", 3), 1);
        nvct_strcount_clear(&c);
        assert_int_equal(nvct_strcount_get(&c, "a\0b", 3), 0);
        nvct_strcount_clear(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_counts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

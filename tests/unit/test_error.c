/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for basic/error.h: a NULL err is allowed, the first error
 * wins, prefixes stack, errno's text is appended and the status kept. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"

static void test_null_err_allowed(void **state) {
        (void)state;
        assert_int_equal(nvct_error_make(NULL, ENOENT, "nobody %s", "listens"), -1);
        assert_int_equal(nvct_error_prefix(NULL, "prefix"), -1);
        nvct_error_free(NULL);
        /* Prefixing no error makes none. */
        nvct_error *err = NULL;
        assert_int_equal(nvct_error_prefix(&err, "prefix"), -1);
        assert_null(err);
        nvct_error_free(&err);
        assert_null(err);
}

static void test_make(void **state) {
        (void)state;
        nvct_error *err = NULL;
        assert_int_equal(nvct_error_make(&err, 0, "%s is %d", "answer", 42), -1);
        assert_non_null(err);
        assert_string_equal(err->msg, "answer is 42");
        assert_int_equal(err->status, 0);
        nvct_error_free(&err);
        assert_null(err);
}

static void test_errno_appended_and_kept(void **state) {
        (void)state;
        nvct_error *err = NULL;
        nvct_error_make(&err, ENOENT, "could not open %s", "/x");
        char *want = xasprintf("could not open /x: %s", strerror(ENOENT));
        assert_string_equal(err->msg, want);
        free(want);
        assert_int_equal(err->status, ENOENT);
        /* A prefix keeps the status. */
        nvct_error_prefix(&err, "loading");
        assert_int_equal(err->status, ENOENT);
        nvct_error_free(&err);
}

static void test_first_error_wins(void **state) {
        (void)state;
        nvct_error *err = NULL;
        nvct_error_make(&err, EACCES, "first");
        nvct_error *first = err;
        assert_int_equal(nvct_error_make(&err, ENOENT, "second"), -1);
        assert_ptr_equal(err, first);
        assert_int_equal(err->status, EACCES);
        char *want = xasprintf("first: %s", strerror(EACCES));
        assert_string_equal(err->msg, want);
        free(want);
        nvct_error_free(&err);
}

static void test_prefix(void **state) {
        (void)state;
        nvct_error *err = NULL;
        nvct_error_make(&err, 0, "inner");
        assert_int_equal(nvct_error_prefix(&err, "middle %d", 2), -1);
        assert_string_equal(err->msg, "middle 2: inner");
        nvct_error_prefix(&err, "outer");
        assert_string_equal(err->msg, "outer: middle 2: inner");
        assert_int_equal(err->status, 0);
        /* A % in the message is not a format directive. */
        nvct_error_prefix(&err, "%s", "100%");
        assert_string_equal(err->msg, "100%: outer: middle 2: inner");
        nvct_error_free(&err);
}

static void record_warning(void *userdata, const char *message) {
        char **last = userdata;
        free(*last);
        *last = strdup(message);
}

static void test_warnf(void **state) {
        (void)state;
        char *last = NULL;
        nvct_warnf(record_warning, &last, "no %s: left out", "/dev/nvidia3");
        assert_non_null(last);
        assert_string_equal(last, "no /dev/nvidia3: left out");
        nvct_warnf(record_warning, &last, "%d", 7);
        assert_string_equal(last, "7");
        free(last);
        /* No callback: nothing happens. */
        nvct_warnf(NULL, NULL, "ignored %s", "x");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_null_err_allowed),
                cmocka_unit_test(test_make),
                cmocka_unit_test(test_errno_appended_and_kept),
                cmocka_unit_test(test_first_error_wins),
                cmocka_unit_test(test_prefix),
                cmocka_unit_test(test_warnf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

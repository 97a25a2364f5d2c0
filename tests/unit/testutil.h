/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers every unit test file wants. Include after <cmocka.h>. */
#ifndef NVCT_TESTUTIL_H
#define NVCT_TESTUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails the test unless `haystack` holds `needle`, showing both. */
static inline void assert_contains(const char *haystack, const char *needle) {
        if (haystack == NULL || strstr(haystack, needle) == NULL) {
                print_error("expected \"%s\" to contain \"%s\"\n", haystack ? haystack : "(null)",
                            needle);
                fail();
        }
}

/* asprintf that fails the test instead of returning NULL. */
static inline char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *xasprintf(const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        assert_true(n >= 0 && s != NULL);
        return s;
}

/* A scratch directory /tmp/nvct-test-NAME-XXXXXX, malloc'd; the test
 * removes it with remove_tree. */
static inline char *make_tmpdir_named(const char *name) {
        char *dir = xasprintf("/tmp/nvct-test-%s-XXXXXX", name);
        assert_non_null(mkdtemp(dir));
        return dir;
}

/* Removes path and everything under it (a scratch directory). */
static inline void remove_tree(const char *path) {
        char *cmd = xasprintf("rm -rf '%s'", path);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

#endif

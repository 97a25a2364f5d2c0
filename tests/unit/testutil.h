/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers every unit test file wants. Include after <cmocka.h>. */
#ifndef NVCT_TESTUTIL_H
#define NVCT_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
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

/* A file's whole content, NUL-terminated, malloc'd (*ret_len, when not NULL,
 * without the NUL); NULL when it does not exist. Any other error fails the
 * test. For test data and outputs, not for input under test. */
static inline char *slurp_file(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        if (f == NULL) {
                if (errno != ENOENT)
                        fail_msg("%s: %s", path, strerror(errno));
                return NULL;
        }
        char *data = NULL;
        size_t cap = 0;
        FILE *mem = open_memstream(&data, &cap);
        assert_non_null(mem);
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                assert_int_equal(fwrite(buf, 1, n, mem), n);
        assert_false(ferror(f));
        fclose(f);
        assert_int_equal(fclose(mem), 0);
        if (ret_len != NULL)
                *ret_len = cap;
        return data;
}

/* Calls run_case with the name of every entry of `dir` (a folder of golden
 * cases) that does not start with '.'; returns how many, so that the caller
 * can insist its cases are there (an empty folder must not pass). */
static inline size_t run_golden_cases(const char *dir, void (*run_case)(const char *name)) {
        DIR *d = opendir(dir);
        if (d == NULL)
                fail_msg("%s: %s", dir, strerror(errno));
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
                if (e->d_name[0] == '.')
                        continue;
                run_case(e->d_name);
                n++;
        }
        closedir(d);
        return n;
}

#endif

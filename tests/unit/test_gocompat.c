/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the Go standard library semantics nvct reimplements:
 * filepath.Clean, path.Join, semver.Compare, fmt.Sscanf("%d.%d.%d\n"),
 * strconv.ParseBool and encoding/json's key folding. Expected values are
 * what the Go functions return for the same input. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/gocompat.h"

/* ---- filepath.Clean ---- */

static void check_clean_len(const char *in, size_t in_len, const char *want, size_t want_len) {
        size_t got_len = (size_t)-1;
        char *got = nvct_go_clean_path(in, in_len, &got_len);
        assert_non_null(got);
        if (got_len != want_len || memcmp(got, want, want_len) != 0) {
                print_error("Clean(%.*s) = %.*s (len %zu), want %.*s (len %zu)\n", (int)in_len, in,
                            (int)got_len, got, got_len, (int)want_len, want, want_len);
                free(got);
                fail();
        }
        /* Always NUL-terminated after the result. */
        assert_int_equal(got[got_len], '\0');
        free(got);
}

static void check_clean(const char *in, const char *want) {
        check_clean_len(in, strlen(in), want, strlen(want));
}

static void test_clean_basic(void **state) {
        (void)state;
        /* The table from Go's path/filepath tests (Unix part). */
        static const char *const cases[][2] = {
                /* Already clean */
                { "abc", "abc" },
                { "abc/def", "abc/def" },
                { "a/b/c", "a/b/c" },
                { ".", "." },
                { "..", ".." },
                { "../..", "../.." },
                { "../../abc", "../../abc" },
                { "/abc", "/abc" },
                { "/", "/" },
                /* Empty is current dir */
                { "", "." },
                /* Remove trailing slash */
                { "abc/", "abc" },
                { "abc/def/", "abc/def" },
                { "a/b/c/", "a/b/c" },
                { "./", "." },
                { "../", ".." },
                { "../../", "../.." },
                { "/abc/", "/abc" },
                /* Remove doubled slash */
                { "abc//def//ghi", "abc/def/ghi" },
                { "//abc", "/abc" },
                { "///abc", "/abc" },
                { "//abc//", "/abc" },
                { "abc//", "abc" },
                /* Remove . elements */
                { "abc/./def", "abc/def" },
                { "/./abc/def", "/abc/def" },
                { "abc/.", "abc" },
                /* Remove .. elements */
                { "abc/def/ghi/../jkl", "abc/def/jkl" },
                { "abc/def/../ghi/../jkl", "abc/jkl" },
                { "abc/def/..", "abc" },
                { "abc/def/../..", "." },
                { "/abc/def/../..", "/" },
                { "abc/def/../../..", ".." },
                { "/abc/def/../../..", "/" },
                { "abc/def/../../../ghi/jkl/../../../mno", "../../mno" },
                { "/../abc", "/abc" },
                /* Combinations */
                { "abc/./../def", "def" },
                { "abc//./../def", "def" },
                { "abc/../../././../def", "../../def" },
                /* From the brief and the hook's own use */
                { "a/../..", ".." },
                { "//a//b/./c/..", "/a/b" },
                { "/../x", "/x" },
                { "/..", "/" },
                { "//", "/" },
                { "/dev/../dev/null", "/dev/null" },
                { "/dev/null/", "/dev/null" },
                { "/dev//null", "/dev/null" },
                { "../a/..", ".." },
                { "./a", "a" },
                { "./../a", "../a" },
                /* Dots that are names, not . or .. */
                { "...", "..." },
                { "/.../a", "/.../a" },
                { ".a/..b/b..", ".a/..b/b.." },
                { "a/.../..", "a" },
                { "/var/run/nvidia-container-devices/GPU-0",
                  "/var/run/nvidia-container-devices/GPU-0" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_clean(cases[i][0], cases[i][1]);
}

static void test_clean_nul_bytes(void **state) {
        (void)state;
        /* Lengths are explicit: NUL is an ordinary byte of a path element. */
        check_clean_len("a\0b/../c", 8, "c", 1);
        check_clean_len("/x\0y//", 6, "/x\0y", 4);
        check_clean_len("\0/..", 4, ".", 1);
        check_clean_len("/a/\0", 4, "/a/\0", 4);
        check_clean_len("/a/\0/..", 7, "/a", 2);
        /* ret_len may be NULL. */
        char *p = nvct_go_clean_path("a//b", 4, NULL);
        assert_non_null(p);
        assert_string_equal(p, "a/b");
        free(p);
        /* Only the first len bytes count. */
        check_clean_len("abc/def", 3, "abc", 3);
        check_clean_len("/", 0, ".", 1);
}

static void check_join(const char *a, const char *b, const char *want) {
        char *got = nvct_go_join_path(a, b);
        assert_non_null(got);
        if (strcmp(got, want) != 0) {
                print_error("Join(%s, %s) = %s, want %s\n", a, b, got, want);
                free(got);
                fail();
        }
        free(got);
}

static void test_join(void **state) {
        (void)state;
        /* Go's path.Join test table, for two elements. */
        check_join("", "", "");
        check_join("a", "", "a");
        check_join("", "a", "a");
        check_join("a", "b", "a/b");
        check_join("a/", "b", "a/b");
        check_join("a/", "/b", "a/b");
        check_join("a/", "", "a");
        check_join("/", "a", "/a");
        check_join("/", "a/b", "/a/b");
        check_join("/", "", "/");
        check_join("", "/", "/");
        check_join("//", "a", "/a");
        check_join("", ".", ".");
        check_join(".", "", ".");
        check_join("a", "..", ".");
        check_join("a", "../..", "..");
        check_join("/run", "../x", "/x");
        check_join("/bundle", "config.json", "/bundle/config.json");
        check_join("/bundle/", "config.json", "/bundle/config.json");
        check_join("bundle", "config.json", "bundle/config.json");
        check_join("/a/./b/..", "config.json", "/a/config.json");
        check_join("", "config.json", "config.json");
}

/* ---- semver ---- */

static int semver_cmp(const char *v, const char *w) {
        return nvct_go_semver_compare(v, strlen(v), w, strlen(w));
}

static void check_cmp(const char *v, const char *w, int want) {
        int got = semver_cmp(v, w);
        int back = semver_cmp(w, v);
        if (got != want || back != -want) {
                print_error("Compare(%s, %s) = %d (reverse %d), want %d\n", v, w, got, back, want);
                fail();
        }
}

static void test_semver_valid(void **state) {
        (void)state;
        static const char *const valid[] = {
                "v0.0.0",
                "v1",
                "v1.2",
                "v1.2.3",
                "v1.0.0-rc1",
                "v1.0.0-rc10",
                "v1.0.0-alpha.1",
                "v1.0.0-0a",
                "v1.0.0-0",
                "v1.0.0-x-y-z.--",
                "v1.0.0+build",
                "v1.0.0+01",
                "v1.0.0-rc1+build.5",
                "v10.20.30",
                "v1.0.0-rc2-dev",
        };
        static const char *const invalid[] = {
                "",
                "v",
                "1.0.0",
                "V1.0.0",
                "v1.",
                "v1..0",
                "v1.0.",
                "v1.0.0.0",
                "v01.0.0",
                "v1.00.0",
                "v1.0.00",
                "v1.0-rc1",
                "v1-rc1",
                "v1.2+meta",
                "v1.0.0-",
                "v1.0.0-01",
                "v1.0.0-rc.01",
                "v1.0.0-a..b",
                "v1.0.0-a.",
                "v1.0.0+",
                "v1.0.0+a..b",
                "v1.0.0-r_c",
                "v1.0.0 ",
                " v1.0.0",
                "v1.0.0-\xc3\xa9",
                "vx",
                "v-1.0.0",
        };
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                if (!nvct_go_semver_is_valid(valid[i], strlen(valid[i]))) {
                        print_error("IsValid(%s) = false, want true\n", valid[i]);
                        fail();
                }
        }
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
                if (nvct_go_semver_is_valid(invalid[i], strlen(invalid[i]))) {
                        print_error("IsValid(%s) = true, want false\n", invalid[i]);
                        fail();
                }
        }
        /* A NUL byte within the given length makes it invalid. */
        assert_false(nvct_go_semver_is_valid("v1.0.0\0", 7));
        assert_false(nvct_go_semver_is_valid("v1\0.0.0", 7));
        /* Only len bytes are looked at. */
        assert_true(nvct_go_semver_is_valid("v1.0.0-junk!", 6));
}

static void test_semver_compare(void **state) {
        (void)state;
        /* Shorthands mean .0 */
        check_cmp("v1", "v1.0.0", 0);
        check_cmp("v1.0", "v1.0.0", 0);
        check_cmp("v1.2", "v1.2.0", 0);
        check_cmp("v1", "v1.0", 0);
        /* Numeric fields compare as numbers */
        check_cmp("v1.0.0", "v2.0.0", -1);
        check_cmp("v2.0.0", "v10.0.0", -1);
        check_cmp("v1.9.0", "v1.10.0", -1);
        check_cmp("v1.0.9", "v1.0.10", -1);
        check_cmp("v1.2.3", "v1.2.3", 0);
        check_cmp("v2", "v1.99.99", 1);
        check_cmp("v12345678901234567890.0.0", "v9999999999999999999.0.0", 1);
        /* Prerelease sorts below the release */
        check_cmp("v1.0.0-rc1", "v1.0.0", -1);
        check_cmp("v1.0.0-alpha", "v1.0.0-alpha.1", -1);
        check_cmp("v1.0.0-alpha.1", "v1.0.0-alpha.beta", -1);
        check_cmp("v1.0.0-alpha.beta", "v1.0.0-beta", -1);
        check_cmp("v1.0.0-beta", "v1.0.0-beta.2", -1);
        check_cmp("v1.0.0-beta.2", "v1.0.0-beta.11", -1);
        check_cmp("v1.0.0-beta.11", "v1.0.0-rc.1", -1);
        check_cmp("v1.0.0-rc.1", "v1.0.0", -1);
        /* Identifiers that are not all digits compare as strings */
        check_cmp("v1.0.0-rc10", "v1.0.0-rc5", -1);
        check_cmp("v1.0.0-rc10", "v1.0.0-rc1", 1);
        check_cmp("v1.0.0-rc1", "v1.0.0-rc1.1", -1);
        check_cmp("v1.0.0-rc2-dev", "v1.0.0-rc2", 1);
        check_cmp("v1.0.0-rc", "v1.0.0-rc1", -1);
        check_cmp("v1.0.0-RC5", "v1.0.0-rc1", -1);
        /* Numeric identifiers sort below alphanumeric ones, by value */
        check_cmp("v1.0.0-2", "v1.0.0-10", -1);
        check_cmp("v1.0.0-99", "v1.0.0-a", -1);
        check_cmp("v1.0.0-0a", "v1.0.0-1", 1);
        /* Build metadata is ignored */
        check_cmp("v1.0.0+a", "v1.0.0+b", 0);
        check_cmp("v1.0.0-rc1+build", "v1.0.0-rc1", 0);
        check_cmp("v1.0.0+zzz", "v1.0.1", -1);
        /* Invalid versions: equal to each other, below all valid ones */
        check_cmp("bad", "v0.0.0", -1);
        check_cmp("bad", "worse", 0);
        check_cmp("", "v", 0);
        check_cmp("v1.0-rc1", "v0.0.0-0", -1);
        check_cmp("v01.0.0", "v1.0.0", -1);
        check_cmp("v1.0-rc1", "v1.0-rc2", 0);
        check_cmp("", "v1.0.0-rc1", -1);
        /* The reference's window: "v"+ociVersion in [v1.0.0-rc1, v1.0.0-rc5) */
        check_cmp("v1.0.0-rc4", "v1.0.0-rc5", -1);
        check_cmp("v1.0.0-rc6", "v1.0.0-rc5", 1);
        check_cmp("v1.0.0-rc1-dev", "v1.0.0-rc1", 1);
        check_cmp("v0.6.0", "v1.0.0-rc1", -1);
}

/* ---- fmt.Sscanf("%d.%d.%d\n") ---- */

static void check_cuda_len(const char *s, size_t len, uint32_t maj, uint32_t min, uint32_t patch) {
        uint32_t a = 0xdeadbeef, b = 0xdeadbeef, c = 0xdeadbeef;
        if (!nvct_go_parse_cuda_version(s, len, &a, &b, &c)) {
                print_error("parseCudaVersion(%.*s) failed, want %u.%u.%u\n", (int)len, s, maj, min,
                            patch);
                fail();
        }
        if (a != maj || b != min || c != patch) {
                print_error("parseCudaVersion(%.*s) = %u.%u.%u, want %u.%u.%u\n", (int)len, s, a, b,
                            c, maj, min, patch);
                fail();
        }
}

static void check_cuda(const char *s, uint32_t maj, uint32_t min, uint32_t patch) {
        check_cuda_len(s, strlen(s), maj, min, patch);
}

static void check_cuda_invalid_len(const char *s, size_t len) {
        uint32_t a = 0, b = 0, c = 0;
        if (nvct_go_parse_cuda_version(s, len, &a, &b, &c)) {
                print_error("parseCudaVersion(%.*s) = %u.%u.%u, want an error\n", (int)len, s, a, b,
                            c);
                fail();
        }
}

static void check_cuda_invalid(const char *s) {
        check_cuda_invalid_len(s, strlen(s));
}

static void test_cuda_version_valid(void **state) {
        (void)state;
        check_cuda("10", 10, 0, 0);
        check_cuda("10.2", 10, 2, 0);
        check_cuda("10.2.89", 10, 2, 89);
        check_cuda("0", 0, 0, 0);
        check_cuda("0.0.0", 0, 0, 0);
        check_cuda("9.0.176", 9, 0, 176);
        /* Leading zeros are decimal, not octal */
        check_cuda("010.02", 10, 2, 0);
        check_cuda("08.09.010", 8, 9, 10);
        /* %d skips spaces before the number */
        check_cuda(" 10.1", 10, 1, 0);
        check_cuda("\t10.1", 10, 1, 0);
        check_cuda("10. 2", 10, 2, 0);
        check_cuda("10. 2. 3", 10, 2, 3);
        check_cuda("10.\t2", 10, 2, 0);
        check_cuda("\r10", 10, 0, 0); /* a lone \r is a space */
        check_cuda("\xc2\xa0"
                   "10.1",
                   10, 1, 0); /* U+00A0 */
        check_cuda("\xe3\x80\x80"
                   "11",
                   11, 0, 0); /* U+3000 */
        check_cuda("\xe2\x80\x8a"
                   "11",
                   11, 0, 0); /* U+200A */
        /* The format's newline: spaces, then newline or end of input */
        check_cuda("10.2 ", 10, 2, 0);
        check_cuda("10.2.89 \t", 10, 2, 89);
        check_cuda("10.2\n", 10, 2, 0);
        check_cuda("10\n", 10, 0, 0);
        check_cuda("10.2.89\n", 10, 2, 89);
        check_cuda("10.2\r\n", 10, 2, 0);
        check_cuda("10 \n", 10, 0, 0);
        /* What follows that newline is never read */
        check_cuda("10.2\nxyz", 10, 2, 0);
        check_cuda("10.2.3\n.4", 10, 2, 3);
        check_cuda("10\n\n\n", 10, 0, 0);
        check_cuda_len("10.2\n\0junk", 10, 10, 2, 0);
        /* uint32 bounds */
        check_cuda("4294967295", 4294967295u, 0, 0);
        check_cuda("1.4294967295.4294967295", 1, 4294967295u, 4294967295u);
        /* A later attempt's result replaces an earlier partial one */
        check_cuda("11.1 ", 11, 1, 0);
        /* Only len bytes count */
        check_cuda_len("10.2.89", 4, 10, 2, 0);
}

static void test_cuda_version_invalid(void **state) {
        (void)state;
        check_cuda_invalid("");
        check_cuda_invalid(" ");
        check_cuda_invalid("\n");
        check_cuda_invalid("\n10");
        check_cuda_invalid("\r\n10");
        check_cuda_invalid(" \n10");
        check_cuda_invalid("10 .2");
        check_cuda_invalid("v10");
        check_cuda_invalid("-1");
        check_cuda_invalid("+1");
        check_cuda_invalid("1_0");
        check_cuda_invalid("10_1.2");
        check_cuda_invalid("0x10");
        check_cuda_invalid("4294967296");
        check_cuda_invalid("99999999999999999999999");
        check_cuda_invalid("1.4294967296");
        check_cuda_invalid("1.2.4294967296");
        check_cuda_invalid("1.2.3.4");
        check_cuda_invalid("10.");
        check_cuda_invalid("11.1.");
        check_cuda_invalid("10.2.");
        check_cuda_invalid("10..2");
        check_cuda_invalid("1.2.3x");
        check_cuda_invalid("10.2a");
        check_cuda_invalid("10a");
        check_cuda_invalid("10,2");
        check_cuda_invalid(".10");
        check_cuda_invalid("a.b.c");
        check_cuda_invalid("10.\n2");
        check_cuda_invalid("10\xff");
        check_cuda_invalid("\xff"
                           "10");
        check_cuda_invalid("1\xef\xbc\x90"); /* FULLWIDTH DIGIT ZERO */
        check_cuda_invalid_len("10\0", 3);
        check_cuda_invalid_len("\0"
                               "10",
                               3);
}

/* ---- strconv.ParseBool ---- */

static void test_parse_bool(void **state) {
        (void)state;
        static const char *const truths[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const falsehoods[] = { "0", "f", "F", "FALSE", "false", "False" };
        static const char *const invalid[] = { "",   "tRUE", "TRue", "yes",   "no",
                                               "on", " 1",   "1 ",   "true ", "2",
                                               "-1", "y",    "nil",  "00",    "\xc3\xa9" };
        for (size_t i = 0; i < sizeof(truths) / sizeof(truths[0]); i++) {
                bool v = false;
                assert_true(nvct_go_parse_bool(truths[i], strlen(truths[i]), &v));
                assert_true(v);
                assert_true(nvct_go_parse_bool_lenient(truths[i], strlen(truths[i])));
        }
        for (size_t i = 0; i < sizeof(falsehoods) / sizeof(falsehoods[0]); i++) {
                bool v = true;
                assert_true(nvct_go_parse_bool(falsehoods[i], strlen(falsehoods[i]), &v));
                assert_false(v);
                assert_false(nvct_go_parse_bool_lenient(falsehoods[i], strlen(falsehoods[i])));
        }
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
                bool v = false;
                if (nvct_go_parse_bool(invalid[i], strlen(invalid[i]), &v)) {
                        print_error("ParseBool(%s) accepted\n", invalid[i]);
                        fail();
                }
                assert_false(nvct_go_parse_bool_lenient(invalid[i], strlen(invalid[i])));
        }
        /* NUL bytes count: "true\0" is not "true". */
        bool v = false;
        assert_false(nvct_go_parse_bool("true\0", 5, &v));
        assert_false(nvct_go_parse_bool_lenient("1\0", 2));
        /* Only len bytes are looked at. */
        assert_true(nvct_go_parse_bool("truex", 4, &v));
        assert_true(v);
        assert_true(nvct_go_parse_bool_lenient("1xyz", 1));
}

/* ---- encoding/json key folding ---- */

static bool km(const char *key, const char *name) {
        return nvct_go_key_matches(key, strlen(key), name);
}

static void test_key_matches(void **state) {
        (void)state;
        assert_true(km("pid", "pid"));
        assert_true(km("PID", "pid"));
        assert_true(km("Pid", "pid"));
        assert_true(km("bundlepath", "bundlePath"));
        assert_true(km("BUNDLEPATH", "bundlePath"));
        assert_true(km("bundlePath", "bundlePath"));
        assert_true(km("OCIVERSION", "ociVersion"));
        assert_true(km("dry-run", "dry-run"));
        assert_true(km("", ""));

        assert_false(km("pi", "pid"));
        assert_false(km("pidd", "pid"));
        assert_false(km("", "pid"));
        assert_false(km("pid", ""));
        assert_false(km("bundle_path", "bundlePath"));
        assert_false(km("bundle", "bundlePath"));
        assert_false(km(" pid", "pid"));
        assert_false(km("pid ", "pid"));
        /* Case folding is for letters only: '@' (0x40) is not '`' (0x60),
         * '[' (0x5b) is not '{' (0x7b). */
        assert_false(km("@", "`"));
        assert_false(km("[a", "{a"));
        assert_false(km("dry\rrun", "dry-run"));
        assert_false(km("p\x89"
                        "d",
                        "pid")); /* 0x89 ^ 0x20 is not 'i' */

        /* U+017F LATIN SMALL LETTER LONG S folds to s, U+212A KELVIN SIGN to k */
        assert_true(km("\xc5\xbf", "s"));
        assert_true(km("\xc5\xbf", "S"));
        assert_true(km("ociVer\xc5\xbfion", "ociVersion"));
        assert_true(km("\xc5\xbf"
                       "OURCE",
                       "source"));
        assert_true(km("\xe2\x84\xaa", "k"));
        assert_true(km("\xe2\x84\xaa"
                       "ind",
                       "Kind"));
        assert_true(km("mas\xe2\x84\xaa", "mask"));
        assert_true(km("\xc5\xbf\xc5\xbf", "ss"));
        /* ... and to nothing else */
        assert_false(km("\xc5\xbf", "k"));
        assert_false(km("\xe2\x84\xaa", "s"));
        assert_false(km("\xc5\xbf", "t"));
        assert_false(km("\xc5\xbf", "ss"));
        assert_false(km("\xe2\x84\xaa", "kk"));
        /* Other non-ASCII letters whose case mapping touches ASCII do not
         * fold under SimpleFold: U+0130 (I with dot), U+0131 (dotless i). */
        assert_false(km("p\xc4\xb0"
                        "d",
                        "pid"));
        assert_false(km("p\xc4\xb1"
                        "d",
                        "pid"));
        /* Truncated or mangled sequences do not match */
        assert_false(nvct_go_key_matches("\xc5\xbf", 1, "s"));
        assert_false(nvct_go_key_matches("\xe2\x84\xaa", 2, "k"));
        assert_false(km("\xc5\xbe", "s"));
        assert_false(km("\xe2\x84\xab", "k")); /* U+212B ANGSTROM SIGN */
        assert_false(km("\xc5", "s"));
        /* NUL bytes are part of the key */
        assert_false(nvct_go_key_matches("pid\0", 4, "pid"));
        assert_false(nvct_go_key_matches("p\0d", 3, "pid"));
        assert_true(nvct_go_key_matches("PIDxyz", 3, "pid"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clean_basic),
                cmocka_unit_test(test_clean_nul_bytes),
                cmocka_unit_test(test_join),
                cmocka_unit_test(test_semver_valid),
                cmocka_unit_test(test_semver_compare),
                cmocka_unit_test(test_cuda_version_valid),
                cmocka_unit_test(test_cuda_version_invalid),
                cmocka_unit_test(test_parse_bool),
                cmocka_unit_test(test_key_matches),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the TOML decoder: the API, and a sample of the tricky valid
 * and invalid documents (the full toml-test corpus runs separately through
 * toml-decode). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "formats/toml.h"

static nvct_toml_value *parse_len_ok(const char *text, size_t len) {
        nvct_error *err = NULL;
        nvct_toml_value *root = NULL;

        int r = nvct_toml_parse(text, len, "test.toml", &root, &err);
        if (r < 0) {
                print_error("unexpected failure: %s\nfor: %s\n", err->msg, text);
                nvct_error_free(&err);
                fail();
        }
        assert_null(err);
        assert_non_null(root);
        assert_int_equal(nvct_toml_type_of(root), NVCT_TOML_TABLE);
        return root;
}

static nvct_toml_value *parse_ok(const char *text) {
        return parse_len_ok(text, strlen(text));
}

/* Returns the error message (caller frees) so that tests can inspect it. */
static char *parse_fails_len(const char *text, size_t len) {
        nvct_error *err = NULL;
        nvct_toml_value *sentinel = (nvct_toml_value *)(uintptr_t)0x1;
        nvct_toml_value *root = sentinel;

        int r = nvct_toml_parse(text, len, "test.toml", &root, &err);
        if (r >= 0) {
                print_error("accepted invalid document: %s\n", text);
                nvct_toml_free(root);
                fail();
        }
        /* Outputs stay untouched on failure. */
        assert_ptr_equal(root, sentinel);
        assert_non_null(err);
        assert_non_null(err->msg);
        assert_true(strncmp(err->msg, "\"test.toml\":", strlen("\"test.toml\":")) == 0);

        char *msg = strdup(err->msg);
        assert_non_null(msg);
        nvct_error_free(&err);
        return msg;
}

static void assert_parse_fails(const char *text) {
        free(parse_fails_len(text, strlen(text)));
}

static void assert_all_fail(const char *const *docs, size_t n) {
        for (size_t i = 0; i < n; i++)
                assert_parse_fails(docs[i]);
}

static void assert_all_parse(const char *const *docs, size_t n) {
        for (size_t i = 0; i < n; i++)
                nvct_toml_free(parse_ok(docs[i]));
}

#define ASSERT_ALL_FAIL(docs) assert_all_fail(docs, sizeof(docs) / sizeof((docs)[0]))
#define ASSERT_ALL_PARSE(docs) assert_all_parse(docs, sizeof(docs) / sizeof((docs)[0]))

/* Looks up a dotted path of plain keys ("a.b.c") for convenience. */
static const nvct_toml_value *lookup(const nvct_toml_value *table, const char *path) {
        char *copy = strdup(path);
        assert_non_null(copy);
        const nvct_toml_value *v = table;
        char *saveptr = NULL;
        for (char *part = strtok_r(copy, ".", &saveptr); part != NULL && v != NULL;
             part = strtok_r(NULL, ".", &saveptr))
                v = nvct_toml_table_get(v, part);
        free(copy);
        return v;
}

static void assert_string_value(const nvct_toml_value *root, const char *key, const char *want) {
        const nvct_toml_value *v = lookup(root, key);
        assert_non_null(v);
        assert_int_equal(nvct_toml_type_of(v), NVCT_TOML_STRING);
        size_t len;
        const char *s = nvct_toml_string(v, &len);
        assert_int_equal(len, strlen(want));
        assert_string_equal(s, want);
}

static void assert_string_parses_to(const char *doc, const char *want) {
        nvct_toml_value *root = parse_ok(doc);
        assert_string_value(root, "s", want);
        nvct_toml_free(root);
}

static void assert_datetime(const char *doc, nvct_toml_type type, const char *want) {
        nvct_toml_value *root = parse_ok(doc);
        const nvct_toml_value *v = nvct_toml_table_get(root, "d");
        assert_non_null(v);
        assert_int_equal(nvct_toml_type_of(v), type);
        assert_string_equal(nvct_toml_datetime(v), want);
        nvct_toml_free(root);
}

static void test_scalar_types(void **state) {
        (void)state;
        nvct_toml_value *root = parse_ok("s = \"str\"\n"
                                         "i = -42\n"
                                         "f = 3.5\n"
                                         "b = true\n"
                                         "odt = 1979-05-27T07:32:00Z\n"
                                         "ldt = 1979-05-27T07:32:00\n"
                                         "ld = 1979-05-27\n"
                                         "lt = 07:32:00\n"
                                         "a = [1, \"two\"]\n"
                                         "t = { x = 1 }\n");

        static const struct {
                const char *key;
                nvct_toml_type type;
                const char *name;
        } want[] = {
                { "s", NVCT_TOML_STRING, "string" },
                { "i", NVCT_TOML_INTEGER, "integer" },
                { "f", NVCT_TOML_FLOAT, "float" },
                { "b", NVCT_TOML_BOOL, "bool" },
                { "odt", NVCT_TOML_DATETIME, "datetime" },
                { "ldt", NVCT_TOML_DATETIME_LOCAL, "datetime-local" },
                { "ld", NVCT_TOML_DATE_LOCAL, "date-local" },
                { "lt", NVCT_TOML_TIME_LOCAL, "time-local" },
                { "a", NVCT_TOML_ARRAY, "array" },
                { "t", NVCT_TOML_TABLE, "table" },
        };

        assert_int_equal(nvct_toml_table_size(root), sizeof(want) / sizeof(want[0]));
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                size_t len;
                /* Keys keep document order. */
                assert_string_equal(nvct_toml_table_key(root, i, &len), want[i].key);
                assert_int_equal(len, strlen(want[i].key));
                const nvct_toml_value *v = nvct_toml_table_value(root, i);
                assert_ptr_equal(v, nvct_toml_table_get(root, want[i].key));
                assert_int_equal(nvct_toml_type_of(v), want[i].type);
                assert_string_equal(nvct_toml_type_name(want[i].type), want[i].name);
        }

        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(root, "i")), -42);
        assert_true(nvct_toml_float(nvct_toml_table_get(root, "f")) == 3.5);
        assert_true(nvct_toml_bool(nvct_toml_table_get(root, "b")));
        assert_string_equal(nvct_toml_datetime(nvct_toml_table_get(root, "odt")),
                            "1979-05-27T07:32:00Z");

        const nvct_toml_value *a = nvct_toml_table_get(root, "a");
        assert_int_equal(nvct_toml_array_size(a), 2);
        assert_int_equal(nvct_toml_integer(nvct_toml_array_get(a, 0)), 1);
        assert_string_equal(nvct_toml_string(nvct_toml_array_get(a, 1), NULL), "two");
        assert_null(nvct_toml_array_get(a, 2));

        assert_int_equal(nvct_toml_integer(lookup(root, "t.x")), 1);
        assert_null(nvct_toml_table_get(root, "missing"));
        assert_null(nvct_toml_table_key(root, 100, NULL));
        assert_null(nvct_toml_table_value(root, 100));

        /* Accessors on the wrong type are harmless. */
        assert_null(nvct_toml_string(nvct_toml_table_get(root, "i"), NULL));
        assert_null(nvct_toml_datetime(nvct_toml_table_get(root, "s")));
        assert_int_equal(nvct_toml_array_size(root), 0);
        assert_int_equal(nvct_toml_table_size(a), 0);

        nvct_toml_free(root);
        nvct_toml_free(NULL);
}

static void test_empty_documents(void **state) {
        (void)state;
        static const char *const docs[] = {
                "",
                " ",
                "\t",
                "\n",
                "\r\n",
                "# comment",
                "# comment\r\n\n",
                "\xef\xbb\xbf",
                "\xef\xbb\xbf# bom\n",
        };
        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
                nvct_toml_value *root = parse_ok(docs[i]);
                assert_int_equal(nvct_toml_table_size(root), 0);
                nvct_toml_free(root);
        }

        /* A NULL buffer of length 0 is an empty document. */
        nvct_toml_value *root = parse_len_ok(NULL, 0);
        assert_int_equal(nvct_toml_table_size(root), 0);
        nvct_toml_free(root);
}

static void test_keys(void **state) {
        (void)state;
        nvct_toml_value *root = parse_ok("bare_key-1 = 1\n"
                                         "\"quoted key\" = 2\n"
                                         "'literal \\n key' = 3\n"
                                         "\"\" = 4\n"
                                         "a . b . c = 5\n"
                                         "1.2 = 6\n"
                                         "\"a\\u0000b\" = 7\n"
                                         "true = 8\n");
        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(root, "bare_key-1")), 1);
        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(root, "quoted key")), 2);
        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(root, "literal \\n key")), 3);
        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(root, "")), 4);
        assert_int_equal(nvct_toml_integer(lookup(root, "a.b.c")), 5);
        assert_int_equal(nvct_toml_integer(lookup(root, "1.2")), 6);
        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(root, "true")), 8);

        /* A key holding U+0000 is reachable by index with its length. */
        size_t len;
        const char *key = nvct_toml_table_key(root, 6, &len);
        assert_int_equal(len, 3);
        assert_memory_equal(key, "a\0b", 3);
        /* Lookup by C string stops at the NUL: "a" is the dotted table. */
        assert_int_equal(nvct_toml_type_of(nvct_toml_table_get(root, "a")), NVCT_TOML_TABLE);
        nvct_toml_free(root);

        static const char *const bad[] = {
                "= 1\n",
                "a b = 1\n",
                "a. = 1\n",
                ".a = 1\n",
                "a..b = 1\n",
                "a = \n",
                "a\n",
                "a = 1 b = 2\n",
                "\"\"\"k\"\"\" = 1\n",
                "'''k''' = 1\n",
                "\"k\n\" = 1\n",
                "a = 1\na = 2\n",
                "a = 1\n\"a\" = 2\n",
                "ä = 1\n",
                "a = 1 # c\nb == 2\n",
                "[a]\nb = 1\nb = 2\n",
                "a = # nothing\n",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_big_table(void **state) {
        (void)state;
        /* 10k keys must parse quickly (hash index) and all be found. */
        size_t n = 10000;
        size_t size = n * 32;
        char *doc = malloc(size);
        assert_non_null(doc);
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                len += (size_t)snprintf(doc + len, size - len, "key%zu = %zu\n", i, i);

        nvct_toml_value *root = parse_len_ok(doc, len);
        assert_int_equal(nvct_toml_table_size(root), n);
        for (size_t i = 0; i < n; i += 37) {
                char key[32];
                snprintf(key, sizeof(key), "key%zu", i);
                assert_int_equal(nvct_toml_integer(nvct_toml_table_get(root, key)), (int64_t)i);
                assert_string_equal(nvct_toml_table_key(root, i, NULL), key);
        }
        assert_null(nvct_toml_table_get(root, "key10000"));
        nvct_toml_free(root);

        /* A duplicate far into a big table is still found. */
        len += (size_t)snprintf(doc + len, size - len, "key5000 = 1\n");
        free(parse_fails_len(doc, len));
        free(doc);
}

static void test_basic_strings(void **state) {
        (void)state;
        assert_string_parses_to("s = \"\"", "");
        assert_string_parses_to("s = \"a\\tb\\\"c\\\\d\\b\\f\\n\\r\"", "a\tb\"c\\d\b\f\n\r");
        assert_string_parses_to("s = \"\\u00e9\\U0001F600\"", "\xc3\xa9\xf0\x9f\x98\x80");
        assert_string_parses_to("s = \"tab\tinside\"", "tab\tinside");
        assert_string_parses_to("s = \"unicode é ✓\"", "unicode é ✓");

        /* U+0000 via escape: kept, with the length telling. */
        nvct_toml_value *root = parse_ok("s = \"a\\u0000b\"");
        size_t len;
        const char *s = nvct_toml_string(nvct_toml_table_get(root, "s"), &len);
        assert_int_equal(len, 3);
        assert_memory_equal(s, "a\0b", 4);
        nvct_toml_free(root);

        static const char *const bad[] = {
                "s = \"\\e\"",     "s = \"\\x41\"",       "s = \"\\uD800\"", "s = \"\\U00110000\"",
                "s = \"\\u12\"",   "s = \"\\ \"",         "s = \"a\nb\"",    "s = \"unterminated",
                "s = \"\x01\"",    "s = \"\x7f\"",        "s = \"a\rb\"",    "s = \"\\",
                "s = \"a\" \"b\"", "s = \"\\U0000D800\"",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_multiline_basic_strings(void **state) {
        (void)state;
        /* The newline after the opening delimiter is trimmed. */
        assert_string_parses_to("s = \"\"\"\nline1\nline2\"\"\"", "line1\nline2");
        assert_string_parses_to("s = \"\"\"\r\nline1\r\nline2\"\"\"", "line1\nline2");
        /* Line-ending backslash eats whitespace and newlines, even with
         * trailing whitespace before the newline. */
        assert_string_parses_to("s = \"\"\"a \\\n    \n  b\"\"\"", "a b");
        assert_string_parses_to("s = \"\"\"a\\   \r\n   b\"\"\"", "ab");
        /* Up to two quotes right before the closing delimiter. */
        assert_string_parses_to("s = \"\"\"a\"\"\"\"", "a\"");
        assert_string_parses_to("s = \"\"\"a\"\"\"\"\"", "a\"\"");
        assert_string_parses_to("s = \"\"\"\"\"\"\"", "\"");
        assert_string_parses_to("s = \"\"\"a\"\"b\"\"\"", "a\"\"b");
        assert_string_parses_to("s = \"\"\"\"\"\"", "");
        assert_string_parses_to("s = \"\"\"\\\"\"\"\"\"\"", "\"\"\"");

        static const char *const bad[] = {
                "s = \"\"\"a\"\"\"\"\"\"", "s = \"\"\"unterminated\"\"", "s = \"\"\"a\\ b\"\"\"",
                "s = \"\"\"a\rb\"\"\"",    "s = \"\"\"\x01\"\"\"",       "s = \"\"\"\\e\"\"\"",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_literal_strings(void **state) {
        (void)state;
        assert_string_parses_to("s = 'C:\\Users\\nope'", "C:\\Users\\nope");
        assert_string_parses_to("s = ''", "");
        assert_string_parses_to("s = '''\nno \\escapes\n here'''", "no \\escapes\n here");
        assert_string_parses_to("s = ''''that''s'''''", "'that''s''");
        assert_string_parses_to("s = '''a\r\nb'''", "a\nb");

        static const char *const bad[] = {
                "s = 'a\nb'",  "s = 'unterminated", "s = '''a''''''",
                "s = 'a\x7f'", "s = '''a\x08'''",   "s = '''a\rb'''",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_integers(void **state) {
        (void)state;
        static const struct {
                const char *doc;
                int64_t want;
        } good[] = {
                { "i = 0", 0 },
                { "i = +0", 0 },
                { "i = -0", 0 },
                { "i = 1_000_000", 1000000 },
                { "i = +17", 17 },
                { "i = 0xDEAD_beef", 0xdeadbeef },
                { "i = 0o755", 0755 },
                { "i = 0b1101", 13 },
                { "i = 0x00ff", 255 },
                { "i = 9223372036854775807", INT64_MAX },
                { "i = -9223372036854775808", INT64_MIN },
                { "i = 0x7fffffffffffffff", INT64_MAX },
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                nvct_toml_value *root = parse_ok(good[i].doc);
                const nvct_toml_value *v = nvct_toml_table_get(root, "i");
                assert_int_equal(nvct_toml_type_of(v), NVCT_TOML_INTEGER);
                assert_true(nvct_toml_integer(v) == good[i].want);
                nvct_toml_free(root);
        }

        static const char *const bad[] = {
                "i = 9223372036854775808",
                "i = -9223372036854775809",
                "i = 0x8000000000000000",
                "i = 99999999999999999999",
                "i = 01",
                "i = -01",
                "i = 0_1",
                "i = 1__2",
                "i = 1_",
                "i = _1",
                "i = 0x_1",
                "i = 0x",
                "i = +0x1",
                "i = -0b1",
                "i = 0X1",
                "i = 0b102",
                "i = 0o8",
                "i = 1 2",
                "i = 12a",
                "i = --1",
                "i = 0xg",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_floats(void **state) {
        (void)state;
        static const struct {
                const char *doc;
                double want;
        } good[] = {
                { "f = 1.0", 1.0 },     { "f = -3.25", -3.25 },
                { "f = 5e+22", 5e22 },  { "f = 1e06", 1e6 },
                { "f = -2E-2", -2e-2 }, { "f = 6.626e-34", 6.626e-34 },
                { "f = 0.0", 0.0 },     { "f = 9_224.617_1", 9224.6171 },
                { "f = 1e1_0", 1e10 },  { "f = 0e0", 0.0 },
                { "f = 0.1", 0.1 },
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                nvct_toml_value *root = parse_ok(good[i].doc);
                const nvct_toml_value *v = nvct_toml_table_get(root, "f");
                assert_int_equal(nvct_toml_type_of(v), NVCT_TOML_FLOAT);
                assert_true(nvct_toml_float(v) == good[i].want);
                nvct_toml_free(root);
        }

        nvct_toml_value *root =
                parse_ok("a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan\ng = -0.0\n");
        assert_true(isinf(nvct_toml_float(nvct_toml_table_get(root, "a"))));
        assert_true(nvct_toml_float(nvct_toml_table_get(root, "b")) > 0);
        assert_true(nvct_toml_float(nvct_toml_table_get(root, "c")) < 0);
        assert_true(isinf(nvct_toml_float(nvct_toml_table_get(root, "c"))));
        assert_true(isnan(nvct_toml_float(nvct_toml_table_get(root, "d"))));
        assert_true(isnan(nvct_toml_float(nvct_toml_table_get(root, "e"))));
        assert_true(isnan(nvct_toml_float(nvct_toml_table_get(root, "f"))));
        assert_true(signbit(nvct_toml_float(nvct_toml_table_get(root, "g"))));
        nvct_toml_free(root);

        static const char *const bad[] = {
                "f = 1.",       "f = .1",    "f = 1.e1",   "f = 1e",    "f = 01.1",  "f = 1.1.1",
                "f = 1_.0",     "f = 1._0",  "f = 1e_1",   "f = 1e1_",  "f = Inf",   "f = NaN",
                "f = infinity", "f = 1e400", "f = -1e400", "f = 1.0e+", "f = +-1.0", "f = 1,0",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_datetimes(void **state) {
        (void)state;
        assert_datetime("d = 1979-05-27T07:32:00Z", NVCT_TOML_DATETIME, "1979-05-27T07:32:00Z");
        /* Normalised: 'T' separator, upper-case T and Z, fraction as written. */
        assert_datetime("d = 1979-05-27 07:32:00z", NVCT_TOML_DATETIME, "1979-05-27T07:32:00Z");
        assert_datetime("d = 1979-05-27t07:32:00.999999999-07:00", NVCT_TOML_DATETIME,
                        "1979-05-27T07:32:00.999999999-07:00");
        assert_datetime("d = 1979-05-27T00:32:00.5+23:59", NVCT_TOML_DATETIME,
                        "1979-05-27T00:32:00.5+23:59");
        assert_datetime("d = 1979-05-27T07:32:00", NVCT_TOML_DATETIME_LOCAL, "1979-05-27T07:32:00");
        assert_datetime("d = 1979-05-27", NVCT_TOML_DATE_LOCAL, "1979-05-27");
        assert_datetime("d = 1979-05-27 # a date, the space is no separator", NVCT_TOML_DATE_LOCAL,
                        "1979-05-27");
        assert_datetime("d = 00:32:00.123", NVCT_TOML_TIME_LOCAL, "00:32:00.123");
        assert_datetime("d = 23:59:60", NVCT_TOML_TIME_LOCAL, "23:59:60"); /* leap second */
        /* Leap years. */
        assert_datetime("d = 2000-02-29", NVCT_TOML_DATE_LOCAL, "2000-02-29");
        assert_datetime("d = 2024-02-29", NVCT_TOML_DATE_LOCAL, "2024-02-29");
        assert_datetime("d = 0001-01-01", NVCT_TOML_DATE_LOCAL, "0001-01-01");
        assert_datetime("d = 9999-12-31T23:59:59Z", NVCT_TOML_DATETIME, "9999-12-31T23:59:59Z");
}

static void test_datetimes_in_arrays(void **state) {
        (void)state;
        nvct_toml_value *root = parse_ok("d = [1979-05-27 07:32:00,1979-05-27 , 07:00:00]");
        const nvct_toml_value *a = nvct_toml_table_get(root, "d");
        assert_int_equal(nvct_toml_array_size(a), 3);
        assert_int_equal(nvct_toml_type_of(nvct_toml_array_get(a, 0)), NVCT_TOML_DATETIME_LOCAL);
        assert_int_equal(nvct_toml_type_of(nvct_toml_array_get(a, 1)), NVCT_TOML_DATE_LOCAL);
        assert_int_equal(nvct_toml_type_of(nvct_toml_array_get(a, 2)), NVCT_TOML_TIME_LOCAL);
        nvct_toml_free(root);
}

static void test_invalid_datetimes(void **state) {
        (void)state;
        static const char *const bad[] = {
                "d = 2023-02-29",
                "d = 1900-02-29",
                "d = 2024-02-30",
                "d = 2024-04-31",
                "d = 2024-13-01",
                "d = 2024-00-10",
                "d = 2024-01-00",
                "d = 2024-01-32",
                "d = 24:00:00",
                "d = 12:60:00",
                "d = 12:00:61",
                "d = 12:00",
                "d = 1979-05-27T07:32",
                "d = 1979-05-27T07:32Z",
                "d = 1979-5-27",
                "d = 1979-05-7",
                "d = 79-05-27",
                "d = 10000-01-01",
                "d = 1979-05-27T",
                "d = 1979-05-27T07:32:00.",
                "d = 1979-05-27T07:32:00.Z",
                "d = 1979-05-27T07:32:00+7:00",
                "d = 1979-05-27T07:32:00+07",
                "d = 1979-05-27T07:32:00+24:00",
                "d = 1979-05-27T07:32:00+07:60",
                "d = 1979-05-27T07:32:00X",
                "d = 1979-05-27 T07:32:00",
                "d = 1979-05-27_07:32:00",
                "d = 7:32:00",
                "d = 07:32:00Z",
                "d = 07:32:00+01:00",
                "d = 1979-05-27x",
                "d = 1979/05/27",
                "d = 1979-05-27T07:32:00Zx",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_tables(void **state) {
        (void)state;
        static const char *const good[] = {
                /* implicit, then explicit: both orders */
                "[a.b.c]\nx = 1\n[a]\ny = 2\n",
                "[a]\ny = 2\n[a.b.c]\nx = 1\n",
                /* headers may add sub-tables under dotted-key tables */
                "[fruit]\napple.color = 'red'\napple.taste.sweet = "
                "true\n[fruit.apple.texture]\nsmooth = true\n",
                /* dotted keys extend their own tables */
                "a.b = 1\na.c = 2\na.d.e = 3\n",
                "[ a . \"b c\" . 'd' ]\nx = 1\n",
                "[a]\n[b]\n[a.c]\n",
        };
        ASSERT_ALL_PARSE(good);

        nvct_toml_value *root = parse_ok(good[2]);
        assert_string_value(root, "fruit.apple.color", "red");
        assert_true(nvct_toml_bool(lookup(root, "fruit.apple.taste.sweet")));
        assert_true(nvct_toml_bool(lookup(root, "fruit.apple.texture.smooth")));
        nvct_toml_free(root);

        static const char *const bad[] = {
                "[a]\n[a]\n",                                    /* defined twice */
                "[a.b]\n[a]\n[a]\n",                             /* implicit then explicit twice */
                "[a]\nb = 1\n[a.b]\n",                           /* a scalar is no table */
                "[fruit]\napple.color = 'red'\n[fruit.apple]\n", /* dotted table redefined */
                "[t1]\nt2.t3.v = 0\n[t1.t2.t3]\n",
                "a.b = 1\n[a]\n",
                "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", /* dotted keys into a header table */
                "[a]\nx = 1\n[b]\n[a]\ny = 2\n",
                "a = 1\na.b = 2\n",
                "a.b.c = 1\na.b = 2\n",
                "[]\n", /* empty header */
                "[a.]\n",
                "[a\n",
                "[a]]\n",
                "[a] b = 1\n",
                "[[a]\n",
                "[a]x\n",
                "[ [a] ]\n",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_inline_tables(void **state) {
        (void)state;
        nvct_toml_value *root = parse_ok("point = { x = 1, y.z = 2, y.w = 'a' }\nempty = {}\n"
                                         "nested = { a = { b = [ { c = 1 } ] } }\n");
        assert_int_equal(nvct_toml_integer(lookup(root, "point.x")), 1);
        assert_int_equal(nvct_toml_integer(lookup(root, "point.y.z")), 2);
        assert_int_equal(nvct_toml_table_size(nvct_toml_table_get(root, "empty")), 0);
        const nvct_toml_value *b = lookup(root, "nested.a.b");
        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(nvct_toml_array_get(b, 0), "c")), 1);
        nvct_toml_free(root);

        static const char *const bad[] = {
                /* inline tables are closed once parsed */
                "a = {}\n[a]\n",
                "a = {b = 1}\n[a.c]\n",
                "a = {b = 1}\na.c = 2\n",
                "a = {b = {c = 1}}\na.b.d = 2\n",
                "a = {b = {c = 1}}\n[a.b]\n",
                "a = {b = 1}\n[[a]]\n",
                "a = {b = 1, b = 2}\n",
                "a = {b = {}, b.c = 1}\n",
                "a = {b.c = 1, b = 2}\n",
                "a = {k1 = 1, k1.name = 'joe'}\n",
                /* syntax */
                "a = {b = 1,}\n",
                "a = {,}\n",
                "a = {b = 1,, c = 2}\n",
                "a = {b = 1\n}\n",
                "a = {\nb = 1}\n",
                "a = {b = 1 c = 2}\n",
                "a = {b = 1",
                "a = {b}\n",
                "a = {b = 1 # comment\n}\n",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_arrays(void **state) {
        (void)state;
        nvct_toml_value *root = parse_ok("a = [\n  1, # one\n  'two',\n  [3.0],\n  {four = 4},\n]\n"
                                         "b = []\nc = [ [ ], [ [ ] ] ]\n");
        const nvct_toml_value *a = nvct_toml_table_get(root, "a");
        assert_int_equal(nvct_toml_array_size(a), 4);
        assert_int_equal(nvct_toml_type_of(nvct_toml_array_get(a, 0)), NVCT_TOML_INTEGER);
        assert_int_equal(nvct_toml_type_of(nvct_toml_array_get(a, 1)), NVCT_TOML_STRING);
        assert_int_equal(nvct_toml_type_of(nvct_toml_array_get(a, 2)), NVCT_TOML_ARRAY);
        assert_int_equal(nvct_toml_type_of(nvct_toml_array_get(a, 3)), NVCT_TOML_TABLE);
        assert_int_equal(nvct_toml_array_size(nvct_toml_table_get(root, "b")), 0);
        assert_int_equal(nvct_toml_array_size(nvct_toml_table_get(root, "c")), 2);
        nvct_toml_free(root);

        static const char *const bad[] = {
                "a = [1,,2]\n", "a = [,]\n", "a = [1 2]\n", "a = [1\n",
                "a = [\n",      "a = ]\n",   "a = [1,]]\n", "a = [1\r]\n",
        };
        ASSERT_ALL_FAIL(bad);
}

static void test_arrays_of_tables(void **state) {
        (void)state;
        nvct_toml_value *root =
                parse_ok("[[fruit]]\nname = 'apple'\n[fruit.physical]\ncolor = 'red'\n"
                         "[[fruit.variety]]\nname = 'red delicious'\n"
                         "[[fruit.variety]]\nname = 'granny smith'\n"
                         "[[fruit]]\nname = 'banana'\n[[fruit.variety]]\nname = 'plantain'\n");
        const nvct_toml_value *fruit = nvct_toml_table_get(root, "fruit");
        assert_int_equal(nvct_toml_type_of(fruit), NVCT_TOML_ARRAY);
        assert_int_equal(nvct_toml_array_size(fruit), 2);
        const nvct_toml_value *apple = nvct_toml_array_get(fruit, 0);
        assert_string_value(apple, "name", "apple");
        assert_string_value(apple, "physical.color", "red");
        assert_int_equal(nvct_toml_array_size(nvct_toml_table_get(apple, "variety")), 2);
        const nvct_toml_value *banana = nvct_toml_array_get(fruit, 1);
        assert_string_value(banana, "name", "banana");
        assert_string_value(nvct_toml_array_get(nvct_toml_table_get(banana, "variety"), 0), "name",
                            "plantain");
        nvct_toml_free(root);

        static const char *const bad[] = {
                "a = []\n[[a]]\n", /* static arrays cannot be appended */
                "a = [{b = 1}]\n[[a]]\n",
                "a = [{b = 1}]\n[a.c]\n",
                "[a]\n[[a]]\n", /* table vs array of tables */
                "[[a]]\n[a]\n",
                "[[a.b]]\n[a]\nb.y = 2\n", /* dotted keys cannot extend arrays */
                "[[fruit]]\n[fruit.physical]\n[fruit.physical]\n",
                "[[a]]\nb = 1\n[a.b]\n",
                "[[]]\n",
                "[[a]]]\n",
                "[[a] ]\n",
        };
        ASSERT_ALL_FAIL(bad);
}

/* prefix, n x open, middle, n x close; built in linear time because some
 * tests repeat a million times. */
static char *repeat_wrap(const char *prefix, const char *open, const char *middle,
                         const char *close, size_t n) {
        size_t open_len = strlen(open), close_len = strlen(close);
        size_t len = strlen(prefix) + n * (open_len + close_len) + strlen(middle) + 1;
        char *s = malloc(len);
        assert_non_null(s);
        char *p = stpcpy(s, prefix);
        for (size_t i = 0; i < n; i++)
                p = mempcpy(p, open, open_len);
        p = stpcpy(p, middle);
        for (size_t i = 0; i < n; i++)
                p = mempcpy(p, close, close_len);
        *p = '\0';
        return s;
}

static void test_depth_bound(void **state) {
        (void)state;
        char *doc;

        /* The root is depth 0, so "a = [...]" puts the outer array at 1. */
        doc = repeat_wrap("a = ", "[", "", "]", NVCT_TOML_MAX_DEPTH);
        nvct_toml_free(parse_ok(doc));
        free(doc);
        doc = repeat_wrap("a = ", "[", "", "]", NVCT_TOML_MAX_DEPTH + 1);
        assert_parse_fails(doc);
        free(doc);

        doc = repeat_wrap("a = ", "{b = ", "1", "}", NVCT_TOML_MAX_DEPTH);
        nvct_toml_free(parse_ok(doc));
        free(doc);
        doc = repeat_wrap("a = ", "{b = ", "1", "}", NVCT_TOML_MAX_DEPTH + 1);
        assert_parse_fails(doc);
        free(doc);

        /* Headers and dotted keys count too, and mixing them cannot get
         * around the bound. */
        doc = repeat_wrap("[a", ".a", "]\n", "", NVCT_TOML_MAX_DEPTH - 1);
        nvct_toml_free(parse_ok(doc));
        free(doc);
        doc = repeat_wrap("[a", ".a", "]\n", "", NVCT_TOML_MAX_DEPTH);
        assert_parse_fails(doc);
        free(doc);
        doc = repeat_wrap("[a", ".a", "]\nb = [[[1]]]", "", NVCT_TOML_MAX_DEPTH - 3);
        assert_parse_fails(doc);
        free(doc);

        /* Hostile nesting fails fast without exhausting the stack. */
        doc = repeat_wrap("a = ", "[", "", "", 1000000);
        assert_parse_fails(doc);
        free(doc);
        doc = repeat_wrap("a = ", "{b=", "", "", 200000);
        assert_parse_fails(doc);
        free(doc);
        doc = repeat_wrap("a", ".a", " = 1", "", 100000);
        assert_parse_fails(doc);
        free(doc);
}

static void test_encoding(void **state) {
        (void)state;
        /* NUL bytes are refused wherever they are; lengths are explicit. */
        free(parse_fails_len("a = 1\0", 6));
        free(parse_fails_len("a = \"x\0\"", 8));
        free(parse_fails_len("# \0\n", 4));

        static const char *const bad[] = {
                "# \xff\n",                 /* invalid UTF-8 in a comment */
                "s = \"\xc3\"",             /* truncated */
                "s = \"\xc0\xaf\"",         /* overlong */
                "s = \"\xed\xa0\x80\"",     /* surrogate */
                "s = \"\xf4\x90\x80\x80\"", /* beyond U+10FFFF */
                "# \x01\n",                 /* control characters in comments */
                "# \x7f\n",
                "# a\rb\n",
                "a = 1\r", /* lone CR */
                "a = 1\rb = 2\n",
                "a = 1\n\xef\xbb\xbf", /* BOM only at the start */
                "\x0c",
                "\x0b a = 1",
        };
        ASSERT_ALL_FAIL(bad);

        nvct_toml_value *root = parse_ok("a = 1\r\nb = 2\r\n# tab\tin comment é\r\n");
        assert_int_equal(nvct_toml_table_size(root), 2);
        nvct_toml_free(root);
}

static void test_error_messages(void **state) {
        (void)state;
        char *msg;

        msg = parse_fails_len("a = 1\nb = 2\nbad key = 3\n", strlen("a = 1\nb = 2\nbad key = 3\n"));
        assert_non_null(strstr(msg, "\"test.toml\":3:5:"));
        free(msg);

        /* Columns count characters, not bytes. */
        msg = parse_fails_len("\"ééé\" = 1 x\n", strlen("\"ééé\" = 1 x\n"));
        assert_non_null(strstr(msg, "\"test.toml\":1:11:"));
        free(msg);

        msg = parse_fails_len("[a]\n[a]\n", 8);
        assert_non_null(strstr(msg, "\"test.toml\":2:2:"));
        assert_non_null(strstr(msg, "'a'"));
        free(msg);

        msg = parse_fails_len("d = 2023-02-30\n", 15);
        assert_non_null(strstr(msg, "\"test.toml\":1:5:"));
        free(msg);

        /* Control characters in keys are escaped in messages. */
        msg = parse_fails_len("\"a\\nb\" = 1\n\"a\\nb\" = 2\n",
                              strlen("\"a\\nb\" = 1\n\"a\\nb\" = 2\n"));
        assert_null(strchr(msg, '\n'));
        free(msg);

        nvct_error *err = NULL;
        nvct_toml_value *root = NULL;
        /* The name is quoted: a newline or an escape sequence in it shows
         * as such, on one line. */
        assert_true(nvct_toml_parse("=", 1, "/etc/x\n\x1b[31mFORGED", &root, &err) < 0);
        assert_string_equal(err->msg,
                            "\"/etc/x\\n\\x1b[31mFORGED\":1:1: expected a key, found '='");
        nvct_error_free(&err);

        /* Without a name, the message still has a prefix. */
        root = NULL;
        assert_true(nvct_toml_parse("=", 1, NULL, &root, &err) < 0);
        assert_null(root);
        assert_non_null(strstr(err->msg, ":1:1:"));
        nvct_error_free(&err);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scalar_types),
                cmocka_unit_test(test_empty_documents),
                cmocka_unit_test(test_keys),
                cmocka_unit_test(test_big_table),
                cmocka_unit_test(test_basic_strings),
                cmocka_unit_test(test_multiline_basic_strings),
                cmocka_unit_test(test_literal_strings),
                cmocka_unit_test(test_integers),
                cmocka_unit_test(test_floats),
                cmocka_unit_test(test_datetimes),
                cmocka_unit_test(test_datetimes_in_arrays),
                cmocka_unit_test(test_invalid_datetimes),
                cmocka_unit_test(test_tables),
                cmocka_unit_test(test_inline_tables),
                cmocka_unit_test(test_arrays),
                cmocka_unit_test(test_arrays_of_tables),
                cmocka_unit_test(test_depth_bound),
                cmocka_unit_test(test_encoding),
                cmocka_unit_test(test_error_messages),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "document/document.h"
#include "testutil.h"

static const nvct_document_options strict = { .mode = NVCT_DOCUMENT_STRICT };
static const nvct_document_options go = { .mode = NVCT_DOCUMENT_GO,
                                          .max_depth = NVCT_DOCUMENT_GO_MAX_DEPTH };

static nvct_document_node *parse_len(const char *text, size_t len, nvct_document_format format,
                                     const nvct_document_options *opts) {
        nvct_document_node *root = NULL;
        nvct_error *err = NULL;
        int r = nvct_document_parse(text, len, format, "t", opts, &root, &err);
        if (r < 0)
                print_error("parse failed: %s\n", err ? err->msg : "?");
        assert_int_equal(r, 0);
        assert_null(err);
        assert_non_null(root);
        return root;
}

static nvct_document_node *parse_json(const char *text, const nvct_document_options *opts) {
        return parse_len(text, strlen(text), NVCT_DOCUMENT_JSON, opts);
}

static nvct_document_node *parse_yaml(const char *text, const nvct_document_options *opts) {
        return parse_len(text, strlen(text), NVCT_DOCUMENT_YAML, opts);
}

/* Parsing fails with exactly `want` as the message. */
static void fails_len(const char *text, size_t len, nvct_document_format format,
                      const nvct_document_options *opts, const char *name, const char *want) {
        nvct_document_node *root = (nvct_document_node *)&root; /* untouched on failure */
        nvct_document_node *const before = root;
        nvct_error *err = NULL;
        assert_int_equal(nvct_document_parse(text, len, format, name, opts, &root, &err), -1);
        assert_ptr_equal(root, before);
        assert_non_null(err);
        if (strcmp(err->msg, want) != 0) {
                print_error("got  \"%s\"\nwant \"%s\"\n", err->msg, want);
                fail();
        }
        nvct_error_free(&err);
}

static void fails(const char *text, nvct_document_format format, const nvct_document_options *opts,
                  const char *want) {
        fails_len(text, strlen(text), format, opts, "t", want);
}

static char *write_doc(const nvct_document_node *root, nvct_document_format format, unsigned flags,
                       size_t *ret_len) {
        char *out = NULL;
        size_t len = 0;
        nvct_error *err = NULL;
        int r = nvct_document_write(root, format, flags, &out, &len, &err);
        if (r < 0)
                print_error("write failed: %s\n", err ? err->msg : "?");
        assert_int_equal(r, 0);
        assert_non_null(out);
        assert_int_equal(strlen(out), len);
        if (ret_len != NULL)
                *ret_len = len;
        return out;
}

static void assert_text(const nvct_document_node *n, const char *want, size_t want_len) {
        size_t len = 0;
        const char *text = nvct_document_text(n, &len);
        assert_non_null(text);
        assert_int_equal(len, want_len);
        assert_memory_equal(text, want, want_len);
        assert_int_equal(text[len], '\0');
}

static void assert_written(const nvct_document_node *root, const char *want) {
        char *out = write_doc(root, NVCT_DOCUMENT_JSON, 0, NULL);
        assert_string_equal(out, want);
        free(out);
}

/* ---- kinds and accessors ---- */

static void test_kinds(void **state) {
        (void)state;
        nvct_document_node *root = parse_json(
                "{\"n\":null,\"t\":true,\"f\":false,\"i\":42,\"s\":\"x\",\"o\":{\"k\":[]},"
                "\"a\":[1,\"2\",[3]]}",
                &strict);
        assert_int_equal(nvct_document_kind_of(root), NVCT_DOCUMENT_OBJECT);
        assert_int_equal(nvct_document_object_size(root), 7);
        static const struct {
                const char *key;
                nvct_document_kind kind;
                const char *name;
        } want[] = {
                { "n", NVCT_DOCUMENT_NULL, "null" },     { "t", NVCT_DOCUMENT_BOOL, "boolean" },
                { "f", NVCT_DOCUMENT_BOOL, "boolean" },  { "i", NVCT_DOCUMENT_NUMBER, "number" },
                { "s", NVCT_DOCUMENT_STRING, "string" }, { "o", NVCT_DOCUMENT_OBJECT, "object" },
                { "a", NVCT_DOCUMENT_ARRAY, "array" },
        };
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                size_t len;
                assert_string_equal(nvct_document_object_key(root, i, &len), want[i].key);
                assert_int_equal(len, 1);
                const nvct_document_node *v = nvct_document_object_value(root, i);
                assert_ptr_equal(v, nvct_document_object_get(root, want[i].key));
                assert_int_equal(nvct_document_kind_of(v), want[i].kind);
                assert_string_equal(nvct_document_kind_name(nvct_document_kind_of(v)),
                                    want[i].name);
                assert_false(nvct_document_is_plain(v));
        }
        assert_null(nvct_document_object_key(root, 7, NULL));
        assert_null(nvct_document_object_value(root, 7));
        assert_null(nvct_document_object_get(root, "missing"));
        assert_text(nvct_document_object_get(root, "n"), "null", 4);
        assert_true(nvct_document_bool(nvct_document_object_get(root, "t")));
        assert_false(nvct_document_bool(nvct_document_object_get(root, "f")));
        assert_false(nvct_document_bool(nvct_document_object_get(root, "i")));
        assert_text(nvct_document_object_get(root, "i"), "42", 2);
        assert_text(nvct_document_object_get(root, "s"), "x", 1);
        const nvct_document_node *o = nvct_document_object_get(root, "o");
        assert_null(nvct_document_text(o, NULL));
        assert_int_equal(nvct_document_array_size(nvct_document_object_get(o, "k")), 0);
        const nvct_document_node *a = nvct_document_object_get(root, "a");
        assert_int_equal(nvct_document_array_size(a), 3);
        assert_int_equal(nvct_document_object_size(a), 0); /* not an object */
        assert_text(nvct_document_array_get(a, 0), "1", 1);
        assert_int_equal(nvct_document_kind_of(nvct_document_array_get(a, 1)),
                         NVCT_DOCUMENT_STRING);
        assert_int_equal(nvct_document_array_size(nvct_document_array_get(a, 2)), 1);
        assert_null(nvct_document_array_get(a, 3));
        assert_null(nvct_document_array_get(root, 0)); /* not an array */
        nvct_document_free(root);

        /* A scalar document. */
        root = parse_json(" \"just\" ", &strict);
        assert_text(root, "just", 4);
        nvct_document_free(root);
}

static void test_numbers_keep_text(void **state) {
        (void)state;
        static const char text[] = "[1e400,-0,1.50,12345678901234567890,0.1e-7,-1E+2,0]";
        nvct_document_node *root = parse_json(text, &strict);
        static const char *const want[] = { "1e400",  "-0",    "1.50", "12345678901234567890",
                                            "0.1e-7", "-1E+2", "0" };
        for (size_t i = 0; i < 7; i++) {
                const nvct_document_node *n = nvct_document_array_get(root, i);
                assert_int_equal(nvct_document_kind_of(n), NVCT_DOCUMENT_NUMBER);
                assert_text(n, want[i], strlen(want[i]));
        }
        assert_written(root, text);
        /* YAML writes them plain and reads them back as the same numbers. */
        char *yaml = write_doc(root, NVCT_DOCUMENT_YAML, 0, NULL);
        assert_string_equal(yaml, "- 1e400\n- -0\n- 1.50\n- 12345678901234567890\n- 0.1e-7\n"
                                  "- -1E+2\n- 0\n");
        nvct_document_node *back = parse_yaml(yaml, &strict);
        assert_true(nvct_document_equal(root, back));
        free(yaml);
        nvct_document_free(back);
        /* 1.5 is not 1.50. */
        back = parse_json("[1e400,-0,1.5,12345678901234567890,0.1e-7,-1E+2,0]", &strict);
        assert_false(nvct_document_equal(root, back));
        nvct_document_free(back);
        nvct_document_free(root);

        assert_true(nvct_document_is_number("-0.5e+10", 8));
        static const char *const bad[] = { "", "-", "01", "1.", ".5", "+1", "1e", "0x1F", "1 " };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_false(nvct_document_is_number(bad[i], strlen(bad[i])));
                assert_null(nvct_document_new_number(bad[i], strlen(bad[i])));
        }
}

static void test_nul_in_strings(void **state) {
        (void)state;
        static const char text[] = "{\"a\\u0000b\":\"x\\u0000y\"}";
        nvct_document_node *root = parse_json(text, &strict);
        size_t klen;
        const char *key = nvct_document_object_key(root, 0, &klen);
        assert_int_equal(klen, 3);
        assert_memory_equal(key, "a\0b", 3);
        assert_text(nvct_document_object_value(root, 0), "x\0y", 3);
        assert_non_null(nvct_document_object_get_n(root, "a\0b", 3));
        assert_null(nvct_document_object_get(root, "a")); /* the whole key, not its C string */
        assert_written(root, text);
        char *yaml = write_doc(root, NVCT_DOCUMENT_YAML, 0, NULL);
        assert_string_equal(yaml, "\"a\\0b\": \"x\\0y\"\n");
        nvct_document_node *back = parse_yaml(yaml, &strict);
        assert_true(nvct_document_equal(root, back));
        free(yaml);
        nvct_document_free(back);
        nvct_document_free(root);

        /* Refused where strings become paths and arguments. */
        nvct_document_options no_nul = { .mode = NVCT_DOCUMENT_STRICT, .refuse_nul = true };
        fails("{\"env\":[\"A=1\",\"B=\\u0000\"]}", NVCT_DOCUMENT_JSON, &no_nul,
              "\"t\": line 1, column 25: env[1]: a NUL byte in a string");
        fails("{\"a\\u0000\":1}", NVCT_DOCUMENT_JSON, &no_nul,
              "\"t\": line 1, column 11: a NUL byte in a key");
        fails("kind: \"a\\0b\"\n", NVCT_DOCUMENT_YAML, &no_nul,
              "\"t\": line 1, column 7: kind: a NUL byte in a string");
}

/* ---- order and mutation ---- */

static void test_order_and_mutation(void **state) {
        (void)state;
        nvct_error *err = NULL;
        nvct_document_node *root =
                parse_json("{\"z\":1,\"a\":2,\"m\":{\"q\":[]},\"b\":3}", &strict);
        assert_written(root, "{\"z\":1,\"a\":2,\"m\":{\"q\":[]},\"b\":3}");

        /* An existing key keeps its place. */
        nvct_document_node *v = NULL;
        assert_int_equal(nvct_document_object_set(root, "a", 1, nvct_document_new_string("two", 3),
                                                  &v, &err),
                         0);
        assert_ptr_equal(v, nvct_document_object_get(root, "a"));
        assert_written(root, "{\"z\":1,\"a\":\"two\",\"m\":{\"q\":[]},\"b\":3}");
        /* A new one goes last. */
        assert_int_equal(
                nvct_document_object_set(root, "new", 3, nvct_document_new_bool(false), NULL, &err),
                0);
        assert_written(root, "{\"z\":1,\"a\":\"two\",\"m\":{\"q\":[]},\"b\":3,\"new\":false}");
        assert_true(nvct_document_object_remove(root, "z", 1));
        assert_false(nvct_document_object_remove(root, "z", 1));
        assert_written(root, "{\"a\":\"two\",\"m\":{\"q\":[]},\"b\":3,\"new\":false}");

        /* A nested container changes in place. */
        nvct_document_node *q = nvct_document_object_get(nvct_document_object_get(root, "m"), "q");
        assert_int_equal(
                nvct_document_array_append(q, nvct_document_new_number("1.50", 4), NULL, &err), 0);
        assert_int_equal(nvct_document_array_append(q, nvct_document_new_null(), NULL, &err), 0);
        assert_int_equal(
                nvct_document_array_insert(q, 0, nvct_document_new_string("first", 5), NULL, &err),
                0);
        assert_int_equal(nvct_document_array_insert(q, 2, nvct_document_new_object(), &v, &err), 0);
        assert_int_equal(nvct_document_object_set(v, "k", 1, nvct_document_new_array(), NULL, &err),
                         0);
        assert_written(root,
                       "{\"a\":\"two\",\"m\":{\"q\":[\"first\",1.50,{\"k\":[]},null]},\"b\":3,"
                       "\"new\":false}");
        assert_true(nvct_document_array_remove(q, 1));
        assert_false(nvct_document_array_remove(q, 3));
        assert_written(root, "{\"a\":\"two\",\"m\":{\"q\":[\"first\",{\"k\":[]},null]},\"b\":3,"
                             "\"new\":false}");
        /* Past the end, or not a container: refused (the value freed). */
        assert_int_equal(nvct_document_array_insert(q, 4, nvct_document_new_null(), NULL, &err),
                         -1);
        assert_string_equal(err->msg, "index 4 past the end (3 items)");
        nvct_error_free(&err);
        assert_int_equal(nvct_document_array_append(root, nvct_document_new_null(), NULL, &err),
                         -1);
        assert_string_equal(err->msg, "not an array");
        nvct_error_free(&err);
        /* A node already in a tree is not standalone. */
        assert_int_equal(
                nvct_document_array_append(q, nvct_document_object_get(root, "b"), NULL, &err), -1);
        assert_string_equal(err->msg, "the value is not a standalone node");
        nvct_error_free(&err);

        /* Scalars change in place, whatever they were. */
        nvct_document_node *b = nvct_document_object_get(root, "b");
        assert_int_equal(nvct_document_set_string(b, "s\0t", 3, &err), 0);
        assert_text(b, "s\0t", 3);
        assert_int_equal(nvct_document_set_number(b, "1e400", 5, &err), 0);
        assert_int_equal(nvct_document_set_number(b, "1e", 2, &err), -1);
        assert_string_equal(err->msg, "not a JSON number");
        nvct_error_free(&err);
        assert_text(b, "1e400", 5);
        assert_int_equal(nvct_document_set_bool(nvct_document_object_get(root, "m"), true, &err),
                         0);
        assert_int_equal(nvct_document_set_null(nvct_document_object_get(root, "new"), &err), 0);
        assert_written(root, "{\"a\":\"two\",\"m\":true,\"b\":1e400,\"new\":null}");

        /* A parsed tree put into another one is copied out of its arena. */
        nvct_document_node *other = parse_json("{\"x\":[\"y\",2]}", &strict);
        assert_int_equal(nvct_document_object_set(root, "other", 5, other, NULL, &err), 0);
        assert_written(root, "{\"a\":\"two\",\"m\":true,\"b\":1e400,\"new\":null,"
                             "\"other\":{\"x\":[\"y\",2]}}");

        /* Copies are equal and independent. */
        nvct_document_node *copy = nvct_document_copy(root);
        assert_true(nvct_document_equal(root, copy));
        assert_true(nvct_document_object_remove(copy, "a", 1));
        assert_false(nvct_document_equal(root, copy));
        nvct_document_free(copy);
        nvct_document_free(root);

        /* A parsed array grows out of its parse's arena. */
        root = parse_json("[1,[2,3],4]", &strict);
        assert_int_equal(
                nvct_document_array_append(root, nvct_document_new_number("5", 1), NULL, &err), 0);
        assert_int_equal(nvct_document_array_insert(nvct_document_array_get(root, 1), 0,
                                                    nvct_document_new_string("x", 1), NULL, &err),
                         0);
        assert_true(nvct_document_array_remove(root, 0));
        assert_written(root, "[[\"x\",2,3],4,5]");
        nvct_document_free(root);

        /* Built from nothing. */
        root = nvct_document_new_object();
        for (int i = 0; i < 100; i++) {
                char key[16];
                int n = snprintf(key, sizeof(key), "k%d", 99 - i);
                assert_int_equal(
                        nvct_document_object_set(root, key, (size_t)n,
                                                 nvct_document_new_number(key + 1, (size_t)n - 1),
                                                 NULL, &err),
                        0);
        }
        assert_int_equal(nvct_document_object_size(root), 100);
        assert_string_equal(nvct_document_object_key(root, 0, NULL), "k99");
        assert_text(nvct_document_object_get(root, "k7"), "7", 1);
        for (int i = 0; i < 100; i += 2) {
                char key[16];
                int n = snprintf(key, sizeof(key), "k%d", i);
                assert_true(nvct_document_object_remove(root, key, (size_t)n));
        }
        assert_int_equal(nvct_document_object_size(root), 50);
        assert_null(nvct_document_object_get(root, "k8"));
        assert_text(nvct_document_object_get(root, "k9"), "9", 1);
        assert_string_equal(nvct_document_object_key(root, 0, NULL), "k99");
        assert_string_equal(nvct_document_object_key(root, 49, NULL), "k1");
        nvct_document_free(root);
        nvct_document_free(NULL);
}

/* ---- duplicate keys ---- */

static void test_duplicate_keys(void **state) {
        (void)state;
        fails("{\"kind\":\"a\",\"kind\":\"b\"}", NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 19: duplicate key \"kind\"");
        fails("{\"devices\":[{\"name\":\"d\"},{\"containerEdits\":{\"env\":[],\"env\":[]}}]}",
              NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 59: devices[1].containerEdits: duplicate key \"env\"");
        fails("devices:\n- containerEdits:\n    env: []\n    env: []\n", NVCT_DOCUMENT_YAML,
              &strict, "\"t\": line 4, column 5: devices[0].containerEdits: duplicate key \"env\"");

        /* Go: the later value, at the first key's position; one member. */
        nvct_document_node *root =
                parse_json("{\"a\":1,\"b\":{\"x\":[1,2]},\"c\":3,\"b\":[\"later\"],\"a\":4}", &go);
        assert_written(root, "{\"a\":4,\"b\":[\"later\"],\"c\":3}");
        nvct_document_free(root);
        root = parse_yaml("a: 1\nb: 2\na: {x: y}\n", &go);
        assert_written(root, "{\"a\":{\"x\":\"y\"},\"b\":2}");
        nvct_document_free(root);
}

/* 100000 keys: the duplicate check is hashed, not a scan per key (the test
 * would take minutes otherwise), and lookups use the index. */
static void test_many_keys(void **state) {
        (void)state;
        size_t n = 100000, cap = n * 24 + 64, len = 0;
        char *text = malloc(cap);
        assert_non_null(text);
        text[len++] = '{';
        for (size_t i = 0; i < n; i++)
                len += (size_t)snprintf(text + len, cap - len, "%s\"key%zu\":%zu", i ? "," : "", i,
                                        i);
        size_t body = len;
        len += (size_t)snprintf(text + len, cap - len, "}");
        nvct_document_node *root = parse_len(text, len, NVCT_DOCUMENT_JSON, &strict);
        assert_int_equal(nvct_document_object_size(root), n);
        for (size_t i = 0; i < n; i += 997) {
                char key[32], value[32];
                snprintf(key, sizeof(key), "key%zu", i);
                int vlen = snprintf(value, sizeof(value), "%zu", i);
                assert_text(nvct_document_object_get(root, key), value, (size_t)vlen);
        }
        assert_null(nvct_document_object_get(root, "key100000"));
        nvct_document_free(root);

        /* The last key repeats the first. */
        len = body + (size_t)snprintf(text + body, cap - body, ",\"key0\":\"last\"}");
        fails_len(text, len, NVCT_DOCUMENT_JSON, &strict, "t",
                  "\"t\": line 1, column 1677788: duplicate key \"key0\"");
        root = parse_len(text, len, NVCT_DOCUMENT_JSON, &go);
        assert_int_equal(nvct_document_object_size(root), n);
        assert_string_equal(nvct_document_object_key(root, 0, NULL), "key0");
        assert_text(nvct_document_object_value(root, 0), "last", 4);
        nvct_document_free(root);
        free(text);
}

/* ---- bounds ---- */

static char *nested(size_t depth, char open, char close) {
        char *s = malloc(2 * depth + 1);
        assert_non_null(s);
        memset(s, open, depth);
        memset(s + depth, close, depth);
        s[2 * depth] = '\0';
        return s;
}

static void test_depth(void **state) {
        (void)state;
        char *s = nested(64, '[', ']');
        nvct_document_node *root = parse_json(s, NULL);
        nvct_document_free(root);
        free(s);
        s = nested(65, '[', ']');
        char *want = xasprintf("\"t\": line 1, column 66: %s: nested deeper than 64 levels",
                               "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                               "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                               "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                               "[0]");
        fails(s, NVCT_DOCUMENT_JSON, NULL, want);
        free(want);
        free(s);
        fails("a:\n  b:\n    c: [x]\n", NVCT_DOCUMENT_YAML,
              &(nvct_document_options){ .max_depth = 3 },
              "\"t\": line 3, column 8: a.b.c: nested deeper than 3 levels");

        /* Go's 10000: parsed, but yajl_gen writes at most 128 levels. */
        s = nested(NVCT_DOCUMENT_GO_MAX_DEPTH, '[', ']');
        root = parse_json(s, &go);
        char *out = NULL;
        size_t len;
        nvct_error *err = NULL;
        assert_int_equal(nvct_document_write(root, NVCT_DOCUMENT_JSON, 0, &out, &len, &err), -1);
        assert_string_equal(err->msg, "cannot write JSON nested deeper than 128 levels");
        nvct_error_free(&err);
        assert_null(out);
        nvct_document_node *copy = nvct_document_copy(root);
        assert_true(nvct_document_equal(root, copy));
        nvct_document_free(copy);
        nvct_document_free(root);
        free(s);
        s = nested(NVCT_DOCUMENT_GO_MAX_DEPTH + 1, '[', ']');
        root = NULL;
        assert_int_equal(
                nvct_document_parse(s, strlen(s), NVCT_DOCUMENT_JSON, "t", &go, &root, &err), -1);
        assert_null(root);
        /* The path of 10000 "[0]" is cut. */
        assert_contains(err->msg, "\"t\": line 1, column 10002: [0][0]");
        assert_contains(err->msg, "...: nested deeper than 10000 levels");
        assert_true(strlen(err->msg) < 600);
        nvct_error_free(&err);
        free(s);
}

static void test_size_and_count(void **state) {
        (void)state;
        nvct_document_options o = { .max_size = 10 };
        fails("[1,2,3,4,5]", NVCT_DOCUMENT_JSON, &o, "\"t\": larger than 10 bytes");
        nvct_document_node *root = parse_json("[1,2,3,4]", &o);
        nvct_document_free(root);
        /* The ceiling stays whatever the options say. */
        o.max_size = SIZE_MAX;
        fails_len("", (size_t)NVCT_DOCUMENT_MAX_SIZE + 1, NVCT_DOCUMENT_JSON, &o, "t",
                  "\"t\": larger than 268435456 bytes");

        /* Values: the containers count, keys do not. */
        o = (nvct_document_options){ .max_nodes = 5 };
        root = parse_json("{\"a\":[1,2],\"b\":3}", &o);
        nvct_document_free(root);
        fails("{\"a\":[1,2],\"b\":[3]}", NVCT_DOCUMENT_JSON, &o,
              "\"t\": line 1, column 18: b[0]: more than 5 values");
        fails("- 1\n- [2, 3, 4]\n", NVCT_DOCUMENT_YAML, &o,
              "\"t\": line 2, column 10: [1][2]: more than 5 values");

        /* One value per 8 bytes, at least 3. */
        o = (nvct_document_options){ .bytes_per_node = 8, .min_nodes = 3 };
        fails("[0,0,0,0,0,0,0,0,0,0,0,0]", NVCT_DOCUMENT_JSON, &o,
              "\"t\": line 1, column 7: [2]: more than 3 values: a document may hold one per 8 "
              "bytes (at least 3)");
        /* 64 bytes: 8 values. */
        char text[65];
        int n = snprintf(text, sizeof(text), "%-64s", "[0,0,0,0,0,0,0]");
        assert_int_equal(n, 64);
        root = parse_json(text, &o);
        assert_int_equal(nvct_document_array_size(root), 7);
        nvct_document_free(root);
        n = snprintf(text, sizeof(text), "%-64s", "[0,0,0,0,0,0,0,0]");
        fails(text, NVCT_DOCUMENT_JSON, &o,
              "\"t\": line 1, column 17: [7]: more than 8 values: a document may hold one per 8 "
              "bytes (at least 3)");
}

/* ---- text ---- */

static void test_utf8(void **state) {
        (void)state;
        static const char bad[] = "{\"devices\":[{\"name\":\"\xff\"}]}";
        fails(bad, NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 24: devices[0].name: invalid UTF-8 in a string");
        fails("{\"\xc0\xaf\":1}", NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 6: invalid UTF-8 in a key");
        /* A lone surrogate escape decodes to bytes that are not UTF-8. */
        fails("[\"\\udc00\"]", NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 10: [0]: invalid UTF-8 in a string");

        /* Go keeps the bytes: a round trip changes nothing. */
        nvct_document_node *root = parse_json(bad, &go);
        const nvct_document_node *name = nvct_document_object_get(
                nvct_document_array_get(nvct_document_object_get(root, "devices"), 0), "name");
        assert_text(name, "\xff", 1);
        assert_written(root, bad);
        /* YAML cannot hold it. */
        char *out = NULL;
        size_t len;
        nvct_error *err = NULL;
        assert_int_equal(nvct_document_write(root, NVCT_DOCUMENT_YAML, 0, &out, &len, &err), -1);
        assert_string_equal(err->msg, "cannot write YAML: text that is not UTF-8");
        nvct_error_free(&err);
        nvct_document_free(root);
        /* Nor a lone surrogate, which libyaml would write as an escape its
         * own parser refuses. */
        root = parse_json("{\"\\udc00\":1}", &go);
        assert_int_equal(nvct_document_write(root, NVCT_DOCUMENT_YAML, 0, &out, &len, &err), -1);
        assert_string_equal(err->msg, "cannot write YAML: text that is not UTF-8");
        nvct_error_free(&err);
        assert_written(root, "{\"\xed\xb0\x80\":1}");
        nvct_document_free(root);

        /* Escapes and multi-byte text. */
        root = parse_json("[\"\\u00e9\\ud83d\\ude00\\n\\/\",\"é\"]", &strict);
        assert_text(nvct_document_array_get(root, 0), "\xc3\xa9\xf0\x9f\x98\x80\n/", 8);
        assert_written(root, "[\"\xc3\xa9\xf0\x9f\x98\x80\\n/\",\"\xc3\xa9\"]");
        nvct_document_free(root);
}

/* ---- YAML ---- */

static void test_yaml_refused(void **state) {
        (void)state;
        fails("cdiVersion: 0.3.0\nkind: &k v.com/c\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 2, column 7: kind: YAML anchors are not supported");
        fails("a: &x [1]\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 1, column 4: a: YAML anchors are not supported");
        fails("a: 1\nb: *k\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 2, column 4: b: YAML aliases are not supported");
        fails("kind: !!str v.com/c\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 1, column 7: kind: YAML tags are not supported");
        fails("devices: !x []\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 1, column 10: devices: YAML tags are not supported");
        fails("a: 1\n---\nb: 2\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 2, column 1: more than one YAML document");
        fails("? [a]\n: b\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 1, column 3: a map key that is not a scalar");
        fails("a: [\n", NVCT_DOCUMENT_YAML, &strict,
              "\"t\": line 2, column 1: invalid YAML: did not find expected node content while "
              "parsing a flow node");
        fails("", NVCT_DOCUMENT_YAML, &strict, "\"t\": empty document");
        fails("# nothing\n", NVCT_DOCUMENT_YAML, &strict, "\"t\": empty document");
        fails("", NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 1: invalid JSON: premature EOF");
        fails("{} {}", NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 5: invalid JSON: trailing garbage");
        fails("[1,]", NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 5: invalid JSON: unallowed token at this point in JSON text");
}

static void test_yaml_scalars(void **state) {
        (void)state;
        nvct_document_node *root =
                parse_yaml("n1: ~\nn2:\nn3: Null\nb1: True\nb2: FALSE\ni: -0\nf: 1.50\n"
                           "hex: 0x1F\noct: 0644\ninf: .inf\nyes: yes\nq1: \"true\"\nq2: '1'\n"
                           "s: hello world\n",
                           &strict);
        static const struct {
                const char *key;
                nvct_document_kind kind;
                const char *text;
                bool plain;
        } want[] = {
                { "n1", NVCT_DOCUMENT_NULL, "~", true },
                { "n2", NVCT_DOCUMENT_NULL, "", true },
                { "n3", NVCT_DOCUMENT_NULL, "Null", true },
                { "b1", NVCT_DOCUMENT_BOOL, "True", true },
                { "b2", NVCT_DOCUMENT_BOOL, "FALSE", true },
                { "i", NVCT_DOCUMENT_NUMBER, "-0", true },
                { "f", NVCT_DOCUMENT_NUMBER, "1.50", true },
                { "hex", NVCT_DOCUMENT_STRING, "0x1F", true },
                { "oct", NVCT_DOCUMENT_STRING, "0644", true },
                { "inf", NVCT_DOCUMENT_STRING, ".inf", true },
                { "yes", NVCT_DOCUMENT_STRING, "yes", true },
                { "q1", NVCT_DOCUMENT_STRING, "true", false },
                { "q2", NVCT_DOCUMENT_STRING, "1", false },
                { "s", NVCT_DOCUMENT_STRING, "hello world", true },
        };
        assert_int_equal(nvct_document_object_size(root), sizeof(want) / sizeof(want[0]));
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                const nvct_document_node *v = nvct_document_object_get(root, want[i].key);
                assert_non_null(v);
                assert_int_equal(nvct_document_kind_of(v), want[i].kind);
                assert_text(v, want[i].text, strlen(want[i].text));
                assert_int_equal(nvct_document_is_plain(v), want[i].plain);
        }
        assert_true(nvct_document_bool(nvct_document_object_get(root, "b1")));
        assert_false(nvct_document_bool(nvct_document_object_get(root, "b2")));

        /* YAML again: the same tree; strings that would read as something
         * else are quoted. */
        char *yaml = write_doc(root, NVCT_DOCUMENT_YAML, 0, NULL);
        assert_string_equal(yaml, "n1: ~\nn2: null\nn3: Null\nb1: True\nb2: FALSE\ni: -0\n"
                                  "f: 1.50\nhex: 0x1F\noct: 0644\ninf: .inf\n\"yes\": yes\n"
                                  "q1: \"true\"\nq2: \"1\"\ns: hello world\n");
        nvct_document_node *back = parse_yaml(yaml, &strict);
        assert_true(nvct_document_equal(root, back));
        nvct_document_free(back);
        free(yaml);
        /* JSON: booleans and null by value, the rest as strings. */
        assert_written(root,
                       "{\"n1\":null,\"n2\":null,\"n3\":null,\"b1\":true,\"b2\":false,"
                       "\"i\":-0,\"f\":1.50,\"hex\":\"0x1F\",\"oct\":\"0644\",\"inf\":\".inf\","
                       "\"yes\":\"yes\",\"q1\":\"true\",\"q2\":\"1\",\"s\":\"hello world\"}");
        char *json = write_doc(root, NVCT_DOCUMENT_JSON, 0, NULL);
        back = parse_json(json, &strict);
        assert_true(nvct_document_equal(root, back));
        nvct_document_free(back);
        free(json);
        nvct_document_free(root);
}

/* ---- paths and names in messages ---- */

static void test_error_paths(void **state) {
        (void)state;
        fails("{\"a.b\":{\"\":{\"x y\":[\"\xff\"]}}}", NVCT_DOCUMENT_JSON, &strict,
              "\"t\": line 1, column 23: [\"a.b\"][\"\"][\"x y\"][0]: invalid UTF-8 in a string");
        fails_len("{}x", 3, NVCT_DOCUMENT_JSON, &strict, "/etc/cdi/x\n\x1b[31m.json",
                  "\"/etc/cdi/x\\n\\x1b[31m.json\": line 1, column 4: invalid JSON: trailing "
                  "garbage");
        fails_len("[", 1, NVCT_DOCUMENT_JSON, &strict, NULL,
                  "\"<input>\": line 1, column 2: invalid JSON: premature EOF");
        /* A key longer than what a message shows is cut. */
        char key[700];
        memset(key, 'k', sizeof(key));
        char *text = xasprintf("{\"%.*s\":[1,\"\xff\"]}", (int)sizeof(key), key);
        nvct_document_node *root = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_document_parse(text, strlen(text), NVCT_DOCUMENT_JSON, "t", &strict,
                                             &root, &err),
                         -1);
        assert_contains(err->msg, "...: invalid UTF-8 in a string");
        assert_true(strlen(err->msg) < 600);
        nvct_error_free(&err);
        free(text);
}

/* ---- real config.json files ---- */

static size_t count_nodes(const nvct_document_node *n) {
        size_t count = 1;
        for (size_t i = 0; i < nvct_document_object_size(n); i++)
                count += count_nodes(nvct_document_object_value(n, i));
        for (size_t i = 0; i < nvct_document_array_size(n); i++)
                count += count_nodes(nvct_document_array_get(n, i));
        return count;
}

/* Every member, in order, by hand (nvct_document_equal is what is tested
 * here too): kinds, keys, texts. */
static void assert_same_tree(const nvct_document_node *a, const nvct_document_node *b) {
        assert_int_equal(nvct_document_kind_of(a), nvct_document_kind_of(b));
        size_t alen, blen;
        const char *at = nvct_document_text(a, &alen), *bt = nvct_document_text(b, &blen);
        if (at != NULL) {
                assert_non_null(bt);
                assert_int_equal(alen, blen);
                assert_memory_equal(at, bt, alen);
        }
        assert_int_equal(nvct_document_object_size(a), nvct_document_object_size(b));
        for (size_t i = 0; i < nvct_document_object_size(a); i++) {
                const char *ka = nvct_document_object_key(a, i, &alen);
                const char *kb = nvct_document_object_key(b, i, &blen);
                assert_int_equal(alen, blen);
                assert_memory_equal(ka, kb, alen);
                assert_same_tree(nvct_document_object_value(a, i),
                                 nvct_document_object_value(b, i));
        }
        assert_int_equal(nvct_document_array_size(a), nvct_document_array_size(b));
        for (size_t i = 0; i < nvct_document_array_size(a); i++)
                assert_same_tree(nvct_document_array_get(a, i), nvct_document_array_get(b, i));
        assert_true(nvct_document_equal(a, b));
}

static char *read_file(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        char *data = NULL;
        size_t cap = 0;
        FILE *mem = open_memstream(&data, &cap);
        assert_non_null(mem);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                assert_int_equal(fwrite(buf, 1, n, mem), n);
        fclose(f);
        fclose(mem);
        *ret_len = cap;
        return data;
}

/* Parse, write (compact, indented, YAML), parse again: the same tree. */
static void round_trips(const char *data, size_t len, bool compact_input) {
        nvct_document_node *root = parse_len(data, len, NVCT_DOCUMENT_JSON, &go);
        assert_true(count_nodes(root) > 50);
        size_t out_len;
        char *out = write_doc(root, NVCT_DOCUMENT_JSON, 0, &out_len);
        if (compact_input) {
                /* The same bytes. */
                assert_int_equal(out_len, len);
                assert_memory_equal(out, data, len);
        }
        nvct_document_node *back = parse_len(out, out_len, NVCT_DOCUMENT_JSON, &go);
        assert_same_tree(root, back);
        nvct_document_free(back);
        free(out);

        out = write_doc(root, NVCT_DOCUMENT_JSON, NVCT_DOCUMENT_INDENT, &out_len);
        assert_int_equal(out[out_len - 1], '\n');
        assert_non_null(strstr(out, "\n    \"ociVersion\": \"1."));
        back = parse_len(out, out_len, NVCT_DOCUMENT_JSON, &strict);
        assert_same_tree(root, back);
        nvct_document_free(back);
        free(out);

        out = write_doc(root, NVCT_DOCUMENT_YAML, 0, &out_len);
        back = parse_len(out, out_len, NVCT_DOCUMENT_YAML, &strict);
        assert_true(nvct_document_equal(root, back));
        nvct_document_free(back);
        free(out);
        nvct_document_free(root);
}

static void test_engine_configs(void **state) {
        (void)state;
        static const char *const names[] = { "config-docker.json", "config-podman.json",
                                             "config-containerd.json" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                char *path = xasprintf("%s/data/%s", TEST_SRCDIR, names[i]);
                size_t len;
                char *data = read_file(path, &len);
                round_trips(data, len, true);
                /* Fields a tool edits are where they were. */
                nvct_document_node *root = parse_len(data, len, NVCT_DOCUMENT_JSON, &go);
                const nvct_document_node *seccomp = nvct_document_object_get(
                        nvct_document_object_get(root, "linux"), "seccomp");
                assert_non_null(seccomp);
                const nvct_document_node *names0 = nvct_document_object_get(
                        nvct_document_array_get(nvct_document_object_get(seccomp, "syscalls"), 0),
                        "names");
                assert_true(nvct_document_array_size(names0) > 300);
                assert_non_null(nvct_document_object_get(root, "annotations"));
                assert_true(nvct_document_array_size(nvct_document_object_get(
                                    nvct_document_object_get(root, "linux"), "maskedPaths")) > 10);
                nvct_document_free(root);
                free(data);
                free(path);
        }
}

/* runc's own `runc spec` (tab-indented), generated now. */
static void test_runc_spec(void **state) {
        (void)state;
        char dir[] = "/tmp/test_document.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char *cmd = xasprintf("runc spec --bundle %s >/dev/null 2>&1", dir);
        int rc = system(cmd);
        free(cmd);
        char *path = xasprintf("%s/config.json", dir);
        if (rc != 0 || access(path, F_OK) != 0) {
                free(path);
                rmdir(dir);
                skip();
        }
        size_t len;
        char *data = read_file(path, &len);
        assert_non_null(strstr(data, "\n\t\"ociVersion\""));
        round_trips(data, len, false);
        free(data);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
        free(path);
}

static void test_compact_bytes(void **state) {
        (void)state;
        static const char *const texts[] = {
                "{\"a\":[],\"b\":{},\"c\":[{\"d\":null,\"e\":[true,false]}],\"f\":-1.5e-3}",
                "[\"tab\\there\",\"quote\\\"\",\"back\\\\slash\",\"\\u001F\"]",
                "\"scalar\"",
                "12345678901234567890123456789",
        };
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                nvct_document_node *root = parse_json(texts[i], &strict);
                assert_written(root, texts[i]);
                nvct_document_free(root);
        }
}

/* Each byte that needs an escape, in each style: yajl's (upper-case hex),
 * Go's (json.Marshal: HTML escapes, U+2028/U+2029, lower-case hex) and the
 * indented form's. A lone 0xe2, U+2027 and bytes that are not UTF-8 are
 * kept as they are; the key is escaped as the values are. */
static void test_escapes(void **state) {
        (void)state;
        static const char text[] = "{\"k<&\":[\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f/\","
                                   "\"a<b>c&d\",\"\\u2028\\u2029\\u2027\xe2\",\"\xff\xfe\"]}";
        nvct_document_node *root = parse_json(text, &go);
        static const char yajl_style[] =
                "{\"k<&\":[\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001F\x7f/\",\"a<b>c&d\","
                "\"\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7\xe2\",\"\xff\xfe\"]}";
        assert_written(root, yajl_style);
        char *out = write_doc(root, NVCT_DOCUMENT_JSON, NVCT_DOCUMENT_GO_ESCAPES, NULL);
        assert_string_equal(out,
                            "{\"k\\u003c\\u0026\":[\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f/\","
                            "\"a\\u003cb\\u003ec\\u0026d\","
                            "\"\\u2028\\u2029\xe2\x80\xa7\xe2\",\"\xff\xfe\"]}");
        free(out);
        nvct_error *err = NULL;
        size_t len;
        assert_int_equal(nvct_document_write_json_indent(root, "  ", &out, &len, &err), 0);
        assert_string_equal(out,
                            "{\n  \"k<&\": [\n    \"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f/\",\n"
                            "    \"a<b>c&d\",\n"
                            "    \"\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7\xe2\",\n"
                            "    \"\xff\xfe\"\n  ]\n}");
        free(out);
        nvct_document_free(root);
}

/* A new key goes where it is put, the members after it move up; an existing
 * key keeps its place; lookups of a large (indexed) object see the moved
 * members. */
static void test_object_insert(void **state) {
        (void)state;
        nvct_document_node *root =
                parse_json("{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,"
                           "\"k8\":8,\"k9\":9,\"k10\":[10]}",
                           &go);
        nvct_error *err = NULL;
        assert_non_null(nvct_document_object_get(root, "k9")); /* builds the index */
        nvct_document_node *at = NULL;
        assert_int_equal(nvct_document_object_insert(root, 0, "a", 1,
                                                     nvct_document_new_string("x", 1), &at, &err),
                         0);
        assert_string_equal(nvct_document_text(at, NULL), "x");
        assert_int_equal(
                nvct_document_object_insert(root, 5, "b", 1, nvct_document_new_null(), NULL, &err),
                0);
        assert_int_equal(nvct_document_object_insert(root, 99, "c", 1, nvct_document_new_object(),
                                                     NULL, &err),
                         0);
        /* k3 exists: replaced where it is. */
        assert_int_equal(nvct_document_object_insert(root, 0, "k3", 2, nvct_document_new_array(),
                                                     NULL, &err),
                         0);
        assert_written(root,
                       "{\"a\":\"x\",\"k1\":1,\"k2\":2,\"k3\":[],\"k4\":4,\"b\":null,\"k5\":5,"
                       "\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":[10],\"c\":{}}");
        static const char *const keys[] = { "a",  "k1", "k2", "k3", "k4",  "b", "k5",
                                            "k6", "k7", "k8", "k9", "k10", "c" };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                assert_ptr_equal(nvct_document_object_get(root, keys[i]),
                                 nvct_document_object_value(root, i));
        nvct_document_free(root);
}

/* Items move in place as the permutation says; anything but a permutation
 * of the whole array is refused and moves nothing. */
static void test_array_permute(void **state) {
        (void)state;
        nvct_document_node *root = parse_json("[\"a\",{\"b\":[1,2]},3,null]", NULL);
        nvct_error *err = NULL;
        const size_t order[] = { 2, 0, 3, 1 };
        assert_int_equal(nvct_document_array_permute(root, order, 4, &err), 0);
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(nvct_document_write(root, NVCT_DOCUMENT_JSON, 0, &out, &len, &err), 0);
        assert_string_equal(out, "[3,\"a\",null,{\"b\":[1,2]}]");
        free(out);
        const size_t dup[] = { 0, 0, 1, 2 };
        assert_int_equal(nvct_document_array_permute(root, dup, 4, &err), -1);
        assert_contains(err->msg, "not a permutation");
        nvct_error_free(&err);
        const size_t big[] = { 0, 1, 2, 7 };
        assert_int_equal(nvct_document_array_permute(root, big, 4, &err), -1);
        nvct_error_free(&err);
        assert_int_equal(nvct_document_array_permute(root, order, 3, &err), -1);
        assert_contains(err->msg, "3 items for an array of 4");
        nvct_error_free(&err);
        assert_int_equal(nvct_document_write(root, NVCT_DOCUMENT_JSON, 0, &out, &len, &err), 0);
        assert_string_equal(out, "[3,\"a\",null,{\"b\":[1,2]}]");
        free(out);
        nvct_document_free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kinds),          cmocka_unit_test(test_numbers_keep_text),
                cmocka_unit_test(test_nul_in_strings), cmocka_unit_test(test_order_and_mutation),
                cmocka_unit_test(test_duplicate_keys), cmocka_unit_test(test_many_keys),
                cmocka_unit_test(test_depth),          cmocka_unit_test(test_size_and_count),
                cmocka_unit_test(test_utf8),           cmocka_unit_test(test_yaml_refused),
                cmocka_unit_test(test_yaml_scalars),   cmocka_unit_test(test_error_paths),
                cmocka_unit_test(test_engine_configs), cmocka_unit_test(test_runc_spec),
                cmocka_unit_test(test_compact_bytes),  cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_object_insert),  cmocka_unit_test(test_array_permute),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

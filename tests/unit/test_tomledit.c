/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the surgical TOML editor: golden edits of containerd's own
 * `containerd config default` output and of a hand-written, commented file;
 * quoted, dotted and inline keys; arrays of tables; CRLF; no trailing
 * newline; the empty file; idempotence; errors that change nothing. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "formats/tomledit.h"
#include "testutil.h"

/* A key path as the two arguments the editor takes. */
#define P(...)                                                                                     \
        ((const char *const[]){ __VA_ARGS__ }),                                                    \
                (sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

#define CRI "plugins", "io.containerd.grpc.v1.cri"

static char *read_data(const char *name, size_t *ret_len) {
        char *path = xasprintf("%s/data/tomledit/%s", TEST_SRCDIR, name);
        FILE *f = fopen(path, "rbe");
        if (f == NULL)
                print_error("cannot open %s\n", path);
        assert_non_null(f);
        free(path);
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                assert_int_equal(fwrite(chunk, 1, n, m), n);
        fclose(f);
        assert_int_equal(fclose(m), 0);
        *ret_len = size;
        return buf;
}

static nvct_toml_edit *load_len(const char *text, size_t len) {
        nvct_toml_edit *e = NULL;
        nvct_error *err = NULL;
        if (nvct_toml_edit_parse(text, len, "config.toml", &e, &err) < 0) {
                print_error("unexpected failure: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        assert_non_null(e);
        assert_false(nvct_toml_edit_changed(e));
        return e;
}

static nvct_toml_edit *load(const char *text) {
        return load_len(text, strlen(text));
}

static void set_ok(nvct_toml_edit *e, const char *const *path, size_t n, const char *value) {
        nvct_error *err = NULL;
        if (nvct_toml_edit_set(e, path, n, value, &err) < 0) {
                print_error("set failed: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
}

static void remove_ok(nvct_toml_edit *e, const char *const *path, size_t n) {
        nvct_error *err = NULL;
        if (nvct_toml_edit_remove(e, path, n, &err) < 0) {
                print_error("remove failed: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
}

static void assert_text(const nvct_toml_edit *e, const char *expected, size_t expected_len) {
        size_t len;
        const char *text = nvct_toml_edit_text(e, &len);
        assert_int_equal(strlen(text), len);
        if (len != expected_len || memcmp(text, expected, len) != 0) {
                print_error("got:\n%s\n---\nexpected:\n%.*s\n", text, (int)expected_len, expected);
                fail();
        }
}

static void assert_text_is(const nvct_toml_edit *e, const char *expected) {
        assert_text(e, expected, strlen(expected));
}

/* A failing set: one line naming the file, `needle` in it, text unchanged. */
static void set_fails(nvct_toml_edit *e, const char *const *path, size_t n, const char *value,
                      const char *needle) {
        size_t len;
        char *before = strdup(nvct_toml_edit_text(e, &len));
        bool changed = nvct_toml_edit_changed(e);
        nvct_error *err = NULL;
        assert_true(nvct_toml_edit_set(e, path, n, value, &err) < 0);
        assert_non_null(err);
        assert_true(strncmp(err->msg, "\"config.toml\": ", 15) == 0);
        assert_null(strchr(err->msg, '\n'));
        assert_contains(err->msg, needle);
        nvct_error_free(&err);
        assert_text_is(e, before);
        assert_int_equal(nvct_toml_edit_changed(e), changed);
        free(before);
}

static const char *get_string(nvct_toml_edit *e, const char *const *path, size_t n) {
        const nvct_toml_value *v = nvct_toml_edit_get(e, path, n);
        assert_non_null(v);
        assert_int_equal(nvct_toml_type_of(v), NVCT_TOML_STRING);
        return nvct_toml_string(v, NULL);
}

/* The edits nvidia-ctk makes to containerd's config, on `containerd config
 * default` (containerd 1.6): keys replaced in place, a new runtime table
 * after runc's, nothing else touched; then again, changing nothing. */
static void containerd_edits(nvct_toml_edit *e) {
        set_ok(e, P(CRI, "containerd", "runtimes", "nvidia", "runtime_type"),
               "\"io.containerd.runc.v2\"");
        set_ok(e, P(CRI, "containerd", "runtimes", "nvidia", "options", "BinaryName"),
               "\"/usr/bin/nvidia-container-runtime\"");
        set_ok(e, P(CRI, "containerd", "runtimes", "nvidia", "options", "SystemdCgroup"), "false");
        set_ok(e, P(CRI, "containerd", "default_runtime_name"), "\"nvidia\"");
        set_ok(e, P(CRI, "enable_cdi"), "true");
}

static void test_containerd_default(void **state) {
        (void)state;
        size_t len, expected_len;
        char *input = read_data("containerd-default.toml", &len);
        char *expected = read_data("containerd-default.nvidia.toml", &expected_len);

        nvct_toml_edit *e = load_len(input, len);
        assert_string_equal(get_string(e, P(CRI, "containerd", "runtimes", "runc", "runtime_type")),
                            "io.containerd.runc.v2");
        assert_null(nvct_toml_edit_get(e, P(CRI, "containerd", "runtimes", "nvidia")));
        containerd_edits(e);
        assert_true(nvct_toml_edit_changed(e));
        assert_text(e, expected, expected_len);
        assert_string_equal(
                get_string(e, P(CRI, "containerd", "runtimes", "nvidia", "options", "BinaryName")),
                "/usr/bin/nvidia-container-runtime");

        /* The same edits on the result, in a fresh editor and in this one. */
        containerd_edits(e);
        assert_text(e, expected, expected_len);
        nvct_toml_edit_free(e);
        e = load_len(expected, expected_len);
        containerd_edits(e);
        assert_false(nvct_toml_edit_changed(e));
        assert_text(e, expected, expected_len);
        nvct_toml_edit_free(e);
        free(input);
        free(expected);
}

/* Odd spacing, tabs, comments after values and after the key block, a
 * multi-line string holding lines that look like a header, a comment and a
 * key, a multi-line array with comments, a header with spaces around its
 * dots, an inline runtime, dotted keys, arrays of tables, quoted keys. */
static void test_hand_commented(void **state) {
        (void)state;
        size_t len, expected_len;
        char *input = read_data("hand-commented.toml", &len);
        char *expected = read_data("hand-commented.expected.toml", &expected_len);

        nvct_toml_edit *e = load_len(input, len);
        set_ok(e, P(CRI, "enable_cdi"), "true");
        set_ok(e, P(CRI, "device_ownership_from_security_context"), "true");
        /* Inside an inline table, nested in another. */
        set_ok(e, P(CRI, "containerd", "runtimes", "runc", "options", "BinaryName"),
               "\"/usr/bin/runc\"");
        /* Under a table made by dotted keys: a dotted key beside them. */
        set_ok(e, P(CRI, "containerd", "runtimes", "nvidia", "runtime_type"),
               "\"io.containerd.runc.v2\"");
        set_ok(e, P(CRI, "containerd", "x", "a", "d"), "[1, 2]");
        set_ok(e, P(CRI, "containerd", "default_runtime_name"), "\"nvidia\"");
        set_ok(e, P("timeouts", "inline", "a"), "1");
        set_ok(e, P("timeouts", "io.containerd.timeout.shim.load"), "\"5s\"");
        set_ok(e, P("cgroup", "path"), "\"\"");
        set_ok(e, P(CRI, "registry", "config_path"), "\"/etc/containerd/certs.d\"");
        assert_text(e, expected, expected_len);

        /* Nothing lies inside the multi-line string. */
        assert_null(nvct_toml_edit_get(e, P("not", "a", "header")));
        assert_null(nvct_toml_edit_get(e, P("x")));
        nvct_toml_edit_free(e);

        e = load_len(expected, expected_len);
        set_ok(e, P(CRI, "containerd", "runtimes", "runc", "options", "BinaryName"),
               "\"/usr/bin/runc\"");
        set_ok(e, P(CRI, "containerd", "x", "a", "d"), "[1, 2]");
        set_ok(e, P("timeouts", "inline", "a"), "1");
        /* Equal values written otherwise are equal too. */
        set_ok(e, P(CRI, "containerd", "default_runtime_name"), "'nvidia'");
        set_ok(e, P(CRI, "containerd", "x", "a", "d"), "[ 1, 2, ]");
        assert_false(nvct_toml_edit_changed(e));
        assert_text(e, expected, expected_len);
        nvct_toml_edit_free(e);
        free(input);
        free(expected);
}

static void test_replace_keeps_line(void **state) {
        (void)state;
        nvct_toml_edit *e = load("# head\n\n[a]   # table\n  k   =\t\"old\"   # why\n\n# tail\n");
        set_ok(e, P("a", "k"), "\"new\"");
        assert_text_is(e, "# head\n\n[a]   # table\n  k   =\t\"new\"   # why\n\n# tail\n");
        set_ok(e, P("a", "j"), "[\"x\", \"y\"]");
        assert_text_is(e,
                       "# head\n\n[a]   # table\n  k   =\t\"new\"   # why\n  j = [\"x\", \"y\"]\n"
                       "\n# tail\n");
        /* A multi-line value is replaced whole. */
        nvct_toml_edit_free(e);
        e = load("a = [\n  1,\n  2,\n]\nb = 3\n");
        set_ok(e, P("a"), "[]");
        assert_text_is(e, "a = []\nb = 3\n");
        nvct_toml_edit_free(e);
}

static void test_new_tables(void **state) {
        (void)state;
        /* After the last table with a prefix of the path and its subtables. */
        nvct_toml_edit *e = load("[a]\nx = 1\n\n  [a.b]\n  y = 2\n\n    [a.b.c]\n    z = 3\n\n"
                                 "[d]\nw = 4\n");
        set_ok(e, P("a", "e", "k"), "true");
        assert_text_is(e, "[a]\nx = 1\n\n  [a.b]\n  y = 2\n\n    [a.b.c]\n    z = 3\n\n"
                          "  [a.e]\n  k = true\n\n[d]\nw = 4\n");
        /* Nothing with a prefix: at the end, after one blank line. */
        set_ok(e, P("f", "g", "h"), "1");
        assert_text_is(e, "[a]\nx = 1\n\n  [a.b]\n  y = 2\n\n    [a.b.c]\n    z = 3\n\n"
                          "  [a.e]\n  k = true\n\n[d]\nw = 4\n\n[f.g]\nh = 1\n");
        nvct_toml_edit_free(e);

        /* Keys that need quotes, a header right after the last key. */
        e = load("[p]\nq = 1\n[r]\n");
        set_ok(e, P("p", "io.containerd.cri.v1.runtime", "a b", "c\"d"), "1");
        assert_text_is(e, "[p]\nq = 1\n\n[p.\"io.containerd.cri.v1.runtime\".\"a b\"]\n"
                          "\"c\\\"d\" = 1\n\n[r]\n");
        nvct_toml_edit_free(e);

        /* A table known only from a deeper header gets its own header. */
        e = load("[a.b.c]\nx = 1\n");
        set_ok(e, P("a", "b", "y"), "2");
        assert_text_is(e, "[a.b.c]\nx = 1\n\n[a.b]\ny = 2\n");
        nvct_toml_edit_free(e);
}

static void test_root_keys(void **state) {
        (void)state;
        /* A root without keys: before the comments that lead the first
         * header. */
        nvct_toml_edit *e = load("# file\n\n# about a\n[a]\nx = 1\n");
        set_ok(e, P("version"), "2");
        assert_text_is(e, "# file\n\nversion = 2\n\n# about a\n[a]\nx = 1\n");
        set_ok(e, P("imports"), "[\"/etc/containerd/conf.d/*.toml\"]");
        assert_text_is(e, "# file\n\nversion = 2\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n\n"
                          "# about a\n[a]\nx = 1\n");
        nvct_toml_edit_free(e);
}

static void test_inline_tables(void **state) {
        (void)state;
        nvct_toml_edit *e = load("r = { a = 1, b = { c = 2 } }\ns = {}\nt = { }\n");
        set_ok(e, P("r", "b", "c"), "3");
        set_ok(e, P("r", "b", "d"), "4");
        set_ok(e, P("r", "e", "f"), "5");
        set_ok(e, P("s", "x"), "\"y\"");
        set_ok(e, P("t", "x"), "1");
        assert_text_is(e, "r = { a = 1, b = { c = 3, d = 4 }, e.f = 5 }\ns = { x = \"y\" }\n"
                          "t = { x = 1 }\n");
        remove_ok(e, P("r", "a"));
        remove_ok(e, P("r", "e", "f"));
        remove_ok(e, P("s", "x"));
        assert_text_is(e, "r = { b = { c = 3, d = 4 } }\ns = {}\nt = { x = 1 }\n");
        /* An inline table as a whole is a value: replaced, removed. */
        set_ok(e, P("t"), "{ y = 2 }");
        remove_ok(e, P("r"));
        assert_text_is(e, "s = {}\nt = { y = 2 }\n");
        nvct_toml_edit_free(e);
}

static void test_dotted_keys(void **state) {
        (void)state;
        nvct_toml_edit *e = load("[x]\na.b.c = 1 # one\na.d = 2\n\n[y]\n");
        set_ok(e, P("x", "a", "b", "e"), "3");
        set_ok(e, P("x", "a", "b", "c"), "10");
        assert_text_is(e, "[x]\na.b.c = 10 # one\na.d = 2\na.b.e = 3\n\n[y]\n");
        remove_ok(e, P("x", "a", "b", "c"));
        remove_ok(e, P("x", "a", "d"));
        assert_text_is(e, "[x]\na.b.e = 3\n\n[y]\n");
        /* The last key of a dotted table: the table goes with it. */
        remove_ok(e, P("x", "a", "b", "e"));
        assert_text_is(e, "[x]\n\n[y]\n");
        assert_null(nvct_toml_edit_get(e, P("x", "a")));
        nvct_toml_edit_free(e);
}

static void test_arrays_of_tables(void **state) {
        (void)state;
        const char *text = "[[p]]\nname = \"a\"\n\n[[p]]\nname = \"b\"\n\n[q]\nk = 1\n";
        nvct_toml_edit *e = load(text);
        set_fails(e, P("p", "name"), "\"c\"", "key \"p\" is an array of tables, not a table");
        set_fails(e, P("p"), "1", "it is an array of tables");
        nvct_error *err = NULL;
        assert_true(nvct_toml_edit_remove(e, P("p"), &err) < 0);
        assert_contains(err->msg, "an array of tables");
        nvct_error_free(&err);
        set_ok(e, P("q", "l"), "2");
        set_ok(e, P("p2", "x"), "1");
        assert_text_is(e, "[[p]]\nname = \"a\"\n\n[[p]]\nname = \"b\"\n\n[q]\nk = 1\nl = 2\n\n"
                          "[p2]\nx = 1\n");
        nvct_toml_edit_free(e);
}

static void test_crlf(void **state) {
        (void)state;
        nvct_toml_edit *e = load("a = 1\r\n# c\r\n[t]\r\nb = 2\r\n");
        set_ok(e, P("t", "c"), "3");
        set_ok(e, P("n", "x"), "1");
        set_ok(e, P("z"), "0");
        set_ok(e, P("a"), "5");
        assert_text_is(e, "a = 5\r\nz = 0\r\n# c\r\n[t]\r\nb = 2\r\nc = 3\r\n\r\n[n]\r\nx = 1\r\n");
        nvct_toml_edit_free(e);
}

static void test_no_trailing_newline(void **state) {
        (void)state;
        nvct_toml_edit *e = load("a = 1 # c");
        set_ok(e, P("b"), "2");
        assert_text_is(e, "a = 1 # c\nb = 2\n");
        nvct_toml_edit_free(e);

        e = load("[t]\nk = 1");
        set_ok(e, P("u", "v"), "2");
        assert_text_is(e, "[t]\nk = 1\n\n[u]\nv = 2\n");
        nvct_toml_edit_free(e);

        e = load("[t]");
        set_ok(e, P("t", "k"), "1");
        assert_text_is(e, "[t]\nk = 1\n");
        nvct_toml_edit_free(e);
}

static void test_empty(void **state) {
        (void)state;
        nvct_toml_edit *e = load("");
        assert_non_null(nvct_toml_edit_get(e, NULL, 0));
        set_ok(e, P(CRI, "containerd", "default_runtime_name"), "\"nvidia\"");
        set_ok(e, P("version"), "2");
        assert_text_is(e, "version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
                          "default_runtime_name = \"nvidia\"\n");
        nvct_toml_edit_free(e);

        e = load_len(NULL, 0);
        remove_ok(e, P("a", "b"));
        assert_false(nvct_toml_edit_changed(e));
        assert_text_is(e, "");
        nvct_toml_edit_free(e);
}

static void test_remove(void **state) {
        (void)state;
        nvct_toml_edit *e = load("# keep\na = 1 # gone\nb = [\n  1,\n]\n\n[t]\nc = 2\n");
        remove_ok(e, P("a"));
        remove_ok(e, P("b"));
        remove_ok(e, P("missing"));
        remove_ok(e, P("t", "missing"));
        remove_ok(e, P("u", "v", "w"));
        assert_text_is(e, "# keep\n\n[t]\nc = 2\n");
        nvct_error *err = NULL;
        assert_true(nvct_toml_edit_remove(e, P("t"), &err) < 0);
        assert_contains(err->msg, "cannot remove key \"t\": it is a table");
        nvct_error_free(&err);
        assert_true(nvct_toml_edit_remove(e, P("t", "c", "d"), &err) < 0);
        assert_contains(err->msg, "key \"t.c\" is of type integer, not a table");
        nvct_error_free(&err);
        assert_text_is(e, "# keep\n\n[t]\nc = 2\n");
        nvct_toml_edit_free(e);
}

static void test_errors(void **state) {
        (void)state;
        nvct_toml_edit *e = (nvct_toml_edit *)(uintptr_t)1;
        nvct_error *err = NULL;
        assert_true(nvct_toml_edit_parse("a = 1\n[t]\nb = = 2\n", 18, "config.toml", &e, &err) < 0);
        assert_string_equal(err->msg, "\"config.toml\":3:5: expected a value, found '='");
        assert_ptr_equal(e, (nvct_toml_edit *)(uintptr_t)1);
        nvct_error_free(&err);
        assert_true(nvct_toml_edit_parse("a = 1\na = 2\n", 12, "config.toml", &e, &err) < 0);
        assert_contains(err->msg, "\"config.toml\":2:1: duplicate key");
        nvct_error_free(&err);

        e = load("a = \"s\"\n[t]\nk = 1\n");
        set_fails(e, P("a", "b"), "1", "key \"a\" is of type string, not a table");
        set_fails(e, P("t"), "1", "cannot set key \"t\": it is a table, not a value");
        set_fails(e, P("t", "k"), "1 2", "\"1 2\" is not one TOML value");
        set_fails(e, P("t", "k"), "1 # c", "is not one TOML value");
        set_fails(e, P("t", "k"), "1\nx = 2", "is not one TOML value");
        set_fails(e, P("t", "k"), "", "is not one TOML value");
        set_fails(e, P("t", "k"), "[1,", "is not one TOML value");
        set_fails(e, P("t", "k"), "bare", "is not one TOML value");
        /* A key that is not UTF-8 would make the file invalid. */
        set_fails(e, P("t", "\xff"), "1", "does not decode");
        assert_true(nvct_toml_edit_set(e, NULL, 0, "1", &err) < 0);
        assert_contains(err->msg, "a key path has 1 to");
        nvct_error_free(&err);
        assert_false(nvct_toml_edit_changed(e));
        nvct_toml_edit_free(e);
}

/* runc's options carried over to the new runtime, as nvidia-ctk does. */
static void test_copy_table(void **state) {
        (void)state;
        size_t len;
        char *input = read_data("containerd-default.toml", &len);
        nvct_toml_edit *e = load_len(input, len);
        set_ok(e, P(CRI, "containerd", "runtimes", "nvidia", "runtime_type"),
               "\"io.containerd.runc.v2\"");
        nvct_error *err = NULL;
        assert_int_equal(nvct_toml_edit_copy_table(
                                 e, P(CRI, "containerd", "runtimes", "runc", "options"),
                                 P(CRI, "containerd", "runtimes", "nvidia", "options"), &err),
                         0);
        set_ok(e, P(CRI, "containerd", "runtimes", "nvidia", "options", "BinaryName"),
               "\"/usr/bin/nvidia-container-runtime\"");
        assert_contains(nvct_toml_edit_text(e, NULL),
                        "\n          runtime_type = \"io.containerd.runc.v2\"\n\n"
                        "        [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nvidia."
                        "options]\n          BinaryName = \"/usr/bin/nvidia-container-runtime\"\n"
                        "          CriuImagePath = \"\"\n");
        const nvct_toml_value *opts =
                nvct_toml_edit_get(e, P(CRI, "containerd", "runtimes", "nvidia", "options"));
        assert_int_equal(nvct_toml_table_size(opts), 11);
        assert_false(nvct_toml_bool(nvct_toml_table_get(opts, "SystemdCgroup")));
        /* `to` exists: nothing happens, BinaryName stays. */
        size_t before_len;
        char *before = strdup(nvct_toml_edit_text(e, &before_len));
        assert_int_equal(nvct_toml_edit_copy_table(
                                 e, P(CRI, "containerd", "runtimes", "runc", "options"),
                                 P(CRI, "containerd", "runtimes", "nvidia", "options"), &err),
                         0);
        assert_text(e, before, before_len);
        /* An empty table becomes an empty [header]. */
        assert_int_equal(nvct_toml_edit_copy_table(
                                 e, P(CRI, "containerd", "default_runtime", "options"),
                                 P(CRI, "containerd", "runtimes", "empty", "options"), &err),
                         0);
        assert_contains(
                nvct_toml_edit_text(e, NULL),
                "\n\n        [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.empty."
                "options]\n\n      [plugins.\"io.containerd.grpc.v1.cri\".containerd."
                "untrusted_workload_runtime]\n");
        free(before);
        nvct_toml_edit_free(e);
        free(input);

        /* Dotted keys, inline tables and subtables; an inline source is one
         * value; arrays of tables and copies into itself are refused, all or
         * nothing. */
        e = load("[r]\na = 1 # c\nb.c = 2\nd = { e = [1,\n 2] }\n[r.s]\n[r.t]\nu = \"v\"\n\n"
                 "[q]\nz = 0\n[[q.aot]]\n");
        assert_int_equal(nvct_toml_edit_copy_table(e, P("r"), P("n"), &err), 0);
        assert_int_equal(nvct_toml_edit_copy_table(e, P("r", "d"), P("r", "t", "w"), &err), 0);
        assert_text_is(e, "[r]\na = 1 # c\nb.c = 2\nd = { e = [1,\n 2] }\n[r.s]\n[r.t]\nu = \"v\"\n"
                          "w = { e = [1,\n 2] }\n\n[q]\nz = 0\n[[q.aot]]\n\n[n]\na = 1\n"
                          "d = { e = [1,\n 2] }\n\n[n.b]\nc = 2\n\n[n.s]\n\n[n.t]\nu = \"v\"\n");
        char *kept = strdup(nvct_toml_edit_text(e, NULL));
        assert_true(nvct_toml_edit_copy_table(e, P("q"), P("m"), &err) < 0);
        assert_contains(err->msg, "array of tables");
        nvct_error_free(&err);
        assert_true(nvct_toml_edit_copy_table(e, P("r"), P("r", "x"), &err) < 0);
        assert_contains(err->msg, "cannot copy \"r\" into itself");
        nvct_error_free(&err);
        assert_true(nvct_toml_edit_copy_table(e, P("nope"), P("m"), &err) < 0);
        assert_contains(err->msg, "no such key");
        nvct_error_free(&err);
        assert_text_is(e, kept);
        free(kept);
        nvct_toml_edit_free(e);
}

static void test_key_text(void **state) {
        (void)state;
        const struct {
                const char *key, *text;
        } cases[] = {
                { "runc", "runc" },
                { "Binary_Name-2", "Binary_Name-2" },
                { "io.containerd.grpc.v1.cri", "\"io.containerd.grpc.v1.cri\"" },
                { "", "\"\"" },
                { "a b", "\"a b\"" },
                { "q\"b\\", "\"q\\\"b\\\\\"" },
                { "t\tn\nc\x01", "\"t\\tn\\nc\\u0001\"" },
                { "é", "\"é\"" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *t = nvct_toml_key_text(cases[i].key);
                assert_string_equal(t, cases[i].text);
                free(t);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_containerd_default),
                cmocka_unit_test(test_hand_commented),
                cmocka_unit_test(test_replace_keeps_line),
                cmocka_unit_test(test_new_tables),
                cmocka_unit_test(test_root_keys),
                cmocka_unit_test(test_inline_tables),
                cmocka_unit_test(test_dotted_keys),
                cmocka_unit_test(test_arrays_of_tables),
                cmocka_unit_test(test_crlf),
                cmocka_unit_test(test_no_trailing_newline),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_remove),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_copy_table),
                cmocka_unit_test(test_key_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

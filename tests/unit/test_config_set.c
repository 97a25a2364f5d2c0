/* SPDX-License-Identifier: Apache-2.0 */
/* config/set: `nvidia-ctk config --set`. Golden edits (comments and
 * untouched bytes kept, tables created, lists, booleans, strings with
 * escapes), NVIDIA's typing by the key table, idempotence, errors that name
 * the assignment; and the command: stdout, --output, --in-place (mode kept,
 * a second run writes nothing), a missing file, an invalid file untouched. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "config/config.h"
#include "config/default.h"
#include "config/set.h"

#include "testutil.h"

/* Applies the assignments to `in`; the result, or NULL with *msg set. */
static char *set_sep(const char *in, const char *const *a, size_t n, const char *sep, char **msg) {
        nvct_error *err = NULL;
        char *out = (char *)"untouched";
        size_t len = 12345;
        int r = nvct_config_set_text(in, strlen(in), "c.toml", a, n, sep, &out, &len, &err);
        if (r < 0) {
                assert_non_null(err);
                /* Outputs untouched on failure. */
                assert_string_equal(out, "untouched");
                assert_int_equal(len, 12345);
                *msg = strdup(err->msg);
                nvct_error_free(&err);
                return NULL;
        }
        assert_null(err);
        assert_int_equal(strlen(out), len);
        return out;
}

static char *set(const char *in, const char *const *a, size_t n) {
        char *msg = NULL;
        char *out = set_sep(in, a, n, NULL, &msg);
        if (out == NULL) {
                print_error("unexpected error: %s\n", msg);
                fail();
        }
        return out;
}

/* The error message of a failing set. */
static char *set_fails(const char *in, const char *const *a, size_t n, const char *sep) {
        char *msg = NULL;
        char *out = set_sep(in, a, n, sep, &msg);
        assert_null(out);
        assert_non_null(msg);
        return msg;
}

static void expect(const char *in, const char *const *a, size_t n, const char *want) {
        char *out = set(in, a, n);
        assert_string_equal(out, want);
        /* A second identical run changes nothing. */
        char *again = set(out, a, n);
        assert_string_equal(again, out);
        free(again);
        free(out);
}

static const char *const sample = "# my config\n"
                                  "disable-require = false   # keep this\n"
                                  "\n"
                                  "[nvidia-container-cli]\n"
                                  "  # the driver root\n"
                                  "  root = \"/run/nvidia/driver\"\n"
                                  "  no-cgroups = false # why\n"
                                  "\n"
                                  "[nvidia-container-runtime]\n"
                                  "log-level = 'info'\n"
                                  "# trailing comment\n";

static void test_comments_kept(void **state) {
        (void)state;
        const char *const a[] = { "nvidia-container-cli.no-cgroups=true", "disable-require" };
        expect(sample, a, 2,
               "# my config\n"
               "disable-require = true   # keep this\n"
               "\n"
               "[nvidia-container-cli]\n"
               "  # the driver root\n"
               "  root = \"/run/nvidia/driver\"\n"
               "  no-cgroups = true # why\n"
               "\n"
               "[nvidia-container-runtime]\n"
               "log-level = 'info'\n"
               "# trailing comment\n");
}

static void test_new_keys_and_tables(void **state) {
        (void)state;
        const char *const a[] = {
                "nvidia-container-runtime.modes.cdi.spec-dirs=/etc/cdi,/var/run/cdi,/opt/cdi",
                "nvidia-container-cli.user=root:video",
                "swarm-resource=DOCKER_RESOURCE_GPU",
        };
        expect(sample, a, ARRAY_SIZE(a),
               "# my config\n"
               "disable-require = false   # keep this\n"
               "swarm-resource = \"DOCKER_RESOURCE_GPU\"\n"
               "\n"
               "[nvidia-container-cli]\n"
               "  # the driver root\n"
               "  root = \"/run/nvidia/driver\"\n"
               "  no-cgroups = false # why\n"
               "  user = \"root:video\"\n"
               "\n"
               "[nvidia-container-runtime]\n"
               "log-level = 'info'\n"
               "\n"
               "[nvidia-container-runtime.modes.cdi]\n"
               "spec-dirs = [\"/etc/cdi\", \"/var/run/cdi\", \"/opt/cdi\"]\n"
               "\n"
               "# trailing comment\n");
        /* An empty document. */
        const char *const b[] = { "nvidia-container-cli.no-cgroups" };
        expect("", b, 1, "[nvidia-container-cli]\nno-cgroups = true\n");
}

/* NVIDIA's typing: the table says what a value is, not its spelling. */
static void test_typing(void **state) {
        (void)state;
        const struct {
                const char *assignment, *toml;
        } cases[] = {
                { "disable-require", "true" },
                { "disable-require=1", "true" },
                { "disable-require=t", "true" },
                { "disable-require=T", "true" },
                { "disable-require=TRUE", "true" },
                { "disable-require=True", "true" },
                { "disable-require=0", "false" },
                { "disable-require=f", "false" },
                { "disable-require=FALSE", "false" },
                { "disable-require=False", "false" },
                { "swarm-resource=true", "\"true\"" },
                { "swarm-resource=5", "\"5\"" },
                { "swarm-resource=", "\"\"" },
                { "swarm-resource=a=b=c", "\"a=b=c\"" },
                { "nvidia-container-cli.environment=A=1,B=2", "[\"A=1\", \"B=2\"]" },
                { "nvidia-container-cli.environment=one", "[\"one\"]" },
                /* strings.Split("", ","): one empty item. */
                { "nvidia-container-cli.environment=", "[\"\"]" },
                { "nvidia-container-cli.environment=a,,b,", "[\"a\", \"\", \"b\", \"\"]" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const char *key = NULL;
                char *value = NULL;
                nvct_error *err = NULL;
                assert_int_equal(
                        nvct_config_set_value_text(cases[i].assignment, NULL, &key, &value, &err),
                        0);
                assert_string_equal(value, cases[i].toml);
                assert_non_null(nvct_config_key_find(key));
                free(value);
        }
}

static void test_list_separator(void **state) {
        (void)state;
        const char *key = NULL;
        char *value = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_config_set_value_text("nvidia-container-runtime.runtimes=a,b;c", ";",
                                                    &key, &value, &err),
                         0);
        assert_string_equal(key, "nvidia-container-runtime.runtimes");
        assert_string_equal(value, "[\"a,b\", \"c\"]");
        free(value);
        value = NULL;
        assert_int_equal(nvct_config_set_value_text("nvidia-container-runtime.runtimes=a::b:c",
                                                    "::", &key, &value, &err),
                         0);
        assert_string_equal(value, "[\"a\", \"b:c\"]");
        free(value);
        const char *const a[] = { "nvidia-container-runtime.runtimes=a" };
        char *msg = set_fails(sample, a, 1, "");
        assert_contains(msg, "separator is empty");
        free(msg);
}

/* Strings with quotes, backslashes, control characters and non-ASCII text
 * are written as TOML basic strings that decode to exactly the value. */
static void test_string_escapes(void **state) {
        (void)state;
        const char *raw = "a\"b\\c \xc3\xa9 \xe2\x82\xac\t\n\r\b\f\x01\x1f\x7f '#[]=";
        char *assignment = xasprintf("nvidia-container-cli.root=%s", raw);
        char *ca = xasprintf("nvidia-container-cli.environment=%s,x\"y", raw);
        const char *const a[] = { assignment, ca };
        char *out = set(sample, a, 2);
        assert_contains(out, "  root = \"a\\\"b\\\\c \xc3\xa9 \xe2\x82\xac\\t\\n\\r\\b\\f\\u0001"
                             "\\u001F\\u007F '#[]=\"\n");
        nvct_config c = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(
                nvct_config_parse(out, strlen(out), "out", NVCT_CONFIG_PROFILE_TOOLKIT, &c, &err),
                0);
        assert_string_equal(c.cli.root, raw);
        assert_int_equal(c.cli.environment_list.n, 2);
        assert_string_equal(c.cli.environment_list.v[0], raw);
        assert_string_equal(c.cli.environment_list.v[1], "x\"y");
        nvct_config_clear(&c);
        char *again = set(out, a, 2);
        assert_string_equal(again, out);
        free(again);
        free(out);
        free(ca);
        free(assignment);
}

/* A value equal to the one written, however spelled, changes nothing; the
 * last of several assignments to one key wins. */
static void test_equal_and_last_wins(void **state) {
        (void)state;
        const char *const a[] = { "nvidia-container-runtime.log-level=info" };
        char *out = set(sample, a, 1);
        assert_string_equal(out, sample);
        free(out);
        const char *const b[] = { "nvidia-container-runtime.log-level=debug",
                                  "nvidia-container-runtime.log-level=error" };
        out = set(sample, b, 2);
        assert_contains(out, "\nlog-level = \"error\"\n");
        assert_null(strstr(out, "debug"));
        free(out);
        /* No assignments: the text as it was. */
        out = set(sample, NULL, 0);
        assert_string_equal(out, sample);
        free(out);
}

/* The default text with keys set decodes to the defaults plus the change. */
static void test_over_default(void **state) {
        (void)state;
        char *def = NULL;
        size_t def_len = 0;
        nvct_error *err = NULL;
        assert_int_equal(nvct_config_write_default(&def, &def_len, &err), 0);
        const char *const a[] = { "nvidia-container-cli.no-cgroups",
                                  "nvidia-container-runtime.modes.cdi.spec-dirs=/a,/b",
                                  "nvidia-container-cli.ldconfig=@/sbin/ldconfig.real" };
        char *out = set(def, a, ARRAY_SIZE(a));
        /* Every line of the default text is still there, in order. */
        const char *p = out;
        for (char *line = strtok(def, "\n"); line != NULL; line = strtok(NULL, "\n")) {
                if (strstr(line, "no-cgroups = ") == line || strstr(line, "spec-dirs = ") == line)
                        continue;
                const char *at = strstr(p, line);
                if (at == NULL) {
                        print_error("line lost: %s\n", line);
                        fail();
                }
                p = at + strlen(line);
        }
        nvct_config c = { 0 };
        assert_int_equal(
                nvct_config_parse(out, strlen(out), "out", NVCT_CONFIG_PROFILE_TOOLKIT, &c, &err),
                0);
        assert_true(c.cli.no_cgroups);
        assert_false(c.cli.no_pivot);
        assert_true(c.cli.load_kmods);
        assert_int_equal(c.runtime.cdi.spec_dirs.n, 2);
        assert_string_equal(c.runtime.cdi.spec_dirs.v[0], "/a");
        assert_string_equal(c.runtime.cdi.spec_dirs.v[1], "/b");
        assert_string_equal(c.cli.ldconfig, "@/sbin/ldconfig.real");
        assert_string_equal(c.runtime.mode, "auto");
        nvct_config_clear(&c);
        free(out);
        free(def);
}

static void test_errors(void **state) {
        (void)state;
        const struct {
                const char *assignment, *want;
        } cases[] = {
                { "undefined=new-value", "invalid --set option \"undefined=new-value\": unknown "
                                         "config key \"undefined\"" },
                { "nvidia-container-cli.undefined", "unknown config key "
                                                    "\"nvidia-container-cli.undefined\"" },
                { "nvidia-container-cli=x", "unknown config key \"nvidia-container-cli\"" },
                { "", "unknown config key \"\"" },
                { ".disable-require", "unknown config key" },
                { "Disable-Require", "unknown config key \"Disable-Require\"" },
                { "disable-require=something",
                  "invalid --set option \"disable-require=something\": \"something\" is not a "
                  "boolean" },
                { "disable-require=", "\"\" is not a boolean" },
                { "disable-require=yes", "\"yes\" is not a boolean" },
                { "swarm-resource", "invalid --set option \"swarm-resource\": expected key=value" },
                { "nvidia-container-runtime.runtimes", "expected key=value" },
                { "swarm-resource=\xff\xfe", "not UTF-8" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const char *const a[] = { "disable-require", cases[i].assignment };
                char *msg = set_fails(sample, a, 2, NULL);
                assert_contains(msg, cases[i].want);
                free(msg);
        }
        /* The document's own errors: line and column; a path through a
         * value that is not a table. */
        const char *const ok[] = { "disable-require" };
        char *msg = set_fails("a = 1\nb = [\n", ok, 1, NULL);
        assert_contains(msg, "\"c.toml\":3:1");
        free(msg);
        const char *const root[] = { "nvidia-container-cli.root=/x" };
        msg = set_fails("nvidia-container-cli = 1\n", root, 1, NULL);
        assert_contains(msg, "invalid --set option \"nvidia-container-cli.root=/x\"");
        free(msg);
        /* Bounded. */
        const char *many[NVCT_CONFIG_SET_MAX + 1];
        for (size_t i = 0; i < ARRAY_SIZE(many); i++)
                many[i] = "disable-require";
        msg = set_fails(sample, many, ARRAY_SIZE(many), NULL);
        assert_contains(msg, "at most");
        free(msg);
        char *out = set(sample, many, NVCT_CONFIG_SET_MAX);
        free(out);
}

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        if (f == NULL)
                return NULL;
        char *s = NULL;
        size_t n = 0;
        ssize_t r = getdelim(&s, &n, '\0', f);
        fclose(f);
        if (r < 0) {
                free(s);
                return strdup("");
        }
        return s;
}

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

/* Runs a shell command; its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *cmd = NULL;
        assert_true(vasprintf(&cmd, fmt, ap) >= 0);
        va_end(ap);
        int st = system(cmd);
        free(cmd);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

static void test_command(void **state) {
        (void)state;
        char *dir = make_tmpdir_named("config-set");
        char *file = xasprintf("%s/config.toml", dir);
        char *out = xasprintf("%s/out.toml", dir);
        char *errf = xasprintf("%s/err", dir);
        write_text(file, sample);
        assert_int_equal(chmod(file, 0600), 0);

        /* stdout: the edit; the file untouched. */
        assert_int_equal(sh("%s config --config-file %s --set nvidia-container-cli.no-cgroups "
                            "--set nvidia-container-runtime.modes.cdi.spec-dirs=/a,/b > %s",
                            NVIDIA_CTK, file, out),
                         0);
        char *got = read_file(out);
        assert_contains(got, "  no-cgroups = true # why\n");
        assert_contains(got,
                        "[nvidia-container-runtime.modes.cdi]\nspec-dirs = [\"/a\", \"/b\"]\n");
        assert_contains(got, "# trailing comment\n");
        free(got);
        got = read_file(file);
        assert_string_equal(got, sample);
        free(got);

        /* --in-place: the same bytes, the mode kept; a second run writes
         * nothing (same inode: no rename). */
        assert_int_equal(sh("%s config -c %s -i --set nvidia-container-cli.no-cgroups --set "
                            "nvidia-container-runtime.modes.cdi.spec-dirs=/a,/b 2> %s",
                            NVIDIA_CTK, file, errf),
                         0);
        char *expected = read_file(out);
        got = read_file(file);
        assert_string_equal(got, expected);
        free(got);
        struct stat st1, st2;
        assert_int_equal(stat(file, &st1), 0);
        assert_int_equal(st1.st_mode & 07777, 0600);
        assert_int_equal(
                sh("%s config --config %s --in-place --set nvidia-container-cli.no-cgroups "
                   "--set nvidia-container-runtime.modes.cdi.spec-dirs=/a,/b 2> %s",
                   NVIDIA_CTK, file, errf),
                0);
        assert_int_equal(stat(file, &st2), 0);
        assert_int_equal(st1.st_ino, st2.st_ino);
        got = read_file(errf);
        assert_contains(got, "unchanged");
        free(got);

        /* Errors: nothing written, the message names what is wrong. */
        assert_int_equal(
                sh("%s config -c %s -i --set disable-require=maybe 2> %s", NVIDIA_CTK, file, errf),
                1);
        got = read_file(errf);
        assert_contains(got, "nvidia-ctk: invalid --set option \"disable-require=maybe\"");
        free(got);
        assert_int_equal(sh("%s config -c %s -i -o %s --set disable-require 2>/dev/null",
                            NVIDIA_CTK, file, out),
                         2);
        got = read_file(file);
        assert_string_equal(got, expected);
        free(got);
        char *bad = xasprintf("%s/bad.toml", dir);
        write_text(bad, "# x\n[a\n");
        assert_int_equal(
                sh("%s config -c %s -i --set disable-require 2> %s", NVIDIA_CTK, bad, errf), 1);
        got = read_file(errf);
        assert_contains(got, "bad.toml\":2:");
        free(got);
        got = read_file(bad);
        assert_string_equal(got, "# x\n[a\n");
        free(got);

        /* A missing file: the default config with the change, into --output
         * (its folder made, as NVIDIA's MkdirAll). */
        char *deep = xasprintf("%s/new/dir/out.toml", dir);
        assert_int_equal(sh("%s --quiet config -c %s/missing.toml --set disable-require -o %s",
                            NVIDIA_CTK, dir, deep),
                         0);
        got = read_file(deep);
        assert_non_null(got);
        assert_contains(got, "\ndisable-require = true\n");
        assert_contains(got, "[nvidia-container-runtime.modes.cdi]\n");
        free(got);
        /* The default path: $NVIDIA_CTK_CONFIG_FILE_PATH. */
        assert_int_equal(sh("NVIDIA_CTK_CONFIG_FILE_PATH=%s %s config --set disable-require > %s",
                            file, NVIDIA_CTK, out),
                         0);
        got = read_file(out);
        assert_contains(got, "disable-require = true   # keep this\n");
        free(got);
        /* The subcommands still run under the config command. */
        assert_int_equal(sh("%s config default > %s", NVIDIA_CTK, out), 0);
        got = read_file(out);
        assert_contains(got, "[nvidia-container-cli]");
        free(got);

        remove_tree(dir);
        free(deep);
        free(bad);
        free(expected);
        free(errf);
        free(out);
        free(file);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_comments_kept),  cmocka_unit_test(test_new_keys_and_tables),
                cmocka_unit_test(test_typing),         cmocka_unit_test(test_list_separator),
                cmocka_unit_test(test_string_escapes), cmocka_unit_test(test_equal_and_last_wins),
                cmocka_unit_test(test_over_default),   cmocka_unit_test(test_errors),
                cmocka_unit_test(test_command),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

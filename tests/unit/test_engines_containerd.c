/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for engines/containerd: the golden cases in
 * data/engines/containerd/ (config versions 1, 2 and 3, containerd 1.6's
 * `config default` output, drop-ins with and without imports, a missing or
 * empty file, set as default, CDI, invalid files), each run twice: the
 * second run must give the same bytes. Every output is also decoded: the
 * runtime must be there with its BinaryName (and SystemdCgroup = true where
 * the case says the input had it), which is how version 3, which no daemon
 * here reads, is judged.
 *
 * A case is a folder: in.toml (config.toml; absent: no file), drop-in.toml
 * (an existing drop-in), source.toml (what --config-source=command read:
 * `containerd config dump`'s output), opts (words: "dropin", "default", "cdi",
 * "systemd", "name=N", "path=P"), and either out.toml (and, with dropin,
 * out-drop-in.toml) or error (the message after the file's name). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"
#include "toml_lookup.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/file.h"
#include "engines/command.h"
#include "engines/containerd.h"
#include "engines/tomltext.h"
#include "formats/toml.h"

#define CASES TEST_SRCDIR "/data/engines/containerd"
#define DROP_IN "/etc/containerd/conf.d/99-nvidia.toml"

typedef struct copts {
        nvct_containerd_options o;
        bool drop_in, systemd;
} copts;

static void parse_opts(char *text, copts *opts) {
        *opts = (copts){ .o = { .runtime_name = "nvidia",
                                .runtime_path = "/usr/bin/nvidia-container-runtime" } };
        for (char *save = NULL, *w = strtok_r(text, " \n", &save); w != NULL;
             w = strtok_r(NULL, " \n", &save)) {
                if (strcmp(w, "default") == 0)
                        opts->o.set_as_default = true;
                else if (strcmp(w, "cdi") == 0)
                        opts->o.enable_cdi = true;
                else if (strcmp(w, "dropin") == 0)
                        opts->drop_in = true;
                else if (strcmp(w, "systemd") == 0)
                        opts->systemd = true;
                else if (strncmp(w, "name=", 5) == 0)
                        opts->o.runtime_name = w + 5;
                else if (strncmp(w, "path=", 5) == 0)
                        opts->o.runtime_path = w + 5;
                else
                        fail_msg("unknown option word \"%s\"", w);
        }
}

/* What containerd would read: the decoded drop-in (or main file) holds
 * the runtime, its BinaryName and type, the default and CDI as asked. */
static void check_decoded(const char *name, const char *text, size_t len, const copts *opts) {
        _cleanup_toml_ nvct_toml_value *root = NULL;
        nvct_error *err = NULL;
        if (nvct_toml_parse(text, len, "out", &root, &err) < 0)
                fail_msg("case %s: the output does not decode: %s", name, err->msg);
        const nvct_toml_value *version = nvct_toml_table_get(root, "version");
        assert_non_null(version);
        int64_t ver = nvct_toml_integer(version);
        const char *plugin = ver == 1   ? "cri"
                             : ver == 2 ? "io.containerd.grpc.v1.cri"
                                        : "io.containerd.cri.v1.runtime";
        const char *rt[] = { "plugins", plugin,      "containerd", "runtimes", opts->o.runtime_name,
                             "options", "BinaryName" };
        const char *bin = toml_string_at(root, rt, 7);
        if (bin == NULL || strcmp(bin, opts->o.runtime_path) != 0)
                fail_msg("case %s: BinaryName %s", name, bin ? bin : "(absent)");
        rt[5] = "runtime_type";
        assert_string_equal(toml_string_at(root, rt, 6), "io.containerd.runc.v2");
        rt[5] = "options";
        rt[6] = "SystemdCgroup";
        const nvct_toml_value *sc = toml_lookup(root, rt, 7);
        if (opts->systemd && (sc == NULL || !nvct_toml_bool(sc)))
                fail_msg("case %s: SystemdCgroup did not carry over", name);
        /* containerd 1.x drops its built-in runc when a file names runtimes:
         * every file but a version 3 drop-in (merged into the main file's
         * runtimes) keeps another runtime next to nvct's. */
        const nvct_toml_value *rts = toml_lookup(root, rt, 4);
        if ((!opts->drop_in || ver < 3) && nvct_toml_table_size(rts) < 2)
                fail_msg("case %s: the runtime is the file's only one", name);
        const char *def[] = { "plugins", plugin, "containerd", "default_runtime_name" };
        if (opts->o.set_as_default)
                assert_string_equal(toml_string_at(root, def, 4), opts->o.runtime_name);
        const char *cdi[] = { "plugins", plugin, "enable_cdi" };
        const nvct_toml_value *c = toml_lookup(root, cdi, 3);
        if (opts->o.enable_cdi)
                assert_true(c != NULL && nvct_toml_bool(c));
}

static int configure(const copts *opts, const char *in, size_t in_len, const char *drop,
                     size_t drop_len, char **main_out, size_t *main_len, char **drop_out,
                     size_t *drop_out_len, nvct_error **err) {
        if (opts->drop_in)
                return nvct_containerd_configure_drop_in(in, in_len, "config.toml", drop, drop_len,
                                                         DROP_IN, &opts->o, main_out, main_len,
                                                         drop_out, drop_out_len, err);
        return nvct_containerd_configure(in, in_len, "config.toml", &opts->o, main_out, main_len,
                                         err);
}

static void expect_equal(const char *name, const char *what, const char *got, size_t got_len,
                         const char *want, size_t want_len) {
        if (want == NULL)
                fail_msg("case %s: no %s; got\n%s", name, what, got);
        if (got_len != want_len || memcmp(got, want, got_len) != 0)
                fail_msg("case %s: %s: got\n%s\nexpected\n%s", name, what, got, want);
}

static void run_case(const char *name) {
        _cleanup_free_ char *dir = xasprintf("%s/%s", CASES, name);
        _cleanup_free_ char *p_opts = xasprintf("%s/opts", dir),
                            *p_in = xasprintf("%s/in.toml", dir);
        _cleanup_free_ char *p_drop = xasprintf("%s/drop-in.toml", dir);
        _cleanup_free_ char *p_out = xasprintf("%s/out.toml", dir);
        _cleanup_free_ char *p_out_drop = xasprintf("%s/out-drop-in.toml", dir);
        _cleanup_free_ char *p_error = xasprintf("%s/error", dir);
        _cleanup_free_ char *p_source = xasprintf("%s/source.toml", dir);
        _cleanup_free_ char *opts_text = slurp_file(p_opts, NULL);
        assert_non_null(opts_text);
        copts opts;
        parse_opts(opts_text, &opts);
        _cleanup_free_ char *source = slurp_file(p_source, &opts.o.source_len);
        opts.o.source_data = source;
        size_t in_len = 0, drop_len = 0, want_len = 0, want_drop_len = 0;
        _cleanup_free_ char *in = slurp_file(p_in, &in_len), *drop = slurp_file(p_drop, &drop_len);
        _cleanup_free_ char *want = slurp_file(p_out, &want_len);
        _cleanup_free_ char *want_drop = slurp_file(p_out_drop, &want_drop_len);
        _cleanup_free_ char *want_error = slurp_file(p_error, NULL);
        _cleanup_free_ char *got = NULL, *got_drop = NULL;
        size_t got_len = 0, got_drop_len = 0;
        nvct_error *err = NULL;
        int r = configure(&opts, in, in_len, drop, drop_len, &got, &got_len, &got_drop,
                          &got_drop_len, &err);
        if (want_error != NULL) {
                want_error[strcspn(want_error, "\n")] = '\0';
                if (r == 0)
                        fail_msg("case %s: succeeded, expected \"%s\"", name, want_error);
                assert_string_equal(err->msg, want_error);
                assert_null(got);
                assert_null(got_drop);
                nvct_error_free(&err);
                return;
        }
        if (r < 0)
                fail_msg("case %s: %s", name, err->msg);
        expect_equal(name, "out.toml", got, got_len, want, want_len);
        if (opts.drop_in)
                expect_equal(name, "out-drop-in.toml", got_drop, got_drop_len, want_drop,
                             want_drop_len);
        check_decoded(name, opts.drop_in ? got_drop : got, opts.drop_in ? got_drop_len : got_len,
                      &opts);
        /* Idempotent: the outputs configured again are the outputs. */
        _cleanup_free_ char *again = NULL, *again_drop = NULL;
        size_t again_len = 0, again_drop_len = 0;
        assert_int_equal(configure(&opts, got, got_len, got_drop, got_drop_len, &again, &again_len,
                                   &again_drop, &again_drop_len, &err),
                         0);
        expect_equal(name, "a second run's out.toml", again, again_len, got, got_len);
        if (opts.drop_in)
                expect_equal(name, "a second run's drop-in", again_drop, again_drop_len, got_drop,
                             got_drop_len);
}

static void test_golden(void **state) {
        (void)state;
        /* The cases are there: an empty folder must not pass. */
        assert_true(run_golden_cases(CASES, run_case) >= 15);
}

static void test_version(void **state) {
        (void)state;
        int v = 0;
        nvct_error *err = NULL;
        assert_int_equal(nvct_containerd_version(NULL, 0, "c", &v, &err), 0);
        assert_int_equal(v, 2);
        assert_int_equal(nvct_containerd_version("# only a comment\n", 17, "c", &v, &err), 0);
        assert_int_equal(v, 2);
        assert_int_equal(nvct_containerd_version("root = \"/x\"\n", 12, "c", &v, &err), 0);
        assert_int_equal(v, 1);
        assert_int_equal(nvct_containerd_version("version = 3\n", 12, "c", &v, &err), 0);
        assert_int_equal(v, 3);
        v = 7;
        assert_int_equal(nvct_containerd_version("version = \"2\"\n", 14, "c", &v, &err), -1);
        assert_string_equal(err->msg, "\"c\": version is a string, not an integer");
        assert_int_equal(v, 7);
        nvct_error_free(&err);
}

/* Values written back as TOML read as the same values. */
static void test_value_text(void **state) {
        (void)state;
        static const char in[] = "a = [\"q\\\"\\\\\\u0001\\n\", 'lit', -3, 1.5, 1e300, inf, -inf, "
                                 "true, 1979-05-27T07:32:00Z, 07:32:00, 1979-05-27, 3.0]\n"
                                 "t = { \"k.1\" = 1, e = {}, n = [[1], []] }\n"
                                 "u = \"\xc3\xa9\"\n";
        _cleanup_toml_ nvct_toml_value *root = NULL, *back = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_toml_parse(in, sizeof(in) - 1, NULL, &root, &err), 0);
        _cleanup_free_ char *text = NULL, *doc = NULL;
        assert_int_equal(nvct_toml_value_text(root, &text, &err), 0);
        assert_string_equal(
                text, "{ a = [\"q\\\"\\\\\\u0001\\n\", \"lit\", -3, 1.5, 1.0000000000000001e+300, "
                      "inf, -inf, true, 1979-05-27T07:32:00Z, 07:32:00, 1979-05-27, "
                      "3.0], t = { \"k.1\" = 1, e = {}, n = [[1], []] }, u = \"\xc3\xa9\" }");
        doc = xasprintf("x = %s\n", text);
        assert_int_equal(nvct_toml_parse(doc, strlen(doc), NULL, &back, &err), 0);
        const nvct_toml_value *x = nvct_toml_table_get(back, "x");
        const nvct_toml_value *t = nvct_toml_table_get(x, "t");
        assert_int_equal(nvct_toml_integer(nvct_toml_table_get(t, "k.1")), 1);
        const nvct_toml_value *a = nvct_toml_table_get(x, "a");
        assert_int_equal(nvct_toml_array_size(a), 12);
        assert_string_equal(nvct_toml_string(nvct_toml_array_get(a, 0), NULL), "q\"\\\001\n");
        assert_true(nvct_toml_float(nvct_toml_array_get(a, 4)) == 1e300);
}

static void test_command_output(void **state) {
        (void)state;
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        nvct_error *err = NULL;
        const char *ok[] = { "sh", "-c", "printf 'version = 3\\n'; echo noise >&2", NULL };
        assert_int_equal(nvct_engine_command_output(ok, 100, &out, &len, &err), 0);
        assert_string_equal(out, "version = 3\n");
        assert_int_equal(len, 12);
        const char *big[] = { "sh", "-c", "head -c 10000 /dev/zero", NULL };
        char *untouched = (char *)"x";
        char *ret = untouched;
        assert_int_equal(nvct_engine_command_output(big, 9999, &ret, &len, &err), -1);
        assert_string_equal(err->msg, "\"sh\" wrote more than 9999 bytes");
        assert_ptr_equal(ret, untouched);
        nvct_error_free(&err);
        const char *fails[] = { "sh", "-c", "exit 3", NULL };
        assert_int_equal(nvct_engine_command_output(fails, 100, &ret, &len, &err), -1);
        assert_string_equal(err->msg, "\"sh\" exited with status 3");
        nvct_error_free(&err);
        /* A command that hangs is killed at the deadline (and reaped). */
        nvct_engine_command_set_timeout(200);
        const char *hangs[] = { "sh", "-c", "echo partial; exec sleep 60", NULL };
        assert_int_equal(nvct_engine_command_output(hangs, 100, &ret, &len, &err), -1);
        assert_string_equal(err->msg, "\"sh\" did not finish within 0.2 s: killed");
        assert_ptr_equal(ret, untouched);
        nvct_error_free(&err);
        nvct_engine_command_set_timeout(0);
        const char *missing[] = { "nvct-no-such-command", "config", NULL };
        assert_int_equal(nvct_engine_command_output(missing, 100, &ret, &len, &err), -1);
        assert_string_equal(err->msg,
                            "cannot run \"nvct-no-such-command\": No such file or directory");
        nvct_error_free(&err);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_version),
                cmocka_unit_test(test_value_text),
                cmocka_unit_test(test_command_output),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

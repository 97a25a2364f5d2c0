/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for engines/crio: the golden cases in data/engines/crio/,
 * each run twice (the second run must give the same bytes), and every
 * drop-in decoded: CRI-O runs nowhere here, so decoding is the judge.
 *
 * A case is a folder: crio.conf (absent: no file), drop-in.toml (an
 * existing drop-in; absent: none), source.toml (what --config-source=command
 * read: `crio status config`'s output, which replaces crio.conf), opts (words: "default", "name=N",
 * "path=P", "from=RUNTIME": the runtime whose keys the drop-in must have
 * copied, "key=K": one such key to check), and either out.toml (the
 * drop-in) or error. */
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
#include "engines/crio.h"
#include "formats/toml.h"

#define CASES TEST_SRCDIR "/data/engines/crio"
#define DROP_IN "/etc/crio/crio.conf.d/99-nvidia.toml"

typedef struct case_opts {
        nvct_crio_options o;
        const char *from, *key;
} case_opts;

static void parse_opts(char *text, case_opts *opts) {
        *opts = (case_opts){ .o = { .runtime_name = "nvidia",
                                    .runtime_path = "/usr/bin/nvidia-container-runtime" } };
        for (char *save = NULL, *w = strtok_r(text, " \n", &save); w != NULL;
             w = strtok_r(NULL, " \n", &save)) {
                if (strcmp(w, "default") == 0)
                        opts->o.set_as_default = true;
                else if (strncmp(w, "name=", 5) == 0)
                        opts->o.runtime_name = w + 5;
                else if (strncmp(w, "path=", 5) == 0)
                        opts->o.runtime_path = w + 5;
                else if (strncmp(w, "from=", 5) == 0)
                        opts->from = w + 5;
                else if (strncmp(w, "key=", 4) == 0)
                        opts->key = w + 4;
                else
                        fail_msg("unknown option word \"%s\"", w);
        }
}

/* What CRI-O would read from the drop-in: the runtime with its path and
 * type, the default when asked, and the key copied from crio.conf. */
static void check_decoded(const char *name, const char *text, size_t len, const char *conf,
                          size_t conf_len, const case_opts *opts) {
        _cleanup_toml_ nvct_toml_value *root = NULL, *croot = NULL;
        nvct_error *err = NULL;
        if (nvct_toml_parse(text, len, "out", &root, &err) < 0)
                fail_msg("case %s: the drop-in does not decode: %s", name, err->msg);
        const char *rt[] = { "crio", "runtime", "runtimes", opts->o.runtime_name, "runtime_path" };
        const char *got = toml_string_at(root, rt, 5);
        if (got == NULL || strcmp(got, opts->o.runtime_path) != 0)
                fail_msg("case %s: runtime_path %s", name, got ? got : "(absent)");
        rt[4] = "runtime_type";
        assert_string_equal(toml_string_at(root, rt, 5), "oci");
        const char *def[] = { "crio", "runtime", "default_runtime" };
        if (opts->o.set_as_default)
                assert_string_equal(toml_string_at(root, def, 3), opts->o.runtime_name);
        else
                assert_null(toml_lookup(root, def, 3));
        if (opts->key == NULL)
                return;
        assert_int_equal(nvct_toml_parse(conf, conf_len, "conf", &croot, &err), 0);
        const char *src[] = { "crio", "runtime", "runtimes", opts->from, opts->key };
        rt[4] = opts->key;
        const nvct_toml_value *want = toml_lookup(croot, src, 5), *have = toml_lookup(root, rt, 5);
        assert_non_null(want);
        if (have == NULL || nvct_toml_type_of(have) != nvct_toml_type_of(want))
                fail_msg("case %s: %s was not copied from %s", name, opts->key, opts->from);
        if (nvct_toml_type_of(want) == NVCT_TOML_STRING)
                assert_string_equal(nvct_toml_string(have, NULL), nvct_toml_string(want, NULL));
        if (nvct_toml_type_of(want) == NVCT_TOML_ARRAY)
                assert_int_equal(nvct_toml_array_size(have), nvct_toml_array_size(want));
}

static void run_case(const char *name) {
        _cleanup_free_ char *dir = xasprintf("%s/%s", CASES, name);
        _cleanup_free_ char *p_opts = xasprintf("%s/opts", dir);
        _cleanup_free_ char *p_conf = xasprintf("%s/crio.conf", dir);
        _cleanup_free_ char *p_drop = xasprintf("%s/drop-in.toml", dir);
        _cleanup_free_ char *p_out = xasprintf("%s/out.toml", dir);
        _cleanup_free_ char *p_error = xasprintf("%s/error", dir);
        _cleanup_free_ char *opts_text = slurp_file(p_opts, NULL);
        assert_non_null(opts_text);
        case_opts opts;
        parse_opts(opts_text, &opts);
        _cleanup_free_ char *p_source = xasprintf("%s/source.toml", dir);
        _cleanup_free_ char *source = slurp_file(p_source, &opts.o.source_len);
        opts.o.source_data = source;
        size_t conf_len = 0, drop_len = 0, want_len = 0, got_len = 0;
        _cleanup_free_ char *conf = slurp_file(p_conf, &conf_len),
                            *drop = slurp_file(p_drop, &drop_len);
        _cleanup_free_ char *want = slurp_file(p_out, &want_len),
                            *want_error = slurp_file(p_error, NULL);
        assert_true((want == NULL) != (want_error == NULL));
        _cleanup_free_ char *got = NULL;
        nvct_error *err = NULL;
        int r = nvct_crio_configure(conf, conf_len, "crio.conf", drop, drop_len, DROP_IN, &opts.o,
                                    &got, &got_len, &err);
        if (want_error != NULL) {
                want_error[strcspn(want_error, "\n")] = '\0';
                if (r == 0)
                        fail_msg("case %s: succeeded, expected \"%s\"", name, want_error);
                assert_string_equal(err->msg, want_error);
                assert_null(got);
                nvct_error_free(&err);
                return;
        }
        if (r < 0)
                fail_msg("case %s: %s", name, err->msg);
        if (got_len != want_len || memcmp(got, want, got_len) != 0)
                fail_msg("case %s: got\n%s\nexpected\n%s", name, got, want);
        check_decoded(name, got, got_len, source ? source : conf,
                      source ? opts.o.source_len : conf_len, &opts);
        _cleanup_free_ char *again = NULL;
        size_t again_len = 0;
        assert_int_equal(nvct_crio_configure(conf, conf_len, "crio.conf", got, got_len, DROP_IN,
                                             &opts.o, &again, &again_len, &err),
                         0);
        assert_int_equal(again_len, got_len);
        assert_memory_equal(again, got, got_len);
}

static void test_golden(void **state) {
        (void)state;
        /* The cases are there: an empty folder must not pass. */
        assert_true(run_golden_cases(CASES, run_case) >= 6);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for policy/mode: config.toml's nvidia-container-runtime.mode,
 * the mode a program name forces (.cdi, .legacy), and auto's choice, with
 * NVML asked only when the answer matters. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "basic/error.h"
#include "policy/mode.h"
#include "testutil.h"

static void parse_ok(const char *text, nvct_runtime_mode want) {
        nvct_runtime_mode mode = (nvct_runtime_mode)-1;
        nvct_error *err = NULL;
        if (nvct_mode_parse(text, &mode, &err) < 0)
                fail_msg("%s: %s", text ? text : "(null)", err->msg);
        assert_null(err);
        assert_int_equal(mode, want);
}

/* The exact message, and *ret_mode untouched. */
static void parse_fails(const char *text, const char *want) {
        nvct_runtime_mode mode = NVCT_MODE_JIT_CDI;
        nvct_error *err = NULL;
        assert_int_equal(nvct_mode_parse(text, &mode, &err), -1);
        assert_non_null(err);
        assert_string_equal(err->msg, want);
        assert_null(strchr(err->msg, '\n'));
        assert_int_equal(mode, NVCT_MODE_JIT_CDI);
        nvct_error_free(&err);
}

static void test_parse(void **state) {
        (void)state;
        parse_ok(NULL, NVCT_MODE_AUTO);
        parse_ok("", NVCT_MODE_AUTO);
        parse_ok("auto", NVCT_MODE_AUTO);
        parse_ok("legacy", NVCT_MODE_LEGACY);
        parse_ok("cdi", NVCT_MODE_CDI);
        parse_ok("jit-cdi", NVCT_MODE_JIT_CDI);
        /* A NULL err is allowed. */
        nvct_runtime_mode mode = NVCT_MODE_AUTO;
        assert_int_equal(nvct_mode_parse("bogus", &mode, NULL), -1);
        assert_int_equal(mode, NVCT_MODE_AUTO);
}

static void test_parse_errors(void **state) {
        (void)state;
        parse_fails("csv", "nvidia-container-runtime.mode \"csv\" (Tegra) is not supported by "
                           "nvct: use auto, legacy, cdi or jit-cdi");
        /* Case matters, and no space is trimmed. */
        parse_fails("CDI", "unknown nvidia-container-runtime.mode \"CDI\": use auto, legacy, cdi "
                           "or jit-cdi");
        parse_fails(" cdi", "unknown nvidia-container-runtime.mode \" cdi\": use auto, legacy, "
                            "cdi or jit-cdi");
        parse_fails("jit_cdi", "unknown nvidia-container-runtime.mode \"jit_cdi\": use auto, "
                               "legacy, cdi or jit-cdi");
        /* The value is quoted: a newline or an escape stays on one line. */
        parse_fails("cdi\n\x1b[31m", "unknown nvidia-container-runtime.mode \"cdi\\n\\x1b[31m\": "
                                     "use auto, legacy, cdi or jit-cdi");
        /* A long value is cut. */
        char long_value[300];
        memset(long_value, 'x', sizeof(long_value) - 1);
        long_value[sizeof(long_value) - 1] = '\0';
        nvct_runtime_mode mode = NVCT_MODE_AUTO;
        nvct_error *err = NULL;
        assert_int_equal(nvct_mode_parse(long_value, &mode, &err), -1);
        assert_true(strlen(err->msg) < 200);
        assert_contains(err->msg, "...");
        nvct_error_free(&err);
}

static void test_name(void **state) {
        (void)state;
        assert_string_equal(nvct_mode_name(NVCT_MODE_AUTO), "auto");
        assert_string_equal(nvct_mode_name(NVCT_MODE_LEGACY), "legacy");
        assert_string_equal(nvct_mode_name(NVCT_MODE_CDI), "cdi");
        assert_string_equal(nvct_mode_name(NVCT_MODE_JIT_CDI), "jit-cdi");
        assert_string_equal(nvct_mode_name((nvct_runtime_mode)4), "?");
        assert_string_equal(nvct_mode_name((nvct_runtime_mode)-1), "?");
        /* Every name parses back to its mode. */
        for (int m = NVCT_MODE_AUTO; m <= NVCT_MODE_JIT_CDI; m++)
                parse_ok(nvct_mode_name((nvct_runtime_mode)m), (nvct_runtime_mode)m);
}

static void test_for_program(void **state) {
        (void)state;
        const nvct_runtime_mode modes[] = { NVCT_MODE_AUTO, NVCT_MODE_LEGACY, NVCT_MODE_CDI,
                                            NVCT_MODE_JIT_CDI };
        for (size_t i = 0; i < 4; i++) {
                nvct_runtime_mode c = modes[i];
                assert_int_equal(nvct_mode_for_program("/usr/bin/nvidia-container-runtime.cdi", c),
                                 NVCT_MODE_CDI);
                assert_int_equal(nvct_mode_for_program("nvidia-container-runtime.cdi", c),
                                 NVCT_MODE_CDI);
                assert_int_equal(
                        nvct_mode_for_program("/usr/bin/nvidia-container-runtime.legacy", c),
                        NVCT_MODE_LEGACY);
                assert_int_equal(nvct_mode_for_program("./nvidia-container-runtime.legacy", c),
                                 NVCT_MODE_LEGACY);
                /* The plain name, NULL, and names that only look alike keep
                 * the configured mode. */
                assert_int_equal(nvct_mode_for_program("/usr/bin/nvidia-container-runtime", c), c);
                assert_int_equal(nvct_mode_for_program("nvidia-container-runtime", c), c);
                assert_int_equal(nvct_mode_for_program(NULL, c), c);
                assert_int_equal(nvct_mode_for_program("", c), c);
                assert_int_equal(nvct_mode_for_program("nvidia-container-runtime.cdix", c), c);
                assert_int_equal(nvct_mode_for_program("nvidia-container-runtime.CDI", c), c);
                assert_int_equal(nvct_mode_for_program("nvidia-container-runtime.jit-cdi", c), c);
                assert_int_equal(nvct_mode_for_program("nvidia-container-runtime-cdi", c), c);
                /* Only the basename counts, not a directory's name. */
                assert_int_equal(nvct_mode_for_program("/opt/x.cdi/nvidia-container-runtime", c),
                                 c);
                assert_int_equal(nvct_mode_for_program("/opt/x.legacy/nvidia-container-runtime", c),
                                 c);
                assert_int_equal(nvct_mode_for_program("/opt/x.legacy/runtime.cdi", c),
                                 NVCT_MODE_CDI);
        }
}

typedef struct probe {
        bool answer;
        int calls;
} probe;

static bool nvml_probe(void *userdata) {
        probe *p = userdata;
        p->calls++;
        return p->answer;
}

static nvct_runtime_mode resolve(nvct_runtime_mode mode, bool all_qualified, probe *p) {
        const nvct_mode_inputs in = { .all_qualified = all_qualified,
                                      .nvml_loads = p ? nvml_probe : NULL,
                                      .userdata = p };
        return nvct_mode_resolve(mode, &in);
}

static void test_resolve_explicit(void **state) {
        (void)state;
        /* A mode that is not auto is kept, and NVML is not asked. */
        const nvct_runtime_mode modes[] = { NVCT_MODE_LEGACY, NVCT_MODE_CDI, NVCT_MODE_JIT_CDI };
        for (size_t i = 0; i < 3; i++) {
                for (int q = 0; q < 2; q++) {
                        probe p = { .answer = true };
                        assert_int_equal(resolve(modes[i], q, &p), modes[i]);
                        p.answer = false;
                        assert_int_equal(resolve(modes[i], q, &p), modes[i]);
                        assert_int_equal(p.calls, 0);
                }
        }
}

static void test_resolve_auto(void **state) {
        (void)state;
        /* Every name qualified: cdi, without loading NVML. */
        probe p = { .answer = true };
        assert_int_equal(resolve(NVCT_MODE_AUTO, true, &p), NVCT_MODE_CDI);
        p.answer = false;
        assert_int_equal(resolve(NVCT_MODE_AUTO, true, &p), NVCT_MODE_CDI);
        assert_int_equal(p.calls, 0);
        /* Otherwise jit-cdi when NVML loads (asked once), else legacy. */
        p = (probe){ .answer = true };
        assert_int_equal(resolve(NVCT_MODE_AUTO, false, &p), NVCT_MODE_JIT_CDI);
        assert_int_equal(p.calls, 1);
        p = (probe){ .answer = false };
        assert_int_equal(resolve(NVCT_MODE_AUTO, false, &p), NVCT_MODE_LEGACY);
        assert_int_equal(p.calls, 1);
        /* No probe (nothing requested): legacy. */
        assert_int_equal(resolve(NVCT_MODE_AUTO, false, NULL), NVCT_MODE_LEGACY);
        assert_int_equal(resolve(NVCT_MODE_AUTO, true, NULL), NVCT_MODE_CDI);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_name),
                cmocka_unit_test(test_for_program),
                cmocka_unit_test(test_resolve_explicit),
                cmocka_unit_test(test_resolve_auto),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

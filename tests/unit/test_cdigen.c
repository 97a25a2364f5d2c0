/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the CDI generator's errors (the specs it makes are checked
 * by tests/cdi against fake GPU hosts): the first error wins and a NULL err
 * is allowed, also when a driver root lookup fails deep inside; paths in
 * messages are quoted. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/error.h"
#include "cdi/cdigen.h"

static int setup(void **state) {
        char *root = strdup("/tmp/nvct-cdigen.XXXXXX");
        assert_non_null(root);
        assert_non_null(mkdtemp(root));
        *state = root;
        return 0;
}

static int teardown(void **state) {
        char *root = *state;
        rmdir(root);
        free(root);
        return 0;
}

static nvct_cdigen_options options(const char *root, const char *const *search) {
        return (nvct_cdigen_options){
                .driver_root = root,
                .vendor = "nvidia.com",
                .class_name = "gpu",
                .hook_path = "/usr/bin/nvidia-cdi-hook",
                .ldconfig_path = "/sbin/ldconfig",
                .library_search_paths = search,
        };
}

/* Looking for NVML in a library directory whose name is longer than
 * NAME_MAX fails inside the driver root lookup: that error used to be
 * assigned to *err outright, replacing (and leaking) an error already there
 * and crashing on a NULL err. */
static void test_first_error_wins(void **state) {
        const char *root = *state;
        char long_dir[400] = "/";
        memset(long_dir + 1, 'a', 300);
        const char *const search[] = { long_dir, NULL };
        nvct_cdigen_options opt = options(root, search);
        nvct_cdi_spec spec = { .kind = (char *)"untouched" };

        nvct_error *err = NULL;
        assert_int_equal(nvct_cdigen_generate(&opt, &spec, NULL, &err), -1);
        assert_non_null(err);
        assert_contains(err->msg, "File name too long");
        nvct_error_free(&err);

        nvct_error_make(&err, 0, "first");
        assert_int_equal(nvct_cdigen_generate(&opt, &spec, NULL, &err), -1);
        assert_string_equal(err->msg, "first");
        nvct_error_free(&err);

        assert_int_equal(nvct_cdigen_generate(&opt, &spec, NULL, NULL), -1);
        assert_string_equal(spec.kind, "untouched");
}

/* No driver in the root: the error names the cache and the root, quoted. */
static void test_no_driver_quoted(void **state) {
        const char *root = *state;
        char odd[128];
        snprintf(odd, sizeof(odd), "%s/odd\n\x1b[31m", root);
        assert_int_equal(mkdir(odd, 0755), 0);
        nvct_cdigen_options opt = options(odd, NULL);
        nvct_cdi_spec spec = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdigen_generate(&opt, &spec, NULL, &err), -1);
        char want[256];
        snprintf(want, sizeof(want),
                 "libnvidia-ml.so.1 is neither in \"%s/odd\\n\\x1b[31m/etc/ld.so.cache\" nor in "
                 "the library directories of driver root \"%s/odd\\n\\x1b[31m\"",
                 root, root);
        assert_contains(err->msg, want);
        assert_null(strchr(err->msg, '\n'));
        assert_null(strchr(err->msg, '\x1b'));
        nvct_error_free(&err);
        rmdir(odd);
}

static void test_options_checked(void **state) {
        const char *root = *state;
        nvct_cdigen_options opt = options(root, (const char *const[]){ "lib", NULL });
        nvct_cdi_spec spec = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdigen_generate(&opt, &spec, NULL, &err), -1);
        assert_contains(err->msg, "--library-search-path must be absolute");
        nvct_error_free(&err);
        opt = options("relative", NULL);
        assert_int_equal(nvct_cdigen_generate(&opt, &spec, NULL, &err), -1);
        assert_contains(err->msg, "--driver-root must be an absolute path, not \"relative\"");
        nvct_error_free(&err);
}

/* --disable-hook / --enable-hook names: NVIDIA's, "all" only where
 * allowed; --mode: nvml (auto), management; anything else a one-line error
 * naming the value. */
static void test_hook_and_mode_names(void **state) {
        (void)state;
        unsigned bits = 0;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdigen_hook_parse("enable-cuda-compat", false, &bits, &err), 0);
        assert_int_equal(bits, NVCT_CDIGEN_HOOK_ENABLE_CUDA_COMPAT);
        assert_int_equal(
                nvct_cdigen_hook_parse("disable-device-node-modification", false, &bits, &err), 0);
        assert_int_equal(bits, NVCT_CDIGEN_HOOK_DISABLE_DEVICE_NODE_MODIFICATION);
        assert_int_equal(nvct_cdigen_hook_parse("chmod", false, &bits, &err), 0);
        assert_int_equal(bits, NVCT_CDIGEN_HOOK_CHMOD);
        assert_int_equal(nvct_cdigen_hook_parse("all", true, &bits, &err), 0);
        assert_int_equal(bits, NVCT_CDIGEN_HOOK_ALL);
        assert_null(err);
        bits = 7;
        assert_int_equal(nvct_cdigen_hook_parse("all", false, &bits, &err), -1);
        assert_contains(err->msg, "unknown hook \"all\"");
        assert_int_equal(bits, 7); /* untouched on failure */
        nvct_error_free(&err);
        assert_int_equal(nvct_cdigen_hook_parse("chmod\n", true, &bits, &err), -1);
        assert_contains(err->msg, "unknown hook \"chmod\\n\"");
        nvct_error_free(&err);

        nvct_cdigen_mode mode = NVCT_CDIGEN_MODE_MANAGEMENT;
        assert_int_equal(nvct_cdigen_mode_parse("auto", &mode, &err), 0);
        assert_int_equal(mode, NVCT_CDIGEN_MODE_NVML);
        assert_int_equal(nvct_cdigen_mode_parse("management", &mode, &err), 0);
        assert_int_equal(mode, NVCT_CDIGEN_MODE_MANAGEMENT);
        assert_int_equal(nvct_cdigen_mode_parse("wsl", &mode, &err), -1);
        assert_contains(err->msg, "unknown discovery mode \"wsl\"");
        assert_int_equal(mode, NVCT_CDIGEN_MODE_MANAGEMENT);
        nvct_error_free(&err);
}

/* Management mode reads no NVML: a root without the driver's libraries
 * fails naming the root, not NVML. */
static void test_management_needs_the_driver(void **state) {
        const char *root = *state;
        nvct_cdigen_options opt = options(root, NULL);
        opt.mode = NVCT_CDIGEN_MODE_MANAGEMENT;
        nvct_cdi_spec spec = { 0 };
        nvct_error *err = NULL;
        assert_int_equal(nvct_cdigen_generate(&opt, &spec, NULL, &err), -1);
        assert_contains(err->msg, "management mode: driver root");
        assert_contains(err->msg, "has no libcuda.so.1 or libnvidia-ml.so.1");
        nvct_error_free(&err);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_first_error_wins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_driver_quoted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_options_checked, setup, teardown),
                cmocka_unit_test(test_hook_and_mode_names),
                cmocka_unit_test_setup_teardown(test_management_needs_the_driver, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

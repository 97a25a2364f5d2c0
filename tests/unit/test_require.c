/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for policy/require.c: libnvidia-container's requirement grammar
 * (NVIDIA_REQUIRE_*), its evaluation per GPU, its errors and brand names. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "policy/require.h"
#include "testutil.h"

static const nvct_require_host host_12_4 = { .cuda = "12.4", .driver = "550.54.15" };

static const nvct_require_gpu two_gpus[] = {
        { .arch = "9.0", .brand = "tesla" },
        { .arch = "8.6", .brand = "geforce" },
};
static const nvct_require_host host_two = {
        .cuda = "12.4", .driver = "550.54.15", .gpus = two_gpus, .n_gpus = 2
};

static int run(const char *expr, const nvct_require_host *h, char **ret_msg) {
        nvct_error *err = NULL;
        int r = nvct_require_check(expr, strlen(expr), "NVIDIA_REQUIRE_CUDA", h, &err);
        if (r == 0) {
                assert_null(err);
                *ret_msg = NULL;
        } else {
                assert_int_equal(r, -1);
                assert_non_null(err);
                assert_null(strchr(err->msg, '\n'));
                *ret_msg = strdup(err->msg);
                nvct_error_free(&err);
        }
        return r;
}

static void met(const char *expr, const nvct_require_host *h) {
        _cleanup_free_ char *msg = NULL;
        if (run(expr, h, &msg) != 0) {
                print_error("\"%s\" should be met: %s\n", expr, msg);
                fail();
        }
}

/* Unmet: the message says so, names the origin and holds `want`. */
static void unmet(const char *expr, const nvct_require_host *h, const char *want) {
        _cleanup_free_ char *msg = NULL;
        if (run(expr, h, &msg) == 0) {
                print_error("\"%s\" should be unmet\n", expr);
                fail();
        }
        assert_contains(msg, "unsatisfied requirement \"");
        assert_contains(msg, "(NVIDIA_REQUIRE_CUDA)");
        assert_contains(msg, want);
}

static void invalid(const char *expr, const nvct_require_host *h, const char *want) {
        _cleanup_free_ char *msg = NULL;
        if (run(expr, h, &msg) == 0) {
                print_error("\"%s\" should be invalid\n", expr);
                fail();
        }
        assert_contains(msg, "invalid requirement \"");
        assert_contains(msg, "(NVIDIA_REQUIRE_CUDA)");
        assert_contains(msg, want);
        /* And the parse-only entry agrees. */
        nvct_error *err = NULL;
        assert_int_equal(nvct_require_validate(expr, strlen(expr), "NVIDIA_REQUIRE_CUDA", &err),
                         -1);
        assert_non_null(err);
        assert_string_equal(err->msg, msg);
        nvct_error_free(&err);
}

static void test_message_format(void **state) {
        (void)state;
        _cleanup_free_ char *msg = NULL;
        assert_int_equal(run("cuda>=12.6", &host_12_4, &msg), -1);
        assert_string_equal(msg, "unsatisfied requirement \"cuda>=12.6\" (NVIDIA_REQUIRE_CUDA): "
                                 "the host's CUDA driver version is 12.4 (please update the "
                                 "driver, or use an earlier CUDA image)");
        _cleanup_free_ char *msg2 = NULL;
        assert_int_equal(run("cuda>>12", &host_12_4, &msg2), -1);
        assert_string_equal(msg2, "invalid requirement \"cuda>>12\" (NVIDIA_REQUIRE_CUDA): "
                                  "condition \"cuda>>12\": unknown operator \">>\" (one of = != "
                                  "< <= > >=)");
}

static void test_operators(void **state) {
        (void)state;
        met("cuda=12.4", &host_12_4);
        unmet("cuda=12.5", &host_12_4, "CUDA driver version is 12.4");
        met("cuda!=12.5", &host_12_4);
        unmet("cuda!=12.4", &host_12_4, "12.4");
        /* dsl.c matches "!" as a prefix of "!=". */
        met("cuda!12.5", &host_12_4);
        unmet("cuda!12.4", &host_12_4, "12.4");
        met("cuda<12.5", &host_12_4);
        unmet("cuda<12.4", &host_12_4, "12.4");
        met("cuda<=12.4", &host_12_4);
        unmet("cuda<=12.3", &host_12_4, "12.4");
        met("cuda>12.3", &host_12_4);
        unmet("cuda>12.4", &host_12_4, "12.4");
        met("cuda>=12.4", &host_12_4);
        met("cuda>=11", &host_12_4);
        unmet("cuda>=13", &host_12_4, "12.4");
}

static void test_version_parts(void **state) {
        (void)state;
        nvct_require_host h = { .cuda = "12.10" };
        met("cuda>12.9", &h);
        met("cuda>=12.9", &h);
        unmet("cuda<12.9", &h, "12.10");
        unmet("cuda=12.1", &h, "12.10");
        /* Missing parts are 0, both ways. */
        h.cuda = "12";
        met("cuda=12.0", &h);
        met("cuda>=12.0.0", &h);
        met("cuda<=12.0", &h);
        unmet("cuda>12.0", &h, "is 12 ");
        unmet("cuda=12.0.1", &h, "is 12 ");
        met("cuda<12.0.1", &h);
        met("cuda!=12.0.1", &h);
        unmet("cuda!=12.0", &h, "is 12 ");
        h.cuda = "12.0";
        met("cuda=12", &h);
        unmet("cuda<12", &h, "12.0");
        h.cuda = "12.0.5";
        met("cuda>12", &h);
        unmet("cuda<=12", &h, "12.0.5");
        /* Numbers, not text: leading zeros, extra and trailing dots. */
        h.cuda = "12.4";
        met("cuda=12.04", &h);
        met("cuda=12..4", &h);
        met("cuda=12.4.", &h);
        met("cuda=012.4.0.00", &h);
        met("cuda<18446744073709551614", &h);
        /* The driver's three parts. */
        met("driver>=550.54.14", &host_12_4);
        met("driver>=550.54", &host_12_4);
        unmet("driver>=550.54.16", &host_12_4, "the host's driver version is 550.54.15");
        met("driver<550.100", &host_12_4);
        met("driver>=418,driver<551", &host_12_4);
}

static void test_or_and(void **state) {
        (void)state;
        met("cuda>=13 cuda>=12", &host_12_4);
        met("cuda>=12 cuda>=13", &host_12_4);
        unmet("cuda>=13 driver>=600", &host_12_4,
              "CUDA driver version is 12.4 (please update the driver, or use an earlier CUDA "
              "image); the host's driver version is 550.54.15");
        met("cuda>=12,driver>=500", &host_12_4);
        _cleanup_free_ char *msg = NULL;
        assert_int_equal(run("cuda>=12,driver>=600", &host_12_4, &msg), -1);
        assert_contains(msg, "the host's driver version is 550.54.15");
        /* The condition that held is not blamed. */
        assert_null(strstr(msg, "CUDA driver version"));
        /* Empty groups and conditions are skipped. */
        met("", &host_12_4);
        met("   ", &host_12_4);
        met(",,,", &host_12_4);
        met("  cuda>=13  ,,cuda>=1,  cuda>=12,,", &host_12_4);
        unmet("cuda>=13   driver>=999 ", &host_12_4, "550.54.15");
        /* dsl.c: a group of commas only ends the evaluation with the result
         * of the group before it. */
        unmet("cuda>=13 , cuda>=12", &host_12_4, "12.4");
        met("cuda>=12 , cuda>=13", &host_12_4);
        /* A tab is no separator: it is part of the value. */
        invalid("cuda>=12\tcuda>=11", &host_12_4, "not a version");
}

static void test_predicates_ignore_case(void **state) {
        (void)state;
        met("CUDA>=12", &host_12_4);
        met("Driver>=500", &host_12_4);
        met("ARCH>=9.0", &(nvct_require_host){ .gpus = two_gpus, .n_gpus = 1 });
        met("BRAND=TESLA", &(nvct_require_host){ .gpus = two_gpus, .n_gpus = 1 });
        met("brand=Tesla brand=GeForce", &host_two);
}

static void test_arch_brand_per_gpu(void **state) {
        (void)state;
        met("arch>=8.0", &host_two);
        unmet("arch>=9.0", &host_two, "GPU 1's compute capability is 8.6");
        unmet("arch<9.0", &host_two, "GPU 0's compute capability is 9.0");
        met("arch=9.0 arch=8.6", &host_two);
        met("brand!=quadro", &host_two);
        unmet("brand=tesla", &host_two, "GPU 1's brand is geforce");
        unmet("brand!=tesla", &host_two, "GPU 0's brand is tesla");
        /* configure.c evaluates the whole requirement per GPU, so each GPU
         * may meet it through a different group. */
        met("brand=tesla brand=geforce", &host_two);
        met("brand=tesla,arch>=9.0 brand=geforce,arch>=8.6", &host_two);
        unmet("brand=tesla,arch>=9.0 brand=geforce,arch>=8.9", &host_two,
              "GPU 1's compute capability is 8.6");
        /* The brand and arch of the failing GPU, and the driver, together. */
        unmet("brand=tesla,driver>=600 arch>=9.5", &host_two,
              "the host's driver version is 550.54.15; GPU 0's compute capability is 9.0");
        /* A CUDA image's requirement: the forward-compatibility groups. */
        const char *image = "cuda>=12.6 brand=tesla,driver>=470,driver<471 "
                            "brand=unknown,driver>=470,driver<471 brand=nvidia,driver>=470,"
                            "driver<471 brand=nvidiartx,driver>=470,driver<471";
        nvct_require_gpu tesla = { .arch = "8.0", .brand = "tesla" };
        nvct_require_host fc = {
                .cuda = "11.4", .driver = "470.82.01", .gpus = &tesla, .n_gpus = 1
        };
        met(image, &fc);
        fc.driver = "535.104.05";
        fc.cuda = "12.2";
        unmet(image, &fc, "the host's CUDA driver version is 12.2");
        fc.cuda = "12.6";
        met(image, &fc);
}

static void test_unknown_facts(void **state) {
        (void)state;
        nvct_require_host none = { 0 };
        met("cuda>=99,driver>=999", &none);
        /* No GPUs: arch and brand hold, as configure.c decides. */
        met("arch>=99,brand=quadro", &none);
        met("arch>=99,brand=quadro", &host_12_4);
        unmet("arch>=99,cuda>=13", &host_12_4, "CUDA driver version is 12.4");
        nvct_require_gpu unknown[] = { { 0 }, { .arch = "7.0" } };
        nvct_require_host h = { .cuda = "12.4", .gpus = unknown, .n_gpus = 2 };
        met("brand=quadro", &h);
        unmet("arch>=8.0", &h, "GPU 1's compute capability is 7.0");
        met("arch>=7.0", &h);
        /* Known CUDA, unknown driver. */
        met("cuda>=12,driver>=999", &h);
        unmet("cuda>=13,driver>=999", &h, "12.4");
        /* Even where the fact is unknown, the condition must be well formed. */
        invalid("cuda>=x", &none, "\"x\" is not a version");
        invalid("brand>x", &none, "brand takes only = and !=, not >");
}

static void test_host_value_not_a_version(void **state) {
        (void)state;
        nvct_require_host h = { .cuda = "12.4-beta" };
        _cleanup_free_ char *msg = NULL;
        assert_int_equal(run("cuda>=12", &h, &msg), -1);
        assert_contains(msg, "cannot check requirement \"cuda>=12\" (NVIDIA_REQUIRE_CUDA): the "
                             "host's CUDA driver version \"12.4-beta\" is not a version");
}

static void test_syntax_errors(void **state) {
        (void)state;
        invalid("foo>=1", &host_12_4,
                "condition \"foo>=1\": unknown predicate \"foo\" (one of cuda, driver, arch, "
                "brand)");
        invalid("cuda12", &host_12_4, "condition \"cuda12\": no operator");
        invalid(">=12", &host_12_4, "condition \">=12\": no predicate before the operator");
        invalid("cuda>=", &host_12_4, "condition \"cuda>=\": empty value");
        invalid("cuda==12", &host_12_4, "unknown operator \"==\"");
        invalid("cuda=>12", &host_12_4, "unknown operator \"=>\"");
        invalid("cuda<>12", &host_12_4, "unknown operator \"<>\"");
        invalid("cuda>=abc", &host_12_4, "\"abc\" is not a version");
        invalid("cuda>=.5", &host_12_4, "\".5\" is not a version");
        invalid("cuda>=1.2a", &host_12_4, "\"1.2a\" is not a version");
        invalid("cuda>=-1", &host_12_4, "\"-1\" is not a version");
        invalid("cuda>=12<13", &host_12_4, "\"12<13\" is not a version");
        invalid("cuda>=18446744073709551615", &host_12_4, "is not a version");
        invalid("cuda>=99999999999999999999999", &host_12_4, "is not a version");
        invalid("brand<tesla", &host_two, "brand takes only = and !=, not <");
        invalid("brand>=tesla", &host_two, "not >=");
        /* The bad condition is named within a long requirement. */
        invalid("cuda>=14 cuda>=13,driver>=1,bogus=1", &(nvct_require_host){ .cuda = "13" },
                "condition \"bogus=1\"");
        /* Bytes from the image are escaped. */
        invalid("cuda>=\x1b[31m", &host_12_4, "\"\\x1b[31m\" is not a version");
}

/* invalid() above also runs the parse-only entry; here what differs. */
static void test_lazy_like_dsl(void **state) {
        (void)state;
        /* Never reached: the first group holds, or an AND failed before. */
        met("cuda>=12 bogus", &host_12_4);
        unmet("cuda>=13,bogus driver>=999", &host_12_4, "12.4");
        invalid("cuda>=13 bogus", &host_12_4, "condition \"bogus\": no operator");
        nvct_error *err = NULL;
        assert_int_equal(nvct_require_validate("cuda>=12 bogus", 14, "NVIDIA_REQUIRE_X", &err), -1);
        assert_contains(err->msg, "(NVIDIA_REQUIRE_X): condition \"bogus\": no operator");
        nvct_error_free(&err);
        assert_int_equal(nvct_require_validate("cuda>=12 ,, brand=x,arch<1", 26, "X", &err), 0);
        assert_null(err);
}

static void test_bytes_refused(void **state) {
        (void)state;
        nvct_error *err = NULL;
        assert_int_equal(
                nvct_require_check("cuda>=1\0x", 9, "NVIDIA_REQUIRE_CUDA", &host_12_4, &err), -1);
        assert_contains(err->msg, "invalid requirement \"cuda>=1\\x00x\" (NVIDIA_REQUIRE_CUDA): "
                                  "contains a NUL byte");
        nvct_error_free(&err);

        /* NVCT_REQUIRE_MAX bytes of satisfied conditions pass; one more not. */
        _cleanup_free_ char *big = malloc(NVCT_REQUIRE_MAX + 1);
        assert_non_null(big);
        for (size_t i = 0; i < NVCT_REQUIRE_MAX + 1; i++)
                big[i] = "cuda>=1,"[i % 8];
        assert_int_equal(nvct_require_check(big, NVCT_REQUIRE_MAX, "O", &host_two, &err), 0);
        assert_null(err);
        assert_int_equal(nvct_require_check(big, NVCT_REQUIRE_MAX + 1, "O", &host_two, &err), -1);
        assert_contains(err->msg, "longer than 65536 bytes");
        nvct_error_free(&err);

        /* An origin with bytes from the image is quoted. */
        assert_int_equal(nvct_require_check("cuda>=13", 8, "NVIDIA_REQUIRE_\x1b", &host_12_4, &err),
                         -1);
        assert_contains(err->msg, "(\"NVIDIA_REQUIRE_\\x1b\")");
        nvct_error_free(&err);
}

static void test_brand_names(void **state) {
        (void)state;
        assert_string_equal(nvct_require_brand_name(0), "unknown");
        assert_string_equal(nvct_require_brand_name(1), "quadro");
        assert_string_equal(nvct_require_brand_name(2), "tesla");
        assert_string_equal(nvct_require_brand_name(3), "nvs");
        assert_string_equal(nvct_require_brand_name(4), "grid");
        assert_string_equal(nvct_require_brand_name(5), "geforce");
        assert_string_equal(nvct_require_brand_name(6), "titan");
        assert_string_equal(nvct_require_brand_name(11), "nvidiacloudgaming");
        assert_string_equal(nvct_require_brand_name(12), "quadrortx");
        assert_string_equal(nvct_require_brand_name(13), "nvidiartx");
        assert_string_equal(nvct_require_brand_name(14), "nvidia");
        assert_string_equal(nvct_require_brand_name(15), "geforcertx");
        assert_string_equal(nvct_require_brand_name(16), "titanrtx");
        assert_string_equal(nvct_require_brand_name(17), "unknown");
        assert_string_equal(nvct_require_brand_name(-1), "unknown");
        /* Every name is one a requirement can match. */
        for (int b = 0; b < 17; b++) {
                nvct_require_gpu gpu = { .arch = "9.0", .brand = nvct_require_brand_name(b) };
                nvct_require_host h = { .gpus = &gpu, .n_gpus = 1 };
                _cleanup_free_ char *expr = xasprintf("brand=%s", gpu.brand);
                met(expr, &h);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_message_format),
                cmocka_unit_test(test_operators),
                cmocka_unit_test(test_version_parts),
                cmocka_unit_test(test_or_and),
                cmocka_unit_test(test_predicates_ignore_case),
                cmocka_unit_test(test_arch_brand_per_gpu),
                cmocka_unit_test(test_unknown_facts),
                cmocka_unit_test(test_host_value_not_a_version),
                cmocka_unit_test(test_syntax_errors),
                cmocka_unit_test(test_lazy_like_dsl),
                cmocka_unit_test(test_bytes_refused),
                cmocka_unit_test(test_brand_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for cdi/freshness: the driver version a path or hook argument
 * names, and a spec compared with the host's driver version and GPU UUIDs
 * (what `nvidia-ctk doctor` calls stale). */
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
#include "cdi/freshness.h"
#include "cdi/load.h"

static void version_is(const char *text, const char *want) {
        nvct_error *err = NULL;
        char *v = (char *)1;
        assert_int_equal(nvct_cdi_driver_version_in(text, &v, &err), 0);
        if (want == NULL) {
                if (v != NULL)
                        fail_msg("%s: found %s, want none", text, v);
        } else {
                assert_non_null(v);
                assert_string_equal(v, want);
        }
        free(v);
}

static void test_version_in(void **state) {
        (void)state;
        version_is("/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15", "550.54.15");
        version_is("libnvidia-ml.so.470.82", "470.82");
        version_is("/usr/lib/libGLX_nvidia.so.550.54.15", "550.54.15"); /* lib...nvidia... */
        version_is("/usr/lib/libnvidia-glvkspirv.so.555.42.02", "555.42.02");
        version_is("/lib/firmware/nvidia/550.54.15/gsp_ga10x.bin", "550.54.15");
        version_is("--host-driver-version=560.35.03", "560.35.03");
        version_is("libcuda.so.550.54.15::/usr/lib/x86_64-linux-gnu/libcuda.so.1", "550.54.15");
        version_is("libcuda.so.1::/usr/lib/x86_64-linux-gnu/libcuda.so", NULL);
        /* Not driver versions: a SONAME's number, a library's own version,
         * too few digits, trailing junk, too many parts. */
        version_is("/usr/lib/libcuda.so.1", NULL);
        version_is("/usr/lib/libnvidia-egl-wayland.so.1.1.13", NULL);
        version_is("/usr/lib/libfoo.so.550.54.15", NULL);
        version_is("/usr/lib/libcuda.so.550", NULL);
        version_is("/usr/lib/libcuda.so.550.54.15x", NULL);
        version_is("/usr/lib/libcuda.so.550.54.15.1", NULL);
        version_is("/lib/firmware/nvidia/abc/gsp.bin", NULL);
        version_is("", NULL);
}

static const char spec_json[] =
        "{\"cdiVersion\":\"0.5.0\",\"kind\":\"nvidia.com/gpu\",\"devices\":["
        "{\"name\":\"0\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/nvidia0\"}]}},"
        "{\"name\":\"GPU-aaaa\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/"
        "nvidia0\"}]}},"
        "{\"name\":\"MIG-bbbb\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/nvidia0\"}]}}"
        "],\"containerEdits\":{\"mounts\":["
        "{\"hostPath\":\"/usr/lib/libcuda.so.550.54.15\",\"containerPath\":\"/usr/lib/"
        "libcuda.so.550.54.15\"},"
        "{\"hostPath\":\"/lib/firmware/nvidia/550.54.15/gsp.bin\",\"containerPath\":\"/lib/"
        "firmware/nvidia/550.54.15/gsp.bin\"}"
        "],\"hooks\":[{\"hookName\":\"createContainer\",\"path\":\"/usr/bin/nvidia-cdi-hook\","
        "\"args\":[\"nvidia-cdi-hook\",\"enable-cuda-compat\",\"--host-driver-version=550.54.15\"]}"
        "]}}";

static void load(nvct_cdi_spec *spec) {
        nvct_error *err = NULL;
        if (nvct_cdi_spec_parse(spec_json, strlen(spec_json), "x.json", spec, &err) < 0)
                fail_msg("%s", err->msg);
}

static void test_fresh(void **state) {
        (void)state;
        nvct_cdi_spec spec = { 0 };
        nvct_cdi_staleness st;
        nvct_error *err = NULL;
        const char *uuids[] = { "GPU-aaaa", "MIG-bbbb", "GPU-extra" };
        load(&spec);
        assert_int_equal(nvct_cdi_spec_staleness(&spec, "550.54.15", uuids, 3, &st, &err), 0);
        assert_false(nvct_cdi_staleness_is_stale(&st));
        assert_null(st.other_version);
        assert_null(st.missing_uuid);
        assert_string_equal(st.named_version, "550.54.15");
        nvct_cdi_staleness_clear(&st);
        nvct_cdi_spec_clear(&spec);
}

static void test_driver_upgraded(void **state) {
        (void)state;
        nvct_cdi_spec spec = { 0 };
        nvct_cdi_staleness st;
        nvct_error *err = NULL;
        const char *uuids[] = { "GPU-aaaa", "MIG-bbbb" };
        load(&spec);
        assert_int_equal(nvct_cdi_spec_staleness(&spec, "560.35.03", uuids, 2, &st, &err), 0);
        assert_true(nvct_cdi_staleness_is_stale(&st));
        assert_string_equal(st.other_version, "550.54.15");
        assert_int_equal(st.n_other_versions, 1); /* distinct versions, not mentions */
        assert_null(st.missing_uuid);
        nvct_cdi_staleness_clear(&st);
        nvct_cdi_spec_clear(&spec);
}

static void test_gpu_gone(void **state) {
        (void)state;
        nvct_cdi_spec spec = { 0 };
        nvct_cdi_staleness st;
        nvct_error *err = NULL;
        const char *uuids[] = { "GPU-cccc" };
        load(&spec);
        assert_int_equal(nvct_cdi_spec_staleness(&spec, "550.54.15", uuids, 1, &st, &err), 0);
        assert_true(nvct_cdi_staleness_is_stale(&st));
        assert_null(st.other_version);
        assert_string_equal(st.missing_uuid, "GPU-aaaa");
        assert_int_equal(st.n_missing_uuids, 2); /* and MIG-bbbb; "0" is no UUID */
        nvct_cdi_staleness_clear(&st);
        /* No GPU at all: every UUID device is missing. */
        assert_int_equal(nvct_cdi_spec_staleness(&spec, "550.54.15", NULL, 0, &st, &err), 0);
        assert_int_equal(st.n_missing_uuids, 2);
        nvct_cdi_staleness_clear(&st);
        nvct_cdi_spec_clear(&spec);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version_in),
                cmocka_unit_test(test_fresh),
                cmocka_unit_test(test_driver_upgraded),
                cmocka_unit_test(test_gpu_gone),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

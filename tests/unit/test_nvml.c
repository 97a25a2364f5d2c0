/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the NVML loader, run against the fake libnvidia-ml of
 * tests/cdi (FAKE_NVML and its variants): every field of the test hosts,
 * MIG devices, NVML's failures, a missing library or symbol, and a library
 * that answers hostile values. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver/nvml.h"

#define HOSTS_DIR TEST_SRCDIR "/../cdi/hosts/"

/* A scratch directory per test: the host description and the call log. */
typedef struct fixture {
        char dir[64];
        char config[96];
        char log[96];
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        if (f == NULL)
                return -1;
        strcpy(f->dir, "/tmp/nvct-test-nvml-XXXXXX");
        if (mkdtemp(f->dir) == NULL) {
                free(f);
                return -1;
        }
        snprintf(f->config, sizeof(f->config), "%s/host.conf", f->dir);
        snprintf(f->log, sizeof(f->log), "%s/calls.log", f->dir);
        setenv("FAKE_NVML_LOG", f->log, 1);
        unsetenv("FAKE_NVML_CONFIG");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        unlink(f->config);
        unlink(f->log);
        rmdir(f->dir);
        unsetenv("FAKE_NVML_LOG");
        unsetenv("FAKE_NVML_CONFIG");
        free(f);
        return 0;
}

static void use_host_file(const char *name) {
        char path[512];
        snprintf(path, sizeof(path), "%s%s", HOSTS_DIR, name);
        assert_int_equal(access(path, R_OK), 0);
        setenv("FAKE_NVML_CONFIG", path, 1);
}

static void use_config(fixture *f, const char *text) {
        FILE *out = fopen(f->config, "we");
        assert_non_null(out);
        assert_int_equal(fputs(text, out) >= 0, 1);
        assert_int_equal(fclose(out), 0);
        setenv("FAKE_NVML_CONFIG", f->config, 1);
}

/* The library must be unloaded after every query, failed or not. */
static void assert_unloaded(const char *lib) {
        void *h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD);
        if (h != NULL) {
                dlclose(h);
                fail_msg("%s is still loaded", lib);
        }
}

static int query(const char *lib, nvct_nvml_info *info) {
        nvct_error *err = NULL;
        int r = nvct_nvml_query(lib, info, &err);
        if (r < 0) {
                print_error("unexpected error: %s\n", err->msg);
                nvct_error_free(&err);
        }
        assert_null(err);
        assert_unloaded(lib);
        return r;
}

/* Runs a query that must fail, checks the output is untouched and the
 * library unloaded, and returns the message (to free). */
static char *query_fails(const char *lib) {
        nvct_nvml_info info;
        memset(&info, 0xab, sizeof(info));
        nvct_nvml_info want;
        memset(&want, 0xab, sizeof(want));
        nvct_error *err = NULL;
        assert_int_equal(nvct_nvml_query(lib, &info, &err), -1);
        assert_non_null(err);
        assert_non_null(err->msg);
        assert_memory_equal(&info, &want, sizeof(info));
        assert_unloaded(lib);
        char *msg = strdup(err->msg);
        nvct_error_free(&err);
        return msg;
}

/* The calls the fake logged, one per line. */
static char *read_log(const fixture *f) {
        FILE *in = fopen(f->log, "re");
        assert_non_null(in);
        char *buf = calloc(1, 65536);
        assert_non_null(buf);
        size_t n = fread(buf, 1, 65535, in);
        buf[n] = '\0';
        fclose(in);
        return buf;
}

static size_t count_lines(const char *log, const char *line) {
        size_t n = 0, len = strlen(line);
        for (const char *p = log; *p != '\0';) {
                const char *nl = strchr(p, '\n');
                size_t l = nl != NULL ? (size_t)(nl - p) : strlen(p);
                if (l == len && memcmp(p, line, len) == 0)
                        n++;
                p += l + (nl != NULL);
        }
        return n;
}

static void assert_init_and_shutdown_once(const fixture *f) {
        char *log = read_log(f);
        assert_int_equal(count_lines(log, "nvmlInit_v2"), 1);
        assert_int_equal(count_lines(log, "nvmlShutdown"), 1);
        /* Shutdown is the last call. */
        size_t len = strlen(log);
        assert_true(len >= strlen("nvmlShutdown\n"));
        assert_string_equal(log + len - strlen("nvmlShutdown\n"), "nvmlShutdown\n");
        free(log);
}

/* ---- the test hosts ---- */

static void test_one_gpu(void **state) {
        fixture *f = *state;
        use_host_file("one-gpu.host");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML, &info), 0);

        assert_string_equal(info.driver_version, "550.54.15");
        assert_int_equal(info.cuda_driver_version, 12040);
        assert_int_equal(info.n_gpus, 1);
        const nvct_gpu_info *g = &info.gpus[0];
        assert_int_equal(g->index, 0);
        assert_string_equal(g->uuid, "GPU-4a6bc6a3-58d1-8d6a-a7c8-5f7bd1b0f2b1");
        assert_int_equal(g->minor, 0);
        assert_string_equal(g->pci_bus_id, "00000000:3B:00.0");
        assert_string_equal(g->name, "NVIDIA H100 80GB HBM3");
        assert_int_equal(g->brand, 14);
        assert_string_equal(nvct_nvml_brand_name(g->brand), "NVIDIA");
        assert_int_equal(g->cc_major, 9);
        assert_int_equal(g->cc_minor, 0);
        assert_true(g->mig_capable);
        assert_false(g->mig_enabled);
        assert_null(g->migs);
        assert_int_equal(g->n_migs, 0);
        nvct_nvml_info_clear(&info);
        assert_null(info.gpus);
        assert_int_equal(info.n_gpus, 0);

        assert_init_and_shutdown_once(f);
}

static void test_eight_gpus(void **state) {
        (void)state;
        static const struct {
                const char *uuid, *pci;
        } want[] = {
                { "GPU-0c5f6e81-2a7b-3c44-9d1e-5f2a8b3c4d01", "00000000:06:00.0" },
                { "GPU-1d7a9b22-3e4f-5a66-8b0c-6e3b9c4d5e12", "00000000:07:00.0" },
                { "GPU-2e8bac33-4f50-6b77-9c1d-7f4cad5e6f23", "00000000:0A:00.0" },
                { "GPU-3f9cbd44-5061-7c88-ad2e-805dbe6f7034", "00000000:0B:00.0" },
                { "GPU-40adce55-6172-8d99-be3f-916ecf708145", "00000000:85:00.0" },
                { "GPU-51bedf66-7283-9eaa-cf40-a27fd0819256", "00000000:86:00.0" },
                { "GPU-62cfe077-8394-afbb-d051-b380e192a367", "00000000:89:00.0" },
                { "GPU-73d0f188-94a5-b0cc-e162-c491f2a3b478", "00000000:8A:00.0" },
        };
        use_host_file("eight-gpus.host");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML, &info), 0);

        assert_string_equal(info.driver_version, "535.161.08");
        assert_int_equal(info.cuda_driver_version, 12020);
        assert_int_equal(info.n_gpus, 8);
        for (unsigned int i = 0; i < 8; i++) {
                const nvct_gpu_info *g = &info.gpus[i];
                assert_int_equal(g->index, i);
                assert_int_equal(g->minor, i);
                assert_string_equal(g->uuid, want[i].uuid);
                assert_string_equal(g->pci_bus_id, want[i].pci);
                assert_string_equal(g->name, "Tesla V100-SXM2-32GB");
                assert_int_equal(g->brand, 2);
                assert_string_equal(nvct_nvml_brand_name(g->brand), "Tesla");
                assert_int_equal(g->cc_major, 7);
                assert_int_equal(g->cc_minor, 0);
                /* nvmlDeviceGetMigMode: Not Supported. */
                assert_false(g->mig_capable);
                assert_false(g->mig_enabled);
                assert_int_equal(g->n_migs, 0);
        }
        nvct_nvml_info_clear(&info);
}

static void check_mig_host(const nvct_nvml_info *info) {
        assert_string_equal(info->driver_version, "550.54.15");
        assert_int_equal(info->n_gpus, 2);

        const nvct_gpu_info *g0 = &info->gpus[0];
        assert_string_equal(g0->uuid, "GPU-b8ea3855-276c-c9cb-b366-c6fa655957c5");
        assert_string_equal(g0->pci_bus_id, "00000000:07:00.0");
        assert_string_equal(g0->name, "NVIDIA A100-SXM4-40GB");
        assert_int_equal(g0->cc_major, 8);
        assert_int_equal(g0->cc_minor, 0);
        assert_int_equal(g0->minor, 0);

        const nvct_gpu_info *g1 = &info->gpus[1];
        assert_int_equal(g1->index, 1);
        assert_int_equal(g1->minor, 1);
        assert_string_equal(g1->uuid, "GPU-9c1e2f7a-6d3b-48e0-a5c4-1f2e3d4c5b6a");
        assert_string_equal(g1->pci_bus_id, "00000000:0F:00.0");
}

static void test_mig(void **state) {
        (void)state;
        use_host_file("mig.host");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML, &info), 0);
        check_mig_host(&info);

        const nvct_gpu_info *g0 = &info.gpus[0];
        assert_true(g0->mig_capable);
        assert_true(g0->mig_enabled);
        assert_int_equal(g0->n_migs, 3);
        /* In slot order; slot 2 is empty and skipped. */
        static const nvct_mig_info want[] = {
                { 0, 1, 0, "MIG-6b2d4c8e-1f3a-5b7c-9d0e-2a4b6c8d0e1f" },
                { 1, 5, 0, "MIG-7c3e5d9f-2a4b-6c8d-0e1f-3b5c7d9e1f2a" },
                { 3, 5, 1, "MIG-8d4f6e0a-3b5c-7d9e-1f2a-4c6d8e0f2a3b" },
        };
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(g0->migs[i].index, want[i].index);
                assert_int_equal(g0->migs[i].gi_id, want[i].gi_id);
                assert_int_equal(g0->migs[i].ci_id, want[i].ci_id);
                assert_string_equal(g0->migs[i].uuid, want[i].uuid);
        }

        const nvct_gpu_info *g1 = &info.gpus[1];
        assert_true(g1->mig_capable);
        assert_false(g1->mig_enabled);
        assert_null(g1->migs);
        assert_int_equal(g1->n_migs, 0);
        nvct_nvml_info_clear(&info);
}

static void test_mig_no_devices(void **state) {
        fixture *f = *state;
        /* MIG mode on, no instance made yet: every slot is empty. */
        use_config(f, "driver 550.54.15\ncuda 12040\n"
                      "gpu uuid=GPU-1 minor=0 pci=00000000:07:00.0 mig=1 name=A100\n");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML, &info), 0);
        assert_int_equal(info.n_gpus, 1);
        assert_true(info.gpus[0].mig_enabled);
        assert_int_equal(info.gpus[0].n_migs, 0);
        assert_null(info.gpus[0].migs);
        nvct_nvml_info_clear(&info);
}

static void test_no_gpu(void **state) {
        fixture *f = *state;
        use_host_file("no-gpu.host");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML, &info), 0);
        assert_string_equal(info.driver_version, "550.54.15");
        assert_int_equal(info.cuda_driver_version, 12040);
        assert_int_equal(info.n_gpus, 0);
        assert_null(info.gpus);
        nvct_nvml_info_clear(&info);
        assert_init_and_shutdown_once(f);
}

static void test_broken_nvml(void **state) {
        fixture *f = *state;
        use_host_file("broken-nvml.host");
        char *msg = query_fails(FAKE_NVML);
        assert_contains(msg, FAKE_NVML);
        assert_contains(msg, "nvmlInit_v2");
        assert_contains(msg, "\"Driver Not Loaded\"");
        assert_contains(msg, "NVML error 9");
        free(msg);
        /* Init failed: nothing else was called, not even shutdown. */
        char *log = read_log(f);
        assert_string_equal(log, "nvmlInit_v2\n");
        free(log);
}

static void test_malformed_config(void **state) {
        fixture *f = *state;
        /* The fake answers a description it cannot read with Unknown Error. */
        use_config(f, "driver 550.54.15\ngpu minor=zero\n");
        char *msg = query_fails(FAKE_NVML);
        assert_contains(msg, "nvmlInit_v2");
        assert_contains(msg, "\"Unknown Error\" (NVML error 999)");
        free(msg);
}

/* ---- the library and its symbols ---- */

static void test_missing_library(void **state) {
        fixture *f = *state;
        char path[160];
        snprintf(path, sizeof(path), "%s/libnvidia-ml.so.1", f->dir);
        char *msg = query_fails(path);
        assert_contains(msg, "cannot load NVML: ");
        assert_contains(msg, path);
        free(msg);
}

static void test_not_a_library(void **state) {
        fixture *f = *state;
        use_config(f, "this is no ELF file\n");
        char *msg = query_fails(f->config);
        assert_contains(msg, "cannot load NVML: ");
        free(msg);
}

static void test_no_path(void **state) {
        (void)state;
        nvct_nvml_info info;
        memset(&info, 0, sizeof(info));
        nvct_error *err = NULL;
        assert_int_equal(nvct_nvml_query(NULL, &info, &err), -1);
        assert_non_null(err);
        nvct_error_free(&err);
        assert_int_equal(nvct_nvml_query("", &info, &err), -1);
        assert_non_null(err);
        nvct_error_free(&err);
}

static void test_missing_required_symbol(void **state) {
        fixture *f = *state;
        use_host_file("one-gpu.host");
        char *msg = query_fails(FAKE_NVML_NOMINOR);
        assert_contains(msg, FAKE_NVML_NOMINOR);
        assert_contains(msg, "symbol nvmlDeviceGetMinorNumber not found");
        free(msg);
        /* Found before init: nothing was called. */
        assert_int_equal(access(f->log, F_OK), -1);
}

static void test_missing_description_symbols(void **state) {
        (void)state;
        /* What only describes a GPU may be missing: it is then unknown,
         * and everything a spec needs is still there. */
        use_host_file("one-gpu.host");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML_NODESC, &info), 0);
        assert_int_equal(info.n_gpus, 1);
        const nvct_gpu_info *g = &info.gpus[0];
        assert_string_equal(g->uuid, "GPU-4a6bc6a3-58d1-8d6a-a7c8-5f7bd1b0f2b1");
        assert_int_equal(g->minor, 0);
        assert_string_equal(g->pci_bus_id, "");
        assert_string_equal(g->name, "");
        assert_int_equal(g->brand, 0);
        assert_int_equal(g->cc_major, -1);
        assert_int_equal(g->cc_minor, -1);
        assert_string_equal(nvct_nvml_brand_name(g->brand), "Unknown");
        nvct_nvml_info_clear(&info);
}

static void test_missing_mig_symbols(void **state) {
        (void)state;
        /* A driver without the MIG API: no GPU is MIG capable. */
        use_host_file("mig.host");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML_NOMIG, &info), 0);
        check_mig_host(&info);
        for (size_t i = 0; i < info.n_gpus; i++) {
                assert_false(info.gpus[i].mig_capable);
                assert_false(info.gpus[i].mig_enabled);
                assert_int_equal(info.gpus[i].n_migs, 0);
                assert_null(info.gpus[i].migs);
        }
        nvct_nvml_info_clear(&info);
}

static void test_unversioned_fallback(void **state) {
        fixture *f = *state;
        /* Only nvmlInit and nvmlSystemGetCudaDriverVersion: still read. */
        use_host_file("one-gpu.host");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML_OLD, &info), 0);
        assert_string_equal(info.driver_version, "550.54.15");
        assert_int_equal(info.cuda_driver_version, 12040);
        assert_int_equal(info.n_gpus, 1);
        assert_string_equal(info.gpus[0].uuid, "GPU-4a6bc6a3-58d1-8d6a-a7c8-5f7bd1b0f2b1");
        nvct_nvml_info_clear(&info);
        char *log = read_log(f);
        assert_int_equal(count_lines(log, "nvmlInit"), 1);
        assert_int_equal(count_lines(log, "nvmlSystemGetCudaDriverVersion"), 1);
        assert_int_equal(count_lines(log, "nvmlShutdown"), 1);
        free(log);
}

static void test_unversioned_init_failure_names_nvmlInit(void **state) {
        (void)state;
        use_host_file("broken-nvml.host");
        char *msg = query_fails(FAKE_NVML_OLD);
        assert_contains(msg, ": nvmlInit failed: \"Driver Not Loaded\"");
        free(msg);
}

/* ---- NVML failing part way: the error names the call, shutdown follows ---- */

#define BASE "driver 550.54.15\ncuda 12040\n"
#define GPU0 "gpu uuid=GPU-aaaa minor=0 pci=00000000:3B:00.0 mig=1 name=NVIDIA H100\n"
#define GPU1 "gpu uuid=GPU-bbbb minor=1 pci=00000000:3C:00.0 mig=1 name=NVIDIA H100\n"
#define MIG0 "mig gpu=0 index=0 gi=1 ci=0 uuid=MIG-cccc\n"

static void check_call_failure(fixture *f, const char *config, const char *want1,
                               const char *want2) {
        use_config(f, config);
        char *msg = query_fails(FAKE_NVML);
        assert_contains(msg, want1);
        assert_contains(msg, want2);
        free(msg);
        assert_init_and_shutdown_once(f);
        unlink(f->log);
}

static void test_call_failures(void **state) {
        fixture *f = *state;
        check_call_failure(f, BASE GPU0 "fail nvmlSystemGetDriverVersion 18\n",
                           ": nvmlSystemGetDriverVersion failed: ",
                           "\"RM has detected an NVML/RM version mismatch.\" (NVML error 18)");
        check_call_failure(f, BASE GPU0 "fail nvmlSystemGetCudaDriverVersion_v2 2\n",
                           "nvmlSystemGetCudaDriverVersion_v2 failed", "(NVML error 2)");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetCount_v2 4\n",
                           "nvmlDeviceGetCount_v2 failed", "\"Insufficient Permissions\"");
        check_call_failure(f, BASE GPU0 GPU1 "fail nvmlDeviceGetUUID 15\n",
                           "nvmlDeviceGetUUID for GPU 0 failed: \"GPU is lost\" (NVML error 15)",
                           "");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetHandleByIndex_v2 15\n",
                           "nvmlDeviceGetHandleByIndex_v2 for GPU 0 failed", "GPU is lost");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetMinorNumber 999\n",
                           "nvmlDeviceGetMinorNumber for GPU 0 failed", "\"Unknown Error\"");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetPciInfo_v3 10\n",
                           "nvmlDeviceGetPciInfo_v3 for GPU 0 failed", "\"Timeout\"");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetName 7\n",
                           "nvmlDeviceGetName for GPU 0 failed", "\"Insufficient Size\"");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetBrand 15\n",
                           "nvmlDeviceGetBrand for GPU 0 failed", "(NVML error 15)");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetCudaComputeCapability 15\n",
                           "nvmlDeviceGetCudaComputeCapability for GPU 0 failed",
                           "(NVML error 15)");
        /* Only Not Supported means "not MIG capable"; other errors fail. */
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetMigMode 4\n",
                           "nvmlDeviceGetMigMode for GPU 0 failed", "Insufficient Permissions");
        check_call_failure(f, BASE GPU0 "fail nvmlDeviceGetMaxMigDeviceCount 15\n",
                           "nvmlDeviceGetMaxMigDeviceCount for GPU 0 failed", "GPU is lost");
        check_call_failure(f, BASE GPU0 MIG0 "fail nvmlDeviceGetMigDeviceHandleByIndex 15\n",
                           "nvmlDeviceGetMigDeviceHandleByIndex for MIG device 0 of GPU 0 failed",
                           "GPU is lost");
        check_call_failure(f, BASE GPU0 MIG0 "fail nvmlDeviceGetGpuInstanceId 3\n",
                           "nvmlDeviceGetGpuInstanceId for MIG device 0 of GPU 0 failed",
                           "\"Not Supported\"");
        check_call_failure(f, BASE GPU0 MIG0 "fail nvmlDeviceGetComputeInstanceId 3\n",
                           "nvmlDeviceGetComputeInstanceId for MIG device 0 of GPU 0 failed",
                           "(NVML error 3)");
}

static void test_mig_mode_not_supported(void **state) {
        fixture *f = *state;
        use_config(f, BASE GPU0 MIG0 "fail nvmlDeviceGetMigMode 3\n");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML, &info), 0);
        assert_int_equal(info.n_gpus, 1);
        assert_false(info.gpus[0].mig_capable);
        assert_false(info.gpus[0].mig_enabled);
        assert_int_equal(info.gpus[0].n_migs, 0);
        nvct_nvml_info_clear(&info);
        char *log = read_log(f);
        assert_int_equal(count_lines(log, "nvmlDeviceGetMaxMigDeviceCount"), 0);
        free(log);
}

static void test_failure_after_mig_devices_frees_them(void **state) {
        fixture *f = *state;
        /* GPU 0's MIG devices are read, then GPU 1 fails: no leak (ASan). */
        check_call_failure(f,
                           BASE GPU0 MIG0 GPU1 "mig gpu=1 index=0 gi=1 ci=0 uuid=MIG-dddd\n"
                                               "mig gpu=1 index=1 gi=2 ci=0 uuid=MIG/../x\n",
                           "nvmlDeviceGetUUID for MIG device 1 of GPU 1 returned \"MIG/../x\"", "");
}

/* ---- hostile values ---- */

static void check_refused(fixture *f, const char *config, const char *want1, const char *want2) {
        check_call_failure(f, config, want1, want2);
}

static void test_hostile_strings(void **state) {
        fixture *f = *state;
        check_refused(f, BASE "gpu uuid=GPU-1/../../etc minor=0 pci=00000000:3B:00.0 name=X\n",
                      "nvmlDeviceGetUUID for GPU 0 returned \"GPU-1/../../etc\"", "[A-Za-z0-9:.-]");
        check_refused(f, BASE "gpu uuid=.. minor=0 pci=00000000:3B:00.0 name=X\n",
                      "nvmlDeviceGetUUID for GPU 0 returned \"..\"", "starting with");
        check_refused(f, BASE "gpu uuid=--privileged minor=0 pci=00000000:3B:00.0 name=X\n",
                      "returned \"--privileged\"", "");
        check_refused(f, BASE "gpu uuid=GPU-1 minor=0 pci=00000000:3B:00.0/x name=X\n",
                      "nvmlDeviceGetPciInfo_v3 for GPU 0 returned \"00000000:3B:00.0/x\"", "");
        check_refused(f, BASE "gpu uuid=GPU-1 minor=0 pci=0000,0001 name=X\n",
                      "nvmlDeviceGetPciInfo_v3 for GPU 0 returned", "");
        check_refused(f, BASE GPU0 "mig gpu=0 index=0 gi=1 ci=0 uuid=MIG-GPU-aaaa/1/0\n",
                      "nvmlDeviceGetUUID for MIG device 0 of GPU 0 returned \"MIG-GPU-aaaa/1/0\"",
                      "");
        check_refused(f, "driver ../../../tmp\ncuda 1\n",
                      "nvmlSystemGetDriverVersion returned \"../../../tmp\"", "");
        check_refused(f, "driver 550:54\ncuda 1\n", "nvmlSystemGetDriverVersion returned",
                      "[A-Za-z0-9.-]");
        /* A terminal escape in the name: refused, and shown escaped. */
        check_refused(f, BASE "gpu uuid=GPU-1 minor=0 pci=00000000:3B:00.0 name=A\x1b[2J\n",
                      "nvmlDeviceGetName for GPU 0 returned \"A\\x1b[2J\"",
                      "expected printable ASCII");
}

static void test_unterminated_strings(void **state) {
        fixture *f = *state;
        check_refused(f, BASE GPU0 "noterm nvmlSystemGetDriverVersion\n",
                      "nvmlSystemGetDriverVersion returned \"550.54.15xxx",
                      "not NUL terminated "
                      "within 80 bytes");
        check_refused(f, BASE GPU0 "noterm nvmlDeviceGetUUID\n",
                      "nvmlDeviceGetUUID for GPU 0 returned", "not NUL terminated within 96 bytes");
        check_refused(f, BASE GPU0 "noterm nvmlDeviceGetPciInfo_v3\n",
                      "nvmlDeviceGetPciInfo_v3 for GPU 0 returned",
                      "not NUL terminated within 32 bytes");
        check_refused(f, BASE GPU0 "noterm nvmlDeviceGetName\n",
                      "nvmlDeviceGetName for GPU 0 returned", "not NUL terminated within 96 bytes");
}

static void test_hostile_counts(void **state) {
        fixture *f = *state;
        check_refused(f, BASE GPU0 "count 5000\n", "nvmlDeviceGetCount_v2 returned 5000",
                      "more than the 1024 GPUs");
        check_refused(f, BASE GPU0 "count 4294967295\n",
                      "nvmlDeviceGetCount_v2 returned 4294967295", "");
        check_refused(f,
                      BASE "gpu uuid=GPU-1 minor=0 pci=00000000:3B:00.0 mig=1 maxmig=1000 "
                           "name=X\n",
                      "nvmlDeviceGetMaxMigDeviceCount for GPU 0 returned 1000",
                      "more than the 64 MIG devices");
        /* Within the bound but more than NVML has: the handle call fails. */
        check_refused(f, BASE GPU0 "count 2\n", "nvmlDeviceGetHandleByIndex_v2 for GPU 1 failed",
                      "Invalid Argument");
}

static void test_bounds_accepted(void **state) {
        fixture *f = *state;
        /* The largest accepted MIG slot count, with a device in the last slot. */
        use_config(f, BASE "gpu uuid=GPU-1 minor=3 pci=00000000:3B:00.0 mig=1 maxmig=64 name=X\n"
                           "mig gpu=0 index=63 gi=14 ci=7 uuid=MIG-last\n");
        nvct_nvml_info info;
        assert_int_equal(query(FAKE_NVML, &info), 0);
        assert_int_equal(info.gpus[0].minor, 3);
        assert_int_equal(info.gpus[0].n_migs, 1);
        assert_int_equal(info.gpus[0].migs[0].index, 63);
        assert_int_equal(info.gpus[0].migs[0].gi_id, 14);
        assert_int_equal(info.gpus[0].migs[0].ci_id, 7);
        assert_string_equal(info.gpus[0].migs[0].uuid, "MIG-last");
        nvct_nvml_info_clear(&info);
}

/* ---- brand names ---- */

static void test_brand_names(void **state) {
        (void)state;
        static const char *const want[] = {
                "Unknown",
                "Quadro",
                "Tesla",
                "NVS",
                "Grid",
                "GeForce",
                "Titan",
                "NVIDIA vApps",
                "NVIDIA Virtual PC",
                "NVIDIA Virtual Compute Server",
                "NVIDIA RTX Virtual Workstation",
                "NVIDIA Cloud Gaming",
                "Quadro RTX",
                "NVIDIA RTX",
                "NVIDIA",
                "GeForce RTX",
                "Titan RTX",
        };
        for (int i = 0; i < 17; i++)
                assert_string_equal(nvct_nvml_brand_name(i), want[i]);
        assert_string_equal(nvct_nvml_brand_name(17), "Unknown");
        assert_string_equal(nvct_nvml_brand_name(-1), "Unknown");
        assert_string_equal(nvct_nvml_brand_name(1 << 30), "Unknown");
}

static void test_info_clear(void **state) {
        (void)state;
        nvct_nvml_info_clear(NULL);
        nvct_nvml_info info;
        memset(&info, 0, sizeof(info));
        nvct_nvml_info_clear(&info);
        assert_null(info.gpus);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_one_gpu),
                T(test_eight_gpus),
                T(test_mig),
                T(test_mig_no_devices),
                T(test_no_gpu),
                T(test_broken_nvml),
                T(test_malformed_config),
                T(test_missing_library),
                T(test_not_a_library),
                T(test_no_path),
                T(test_missing_required_symbol),
                T(test_missing_description_symbols),
                T(test_missing_mig_symbols),
                T(test_unversioned_fallback),
                T(test_unversioned_init_failure_names_nvmlInit),
                T(test_call_failures),
                T(test_mig_mode_not_supported),
                T(test_failure_after_mig_devices_frees_them),
                T(test_hostile_strings),
                T(test_unterminated_strings),
                T(test_hostile_counts),
                T(test_bounds_accepted),
                T(test_brand_names),
                T(test_info_clear),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

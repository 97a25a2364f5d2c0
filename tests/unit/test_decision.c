/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the decision (getNvidiaConfig): device selection from
 * volume mounts and from the environment, privileges, the swarm resource,
 * MIG devices, driver capabilities, requirements and NVIDIA_DISABLE_REQUIRE;
 * and the inputs 1.3.0 did not read (issue 13): IMEX channels, several swarm
 * names, NVIDIA_REQUIRE_JETPACK, and the hook's own rules
 * (supported-driver-capabilities, cuda-compat-mode, the runtime mode). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/decision.h"
#include "oci/env.h"
#include "basic/error.h"
#include "basic/cleanup.h"
#include "config/hookconfig.h"

#define ALL_CAPS "compute,compat32,graphics,utility,video,display,ngx"

/* ---- helpers ---- */

static void env_from(nvct_env *env, const char *const *entries) {
        nvct_env_init(env);
        for (size_t i = 0; entries != NULL && entries[i] != NULL; i++) {
                nvct_error *err = NULL;
                int r = nvct_env_add_entry(env, entries[i], strlen(entries[i]), i, &err);
                if (r < 0) {
                        print_error("bad test env entry %s: %s\n", entries[i], err->msg);
                        nvct_error_free(&err);
                        fail();
                }
        }
}

/* Whether decide() runs the decision as the hook does (its own rules). */
static bool as_hook;

/* Runs nvct_decide. `mounts` is a NULL-terminated list of cleaned /dev/null
 * mount destinations (or NULL). */
static int decide(const nvct_hook_config *config, const char *const *entries,
                  const char *const *mounts, bool privileged, nvct_request *ret, nvct_error **err) {
        nvct_env env;
        env_from(&env, entries);

        size_t n = 0;
        while (mounts != NULL && mounts[n] != NULL)
                n++;
        char **m = calloc(n + 1, sizeof(*m));
        size_t *lens = calloc(n + 1, sizeof(*lens));
        assert_non_null(m);
        assert_non_null(lens);
        for (size_t i = 0; i < n; i++) {
                m[i] = strdup(mounts[i]);
                assert_non_null(m[i]);
                lens[i] = strlen(mounts[i]);
        }

        nvct_decision_input in = {
                .config = config,
                .env = &env,
                .dev_null_mounts = m,
                .dev_null_mount_lens = lens,
                .n_dev_null_mounts = n,
                .privileged = privileged,
                .hook = as_hook,
        };
        *ret = (nvct_request){ 0 };
        int r = nvct_decide(&in, ret, err);

        for (size_t i = 0; i < n; i++)
                free(m[i]);
        free(m);
        free(lens);
        nvct_env_clear(&env);
        return r;
}

static void decide_ok(const nvct_hook_config *config, const char *const *entries,
                      const char *const *mounts, bool privileged, nvct_request *ret) {
        nvct_error *err = NULL;
        int r = decide(config, entries, mounts, privileged, ret, &err);
        if (r < 0) {
                print_error("unexpected failure: %s\n", err->msg);
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
}

/* Fails the decision and returns the error message (caller frees). */
static char *decide_fails(const nvct_hook_config *config, const char *const *entries,
                          const char *const *mounts, bool privileged) {
        nvct_error *err = NULL;
        nvct_request req;
        int r = decide(config, entries, mounts, privileged, &req, &err);
        if (r >= 0) {
                print_error("decision unexpectedly succeeded (devices %s)\n",
                            req.devices ? req.devices : "(null)");
                nvct_request_clear(&req);
                fail();
        }
        assert_int_equal(r, -1);
        assert_non_null(err);
        assert_non_null(err->msg);
        /* Nothing was handed out. */
        assert_false(req.gpu_container);
        assert_null(req.devices);
        assert_null(req.requirements);
        char *msg = strdup(err->msg);
        assert_non_null(msg);
        nvct_error_free(&err);
        return msg;
}

static void assert_fails_with(const nvct_hook_config *config, const char *const *entries,
                              const char *const *mounts, bool privileged, const char *needle1,
                              const char *needle2) {
        char *msg = decide_fails(config, entries, mounts, privileged);
        assert_contains(msg, needle1);
        if (needle2 != NULL)
                assert_contains(msg, needle2);
        free(msg);
}

static void assert_devices(const nvct_request *req, const char *expected) {
        assert_true(req->gpu_container);
        assert_non_null(req->devices);
        assert_string_equal(req->devices, expected);
        assert_int_equal(req->devices_len, strlen(expected));
}

static void assert_not_gpu(const nvct_hook_config *config, const char *const *entries,
                           const char *const *mounts, bool privileged) {
        nvct_request req;
        decide_ok(config, entries, mounts, privileged, &req);
        assert_false(req.gpu_container);
        assert_int_equal(req.devices_len, 0);
        assert_int_equal(req.n_requirements, 0);
        nvct_request_clear(&req);
}

/* ---- device selection from the environment ---- */

static void test_not_gpu_when_unset_empty_or_void(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);

        const char *unset[] = { "PATH=/bin", "NVIDIA_DRIVER_CAPABILITIES=all", NULL };
        const char *empty[] = { "NVIDIA_VISIBLE_DEVICES=", NULL };
        const char *voidv[] = { "NVIDIA_VISIBLE_DEVICES=void", NULL };
        assert_not_gpu(&c, unset, NULL, true);
        assert_not_gpu(&c, unset, NULL, false);
        assert_not_gpu(&c, empty, NULL, true);
        assert_not_gpu(&c, voidv, NULL, true);
        assert_not_gpu(&c, NULL, NULL, false);

        /* "VOID" and " void" are device lists, not "void". */
        const char *upper[] = { "NVIDIA_VISIBLE_DEVICES=VOID", NULL };
        nvct_request req;
        decide_ok(&c, upper, NULL, true, &req);
        assert_devices(&req, "VOID");
        nvct_request_clear(&req);

        /* The origin says why it is not a GPU container. */
        decide_ok(&c, voidv, NULL, true, &req);
        assert_false(req.gpu_container);
        assert_contains(req.devices_origin, "NVIDIA_VISIBLE_DEVICES");
        nvct_request_clear(&req);
}

static void test_not_gpu_decides_nothing_else(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.accept_envvar_unprivileged = false;

        /* Invalid CUDA_VERSION, MIG variables unprivileged, a strict config:
         * none of it matters when NVIDIA_VISIBLE_DEVICES=void. */
        const char *voidv[] = { "CUDA_VERSION=not-a-version",
                                "NVIDIA_VISIBLE_DEVICES=void",
                                "NVIDIA_MIG_CONFIG_DEVICES=all",
                                "NVIDIA_MIG_MONITOR_DEVICES=all",
                                "NVIDIA_DRIVER_CAPABILITIES=bogus",
                                "NVIDIA_REQUIRE_X=x",
                                NULL };
        assert_not_gpu(&c, voidv, NULL, false);

        const char *empty[] = { "CUDA_VERSION=x.y", "NVIDIA_VISIBLE_DEVICES=", NULL };
        assert_not_gpu(&c, empty, NULL, false);
}

static void test_none_is_gpu_without_devices(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=none", NULL };
        nvct_request req;
        decide_ok(&c, env, NULL, false, &req);
        assert_devices(&req, "");
        assert_string_equal(req.driver_capabilities, "utility,compute");
        assert_int_equal(req.n_requirements, 0);
        assert_false(req.legacy_image);
        assert_false(req.privileged);
        nvct_request_clear(&req);
}

static void test_device_list_verbatim(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=0,GPU-1234, 2", NULL };
        nvct_request req;
        decide_ok(&c, env, NULL, true, &req);
        assert_devices(&req, "0,GPU-1234, 2");
        assert_true(req.privileged);
        nvct_request_clear(&req);

        /* A later duplicate replaces the earlier value. */
        const char *dup[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_VISIBLE_DEVICES=1", NULL };
        decide_ok(&c, dup, NULL, true, &req);
        assert_devices(&req, "1");
        nvct_request_clear(&req);
}

static void test_legacy_image_defaults(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);

        /* CUDA_VERSION set, NVIDIA_REQUIRE_CUDA unset: devices "all",
         * all capabilities and cuda>=MAJ.MIN. */
        const char *env[] = { "CUDA_VERSION=10.1.243", NULL };
        nvct_request req;
        decide_ok(&c, env, NULL, false, &req);
        assert_true(req.legacy_image);
        assert_devices(&req, "all");
        assert_string_equal(req.driver_capabilities, ALL_CAPS);
        assert_int_equal(req.driver_capabilities_len, strlen(ALL_CAPS));
        assert_int_equal(req.n_requirements, 1);
        assert_string_equal(req.requirements[0].value, "cuda>=10.1");
        assert_int_equal(req.requirements[0].value_len, strlen("cuda>=10.1"));
        assert_false(req.disable_require);
        nvct_request_clear(&req);

        /* NVIDIA_REQUIRE_CUDA empty still means legacy. */
        const char *empty_req[] = { "CUDA_VERSION=9.0", "NVIDIA_REQUIRE_CUDA=", NULL };
        decide_ok(&c, empty_req, NULL, true, &req);
        assert_true(req.legacy_image);
        assert_devices(&req, "all");
        /* The empty NVIDIA_REQUIRE_CUDA is itself a requirement variable. */
        assert_int_equal(req.n_requirements, 2);
        assert_string_equal(req.requirements[0].value, "");
        assert_string_equal(req.requirements[0].origin, "NVIDIA_REQUIRE_CUDA");
        assert_string_equal(req.requirements[1].value, "cuda>=9.0");
        nvct_request_clear(&req);

        /* An explicit device list wins over the legacy default. */
        const char *explicit_dev[] = { "CUDA_VERSION=10.0", "NVIDIA_VISIBLE_DEVICES=1", NULL };
        decide_ok(&c, explicit_dev, NULL, true, &req);
        assert_devices(&req, "1");
        assert_string_equal(req.driver_capabilities, ALL_CAPS);
        nvct_request_clear(&req);

        /* Legacy, but NVIDIA_VISIBLE_DEVICES set empty: not a GPU container. */
        const char *legacy_empty[] = { "CUDA_VERSION=10.0", "NVIDIA_VISIBLE_DEVICES=", NULL };
        assert_not_gpu(&c, legacy_empty, NULL, true);
        const char *legacy_void[] = { "CUDA_VERSION=10.0", "NVIDIA_VISIBLE_DEVICES=void", NULL };
        assert_not_gpu(&c, legacy_void, NULL, true);
}

static void test_not_legacy(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);

        /* NVIDIA_REQUIRE_CUDA set: not legacy, so no "all" default. */
        const char *with_req[] = { "CUDA_VERSION=10.1", "NVIDIA_REQUIRE_CUDA=cuda>=10.1", NULL };
        assert_not_gpu(&c, with_req, NULL, true);
        /* CUDA_VERSION empty: not legacy. */
        const char *empty_cuda[] = { "CUDA_VERSION=", NULL };
        assert_not_gpu(&c, empty_cuda, NULL, true);

        /* Not legacy: an invalid CUDA_VERSION is never parsed. */
        const char *bad[] = { "CUDA_VERSION=garbage", "NVIDIA_REQUIRE_CUDA=cuda>=11",
                              "NVIDIA_VISIBLE_DEVICES=all", NULL };
        nvct_request req;
        decide_ok(&c, bad, NULL, false, &req);
        assert_false(req.legacy_image);
        assert_devices(&req, "all");
        assert_string_equal(req.driver_capabilities, "utility,compute");
        assert_int_equal(req.n_requirements, 1);
        assert_string_equal(req.requirements[0].value, "cuda>=11");
        nvct_request_clear(&req);
}

/* ---- privileges ---- */

static void test_insufficient_privileges(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.accept_envvar_unprivileged = false;

        const char *all[] = { "NVIDIA_VISIBLE_DEVICES=all", NULL };
        assert_fails_with(&c, all, NULL, false, "insufficient privileges",
                          "NVIDIA_VISIBLE_DEVICES");
        /* "none" is a device list read from the variable too. */
        const char *none[] = { "NVIDIA_VISIBLE_DEVICES=none", NULL };
        assert_fails_with(&c, none, NULL, false, "insufficient privileges", NULL);
        /* So is the legacy default "all". */
        const char *legacy[] = { "CUDA_VERSION=10.1", NULL };
        assert_fails_with(&c, legacy, NULL, false, "insufficient privileges", NULL);

        /* Privileged: fine. */
        nvct_request req;
        decide_ok(&c, all, NULL, true, &req);
        assert_devices(&req, "all");
        nvct_request_clear(&req);
        decide_ok(&c, legacy, NULL, true, &req);
        assert_devices(&req, "all");
        nvct_request_clear(&req);

        /* Accepting the variable when unprivileged (the default): fine. */
        c.accept_envvar_unprivileged = true;
        decide_ok(&c, all, NULL, false, &req);
        assert_devices(&req, "all");
        nvct_request_clear(&req);
}

/* ---- device selection from volume mounts ---- */

static void test_devices_from_mounts(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.accept_volume_mounts = true;
        c.accept_envvar_unprivileged = false;

        const char *mounts[] = {
                "/var/run/nvidia-container-devices/0",
                "/other/path",
                "/var/run/nvidia-container-devices", /* empty device: skipped */
                "/var/run/nvidia-container-devices/GPU-abc",
                "/var/run/nvidia-container-devices/",    /* empty again */
                "/var/run/nvidia-container-devicesX",    /* string prefix, not a directory */
                "/var/run/nvidia-container-devices/a/b", /* rest of the path */
                "/var/run/nvidia-container-device",      /* too short */
                "/run/nvidia-container-devices/1",       /* other root */
                NULL,
        };
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=3", NULL };
        nvct_request req;
        /* Unprivileged and the variable not accepted: the mounts need no
         * privilege check. */
        decide_ok(&c, env, mounts, false, &req);
        assert_devices(&req, "0,GPU-abc,X,a/b");
        assert_contains(req.devices_origin, NVCT_DEVICE_LIST_MOUNT_ROOT);
        assert_string_equal(req.driver_capabilities, "utility,compute");
        nvct_request_clear(&req);

        /* Mounts win even over a variable that says void. */
        const char *voidv[] = { "NVIDIA_VISIBLE_DEVICES=void", NULL };
        const char *one[] = { "/var/run/nvidia-container-devices/7", NULL };
        decide_ok(&c, voidv, one, false, &req);
        assert_devices(&req, "7");
        nvct_request_clear(&req);
}

static void test_mounts_fall_back_to_env(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.accept_volume_mounts = true;

        /* No matching mount: the variable decides, with the privilege check. */
        const char *mounts[] = { "/var/run/nvidia-container-devices", "/dev/shm", NULL };
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=2", NULL };
        nvct_request req;
        decide_ok(&c, env, mounts, false, &req);
        assert_devices(&req, "2");
        nvct_request_clear(&req);

        c.accept_envvar_unprivileged = false;
        assert_fails_with(&c, env, mounts, false, "insufficient privileges", NULL);
        const char *unset[] = { "A=b", NULL };
        assert_not_gpu(&c, unset, mounts, false);
}

static void test_mounts_ignored_unless_accepted(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        assert_false(c.accept_volume_mounts);

        const char *mounts[] = { "/var/run/nvidia-container-devices/0", NULL };
        const char *unset[] = { "A=b", NULL };
        assert_not_gpu(&c, unset, mounts, true);

        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=5", NULL };
        nvct_request req;
        decide_ok(&c, env, mounts, true, &req);
        assert_devices(&req, "5");
        nvct_request_clear(&req);
}

/* ---- swarm resource ---- */

static void test_swarm_resource(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.swarm_resource = strdup("DOCKER_RESOURCE_GPU");
        assert_non_null(c.swarm_resource);

        nvct_request req;
        /* Set in the image: it takes precedence over NVIDIA_VISIBLE_DEVICES
         * (whatever the order in process.env). */
        const char *both[] = { "NVIDIA_VISIBLE_DEVICES=0", "DOCKER_RESOURCE_GPU=GPU-1", NULL };
        decide_ok(&c, both, NULL, true, &req);
        assert_devices(&req, "GPU-1");
        nvct_request_clear(&req);
        const char *both_rev[] = { "DOCKER_RESOURCE_GPU=GPU-1", "NVIDIA_VISIBLE_DEVICES=0", NULL };
        decide_ok(&c, both_rev, NULL, true, &req);
        assert_devices(&req, "GPU-1");
        nvct_request_clear(&req);

        /* Not set in the image: NVIDIA_VISIBLE_DEVICES. */
        const char *nv[] = { "NVIDIA_VISIBLE_DEVICES=0", NULL };
        decide_ok(&c, nv, NULL, true, &req);
        assert_devices(&req, "0");
        nvct_request_clear(&req);

        /* Set to void or empty: it still takes precedence. */
        const char *swarm_void[] = { "NVIDIA_VISIBLE_DEVICES=0", "DOCKER_RESOURCE_GPU=void", NULL };
        assert_not_gpu(&c, swarm_void, NULL, true);
        const char *swarm_empty[] = { "NVIDIA_VISIBLE_DEVICES=0", "DOCKER_RESOURCE_GPU=", NULL };
        assert_not_gpu(&c, swarm_empty, NULL, true);

        /* The privilege error names the variable the list came from. */
        c.accept_envvar_unprivileged = false;
        assert_fails_with(&c, both, NULL, false, "insufficient privileges", "DOCKER_RESOURCE_GPU");

        nvct_hook_config_clear(&c);
}

/* ---- MIG ---- */

static void test_mig_devices(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);

        const char *cfg[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_MIG_CONFIG_DEVICES=all", NULL };
        assert_fails_with(&c, cfg, NULL, false, "NVIDIA_MIG_CONFIG_DEVICES", NULL);
        const char *mon[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_MIG_MONITOR_DEVICES=1", NULL };
        assert_fails_with(&c, mon, NULL, false, "NVIDIA_MIG_MONITOR_DEVICES", NULL);

        /* Empty values are fine unprivileged. */
        const char *empty[] = { "NVIDIA_VISIBLE_DEVICES=0",
                                "NVIDIA_MIG_CONFIG_DEVICES=", "NVIDIA_MIG_MONITOR_DEVICES=", NULL };
        nvct_request req;
        decide_ok(&c, empty, NULL, false, &req);
        assert_int_equal(req.mig_config_devices_len, 0);
        assert_int_equal(req.mig_monitor_devices_len, 0);
        nvct_request_clear(&req);

        /* Privileged: both kept. */
        const char *both[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_MIG_CONFIG_DEVICES=all",
                               "NVIDIA_MIG_MONITOR_DEVICES=0,1", NULL };
        decide_ok(&c, both, NULL, true, &req);
        assert_string_equal(req.mig_config_devices, "all");
        assert_int_equal(req.mig_config_devices_len, 3);
        assert_string_equal(req.mig_monitor_devices, "0,1");
        assert_int_equal(req.mig_monitor_devices_len, 3);
        nvct_request_clear(&req);

        /* Devices from mounts do not lift the MIG check. */
        c.accept_volume_mounts = true;
        const char *mounts[] = { "/var/run/nvidia-container-devices/0", NULL };
        const char *mig_only[] = { "NVIDIA_MIG_CONFIG_DEVICES=all", NULL };
        assert_fails_with(&c, mig_only, mounts, false, "NVIDIA_MIG_CONFIG_DEVICES", NULL);
}

/* ---- driver capabilities ---- */

static void check_caps(const char *const *env, const char *expected) {
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        nvct_request req;
        decide_ok(&c, env, NULL, true, &req);
        assert_true(req.gpu_container);
        assert_non_null(req.driver_capabilities);
        assert_string_equal(req.driver_capabilities, expected);
        assert_int_equal(req.driver_capabilities_len, strlen(expected));
        assert_non_null(req.driver_capabilities_origin);
        nvct_request_clear(&req);
}

static void test_driver_capabilities(void **state) {
        (void)state;
        const char *unset[] = { "NVIDIA_VISIBLE_DEVICES=0", NULL };
        check_caps(unset, "utility,compute");
        const char *empty[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_DRIVER_CAPABILITIES=", NULL };
        check_caps(empty, "utility,compute");
        const char *all[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_DRIVER_CAPABILITIES=all", NULL };
        check_caps(all, ALL_CAPS);
        const char *upper[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_DRIVER_CAPABILITIES=ALL",
                                NULL };
        check_caps(upper, "ALL");
        const char *some[] = { "NVIDIA_VISIBLE_DEVICES=0",
                               "NVIDIA_DRIVER_CAPABILITIES=video,utility", NULL };
        check_caps(some, "video,utility");
        /* Verbatim, even when the command line would refuse it. */
        const char *odd[] = { "NVIDIA_VISIBLE_DEVICES=0",
                              "NVIDIA_DRIVER_CAPABILITIES=compute,,bogus", NULL };
        check_caps(odd, "compute,,bogus");

        /* Legacy: unset means all, empty means the default. */
        const char *legacy_unset[] = { "CUDA_VERSION=11.2", NULL };
        check_caps(legacy_unset, ALL_CAPS);
        const char *legacy_empty[] = { "CUDA_VERSION=11.2", "NVIDIA_DRIVER_CAPABILITIES=", NULL };
        check_caps(legacy_empty, "utility,compute");
        const char *legacy_set[] = { "CUDA_VERSION=11.2", "NVIDIA_DRIVER_CAPABILITIES=utility",
                                     NULL };
        check_caps(legacy_set, "utility");
}

/* ---- requirements ---- */

static void test_requirements_order(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        const char *env[] = {
                "NVIDIA_REQUIRE_B=b1",
                "NVIDIA_VISIBLE_DEVICES=0",
                "NVIDIA_REQUIRE_A=a",
                "NVIDIA_REQUIREX=not-a-requirement",
                "nvidia_require_c=not-a-requirement",
                "NVIDIA_REQUIRE_=bare-prefix",
                "NVIDIA_REQUIRE_B=b2", /* replaces b1, keeps its place */
                NULL,
        };
        nvct_request req;
        decide_ok(&c, env, NULL, true, &req);
        assert_int_equal(req.n_requirements, 3);
        assert_string_equal(req.requirements[0].value, "b2");
        assert_string_equal(req.requirements[0].origin, "NVIDIA_REQUIRE_B");
        assert_int_equal(req.requirements[0].origin_len, strlen("NVIDIA_REQUIRE_B"));
        assert_string_equal(req.requirements[1].value, "a");
        assert_string_equal(req.requirements[1].origin, "NVIDIA_REQUIRE_A");
        assert_string_equal(req.requirements[2].value, "bare-prefix");
        assert_string_equal(req.requirements[2].origin, "NVIDIA_REQUIRE_");
        assert_false(req.legacy_image);
        nvct_request_clear(&req);
}

static void test_requirements_legacy_cuda(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        static const struct {
                const char *cuda, *expected;
        } cases[] = {
                { "10.1.243", "cuda>=10.1" }, { "11", "cuda>=11.0" },     { "10.2", "cuda>=10.2" },
                { "9.0.176", "cuda>=9.0" },   { "12.4.1", "cuda>=12.4" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *cuda = NULL;
                assert_true(asprintf(&cuda, "CUDA_VERSION=%s", cases[i].cuda) > 0);
                const char *env[] = { "NVIDIA_REQUIRE_DRIVER=driver>=400", cuda, NULL };
                nvct_request req;
                decide_ok(&c, env, NULL, true, &req);
                assert_true(req.legacy_image);
                assert_int_equal(req.n_requirements, 2);
                /* Variables first, then the legacy requirement. */
                assert_string_equal(req.requirements[0].value, "driver>=400");
                assert_string_equal(req.requirements[1].value, cases[i].expected);
                assert_int_equal(req.requirements[1].value_len, strlen(cases[i].expected));
                assert_contains(req.requirements[1].origin, "CUDA_VERSION");
                nvct_request_clear(&req);
                free(cuda);
        }
}

static void test_requirements_invalid_cuda_version(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        const char *bad[] = { "CUDA_VERSION=abc", NULL };
        assert_fails_with(&c, bad, NULL, true, "CUDA_VERSION", "abc");
        const char *bad2[] = { "CUDA_VERSION=v10.1", "NVIDIA_VISIBLE_DEVICES=0", NULL };
        assert_fails_with(&c, bad2, NULL, true, "CUDA_VERSION", "v10.1");
        /* A control character in the value is escaped in the message. */
        const char *bad3[] = { "CUDA_VERSION=\x1b[31m", NULL };
        char *msg = decide_fails(&c, bad3, NULL, true);
        assert_null(strchr(msg, '\x1b'));
        assert_contains(msg, "\\x1b");
        free(msg);
}

/* ---- NVIDIA_DISABLE_REQUIRE ---- */

static void test_disable_require(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        static const char *const truthy[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const falsy[] = { "0",     "f",  "false", "",  "yes",   "on",   "tRUE",
                                             "TRUE ", " 1", "2",     "y", "truee", "FALSE" };
        for (size_t i = 0;
             i < sizeof(truthy) / sizeof(truthy[0]) + sizeof(falsy) / sizeof(falsy[0]); i++) {
                bool want = i < sizeof(truthy) / sizeof(truthy[0]);
                const char *v = want ? truthy[i] : falsy[i - sizeof(truthy) / sizeof(truthy[0])];
                char *entry = NULL;
                assert_true(asprintf(&entry, "NVIDIA_DISABLE_REQUIRE=%s", v) > 0);
                const char *env[] = { "NVIDIA_VISIBLE_DEVICES=0", entry, NULL };
                nvct_request req;
                decide_ok(&c, env, NULL, true, &req);
                if (req.disable_require != want) {
                        print_error("NVIDIA_DISABLE_REQUIRE=\"%s\": expected %d, got %d\n", v, want,
                                    req.disable_require);
                        fail();
                }
                nvct_request_clear(&req);
                free(entry);
        }
        const char *unset[] = { "NVIDIA_VISIBLE_DEVICES=0", NULL };
        nvct_request req;
        decide_ok(&c, unset, NULL, true, &req);
        assert_false(req.disable_require);
        nvct_request_clear(&req);
}

/* ---- bytes ---- */

static void test_nul_bytes_kept(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        nvct_env env;
        nvct_env_init(&env);
        nvct_error *err = NULL;
        static const char entry[] = "NVIDIA_VISIBLE_DEVICES=0\0,1";
        assert_int_equal(nvct_env_add_entry(&env, entry, sizeof(entry) - 1, 0, &err), 0);
        nvct_decision_input in = { .config = &c, .env = &env, .privileged = true };
        nvct_request req = { 0 };
        assert_int_equal(nvct_decide(&in, &req, &err), 0);
        assert_null(err);
        assert_true(req.gpu_container);
        /* The device list keeps its length, so that the command can refuse
         * the NUL instead of cutting the list. */
        assert_int_equal(req.devices_len, 4);
        assert_memory_equal(req.devices, "0\0,1", 4);
        nvct_request_clear(&req);
        nvct_env_clear(&env);
}

/* ---- the inputs 1.3.0 did not read ---- */

/* The one dropped note containing `needle`, or a failure. */
static void assert_dropped(const nvct_request *req, const char *needle) {
        for (size_t i = 0; i < req->dropped.n; i++)
                if (strstr(req->dropped.v[i], needle) != NULL)
                        return;
        print_error("no dropped note contains \"%s\" (%zu notes)\n", needle, req->dropped.n);
        fail();
}

static void assert_imex(const nvct_request *req, const char *expected) {
        if (expected == NULL) {
                assert_int_equal(req->imex_channels_len, 0);
                return;
        }
        assert_non_null(req->imex_channels);
        assert_string_equal(req->imex_channels, expected);
        assert_int_equal(req->imex_channels_len, strlen(expected));
        assert_non_null(req->imex_channels_origin);
}

static void test_imex_from_env(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        nvct_request req;
        static const struct {
                const char *entry, *channels;
        } cases[] = {
                { "NVIDIA_IMEX_CHANNELS=0,3", "0,3" },
                { "NVIDIA_IMEX_CHANNELS= 1 ,,2 ,", "1,2" },
                { "NVIDIA_IMEX_CHANNELS=all", NULL },
                { "NVIDIA_IMEX_CHANNELS=0,all", NULL },
                { "NVIDIA_IMEX_CHANNELS=none", NULL },
                { "NVIDIA_IMEX_CHANNELS=1,void,all", NULL },
                { "NVIDIA_IMEX_CHANNELS=", NULL },
                { "NVIDIA_IMEX_CHANNELS= , ", NULL },
                { "PATH=/bin", NULL },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const char *env[] = { "NVIDIA_VISIBLE_DEVICES=0", cases[i].entry, NULL };
                decide_ok(&c, env, NULL, false, &req);
                assert_devices(&req, "0");
                assert_imex(&req, cases[i].channels);
                nvct_request_clear(&req);
        }
        /* all: ignored, and said so. */
        const char *all[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_IMEX_CHANNELS=all", NULL };
        decide_ok(&c, all, NULL, false, &req);
        assert_dropped(&req, "all is not a channel list");
        nvct_request_clear(&req);

        /* Not a GPU container: no channels, nothing else decided. */
        const char *alone[] = { "NVIDIA_IMEX_CHANNELS=0", NULL };
        decide_ok(&c, alone, NULL, false, &req);
        assert_false(req.gpu_container);
        assert_imex(&req, NULL);
        assert_int_equal(req.dropped.n, 0);
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_imex_unprivileged(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.accept_envvar_unprivileged = false;
        c.accept_volume_mounts = true;
        nvct_request req;
        /* GPUs from mounts: kept; channels from env: dropped, said why. */
        const char *env[] = { "NVIDIA_IMEX_CHANNELS=0", NULL };
        const char *mounts[] = { NVCT_DEVICE_LIST_MOUNT_ROOT "/GPU-1", NULL };
        decide_ok(&c, env, mounts, false, &req);
        assert_devices(&req, "GPU-1");
        assert_imex(&req, NULL);
        assert_dropped(&req, "not privileged");
        nvct_request_clear(&req);
        /* Privileged: taken. */
        decide_ok(&c, env, mounts, true, &req);
        assert_imex(&req, "0");
        assert_string_equal(req.imex_channels_origin, "NVIDIA_IMEX_CHANNELS");
        nvct_request_clear(&req);
        /* Mount channels need no privileges. */
        const char *both[] = { NVCT_DEVICE_LIST_MOUNT_ROOT "/GPU-1",
                               NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/4", NULL };
        decide_ok(&c, env, both, false, &req);
        assert_devices(&req, "GPU-1");
        assert_imex(&req, "4");
        assert_dropped(&req, "take precedence");
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_imex_from_mounts(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.accept_volume_mounts = true;
        nvct_request req;
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=7", "NVIDIA_IMEX_CHANNELS=9", NULL };
        /* imex/ entries are channels, each once, not GPUs. */
        const char *mounts[] = { NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/2",
                                 NVCT_DEVICE_LIST_MOUNT_ROOT "/GPU-1",
                                 NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/1",
                                 NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/2",
                                 NVCT_DEVICE_LIST_MOUNT_ROOT "imex/3",
                                 NVCT_DEVICE_LIST_MOUNT_ROOT "/imex",
                                 NULL };
        decide_ok(&c, env, mounts, true, &req);
        /* ".../imex" (no channel) stays a device, as in NVIDIA's hook. */
        assert_devices(&req, "GPU-1,imex");
        assert_imex(&req, "2,1,3");
        assert_string_equal(req.imex_channels_origin,
                            "4 volume mount(s) under " NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/");
        nvct_request_clear(&req);

        /* Only channel mounts: the GPUs come from the environment. */
        const char *only[] = { NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/5", NULL };
        decide_ok(&c, env, only, true, &req);
        assert_devices(&req, "7");
        assert_imex(&req, "5");
        nvct_request_clear(&req);

        /* Not accepted: the mounts are not read, the variable is. */
        c.accept_volume_mounts = false;
        decide_ok(&c, env, only, true, &req);
        assert_devices(&req, "7");
        assert_imex(&req, "9");
        nvct_request_clear(&req);

        /* Many repeats of one channel: one probe each, one channel. */
        enum { N = 20000 };
        const char **many = calloc(N + 1, sizeof(*many));
        assert_non_null(many);
        for (size_t i = 0; i < N; i++)
                many[i] = NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/1";
        c.accept_volume_mounts = true;
        decide_ok(&c, env, many, true, &req);
        assert_imex(&req, "1");
        nvct_request_clear(&req);
        free(many);
        nvct_hook_config_clear(&c);
}

static void test_imex_ignored_by_feature(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.accept_volume_mounts = true;
        c.features.ignore_imex_channel_requests = true;
        nvct_request req;
        const char *env[] = { "NVIDIA_IMEX_CHANNELS=0", NULL };
        const char *mounts[] = { NVCT_DEVICE_LIST_MOUNT_ROOT "/GPU-1",
                                 NVCT_DEVICE_LIST_MOUNT_ROOT "/imex/1", NULL };
        decide_ok(&c, env, mounts, true, &req);
        assert_devices(&req, "GPU-1");
        assert_imex(&req, NULL);
        assert_null(req.imex_channels_origin);
        assert_int_equal(req.dropped.n, 2);
        assert_dropped(&req, "ignore-imex-channel-requests = true");
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_swarm_several_names(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        c.swarm_resource = strdup(" SWARM_A , ,SWARM_B,SWARM_C");
        assert_non_null(c.swarm_resource);
        nvct_request req;
        const char *env[] = { "SWARM_C=2", "NVIDIA_VISIBLE_DEVICES=all", "SWARM_A= 0,1 ", NULL };
        decide_ok(&c, env, NULL, true, &req);
        assert_devices(&req, "0,1,2");
        assert_string_equal(req.devices_origin, "SWARM_A,SWARM_C (swarm-resource)");
        nvct_request_clear(&req);

        const char *none_set[] = { "NVIDIA_VISIBLE_DEVICES=3", NULL };
        decide_ok(&c, none_set, NULL, true, &req);
        assert_devices(&req, "3");
        nvct_request_clear(&req);

        const char *with_void[] = { "SWARM_A=0", "SWARM_B=void", NULL };
        assert_not_gpu(&c, with_void, NULL, true);
        const char *empty[] = { "SWARM_A=", "NVIDIA_VISIBLE_DEVICES=0", NULL };
        assert_not_gpu(&c, empty, NULL, true);
        const char *with_none[] = { "SWARM_A=0", "SWARM_B=none", NULL };
        decide_ok(&c, with_none, NULL, true, &req);
        assert_devices(&req, "");
        nvct_request_clear(&req);
        const char *with_all[] = { "SWARM_A=0", "SWARM_C=all", NULL };
        decide_ok(&c, with_all, NULL, true, &req);
        assert_devices(&req, "all");
        nvct_request_clear(&req);

        c.accept_envvar_unprivileged = false;
        assert_fails_with(&c, env, NULL, false, "insufficient privileges", "SWARM_A,SWARM_C");
        nvct_hook_config_clear(&c);
}

static void test_jetpack_not_a_requirement(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        nvct_request req;
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=0",     "NVIDIA_REQUIRE_JETPACK=csv",
                              "NVIDIA_REQUIRE_CUDA=cuda>=11", "NVIDIA_REQUIRE_JETPACK_X=y",
                              "NVIDIA_REQUIRE_JETPAC=z",      NULL };
        decide_ok(&c, env, NULL, true, &req);
        assert_int_equal(req.n_requirements, 2);
        assert_string_equal(req.requirements[0].value, "cuda>=11");
        assert_string_equal(req.requirements[1].origin, "NVIDIA_REQUIRE_JETPAC");
        assert_int_equal(req.dropped.n, 2);
        assert_dropped(&req, "NVIDIA_REQUIRE_JETPACK=\"csv\": not a requirement");
        assert_dropped(&req, "NVIDIA_REQUIRE_JETPACK_X=\"y\"");
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void assert_caps(const nvct_hook_config *c, const char *const *env, const char *expected) {
        nvct_request req;
        decide_ok(c, env, NULL, true, &req);
        assert_string_equal(req.driver_capabilities, expected);
        assert_int_equal(req.driver_capabilities_len, strlen(expected));
        nvct_request_clear(&req);
}

static void test_supported_capabilities(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        as_hook = true;
        const char *unset[] = { "NVIDIA_VISIBLE_DEVICES=0", NULL };
        const char *all[] = { "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_DRIVER_CAPABILITIES=all", NULL };
        const char *video[] = { "NVIDIA_VISIBLE_DEVICES=0",
                                "NVIDIA_DRIVER_CAPABILITIES=video,compute", NULL };
        const char *legacy[] = { "CUDA_VERSION=11.0", NULL };
        /* Unset: 1.3.0's rule, whatever is asked. */
        assert_caps(&c, all, ALL_CAPS);
        assert_caps(&c, video, "video,compute");

        c.supported_driver_capabilities = strdup(" compute, video,,utility ");
        assert_non_null(c.supported_driver_capabilities);
        assert_caps(&c, unset, "utility,compute");
        assert_caps(&c, all, "compute,utility,video");
        assert_caps(&c, video, "video,compute");
        assert_caps(&c, legacy, "compute,utility,video");
        const char *outside[] = { "NVIDIA_VISIBLE_DEVICES=0",
                                  "NVIDIA_DRIVER_CAPABILITIES=compute,graphics", NULL };
        assert_fails_with(&c, outside, NULL, true, "\"graphics\"",
                          "allows only compute,utility,video");
        /* Past the first empty entry nothing becomes a flag: not checked. */
        const char *after_empty[] = { "NVIDIA_VISIBLE_DEVICES=0",
                                      "NVIDIA_DRIVER_CAPABILITIES=compute,,graphics", NULL };
        assert_caps(&c, after_empty, "compute,,graphics");

        free(c.supported_driver_capabilities);
        c.supported_driver_capabilities = strdup("graphics");
        nvct_request req;
        decide_ok(&c, unset, NULL, true, &req);
        assert_string_equal(req.driver_capabilities, "");
        assert_dropped(&req, "driver capabilities utility,compute: not in");
        nvct_request_clear(&req);

        free(c.supported_driver_capabilities);
        c.supported_driver_capabilities = strdup("all");
        assert_caps(&c, all, ALL_CAPS);
        assert_caps(&c, unset, "utility,compute");

        free(c.supported_driver_capabilities);
        c.supported_driver_capabilities = strdup("compute,all");
        assert_fails_with(&c, unset, NULL, true, "invalid supported-driver-capabilities",
                          "\"all\" is not a driver capability");
        /* Not a GPU container: not looked at. */
        const char *none[] = { "PATH=/bin", NULL };
        assert_not_gpu(&c, none, NULL, true);

        /* The runc wrapper (not the hook) keeps 1.3.0's rule. */
        as_hook = false;
        assert_caps(&c, video, "video,compute");
        nvct_hook_config_clear(&c);
}

static void test_cuda_compat_mode(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        as_hook = true;
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=0", NULL };
        nvct_request req;
        decide_ok(&c, env, NULL, true, &req);
        assert_null(req.cuda_compat_mode);
        nvct_request_clear(&req);
        static const char *const map[][2] = {
                { "ldconfig", "ldconfig" },
                { "mount", "mount" },
                { "hook", "disabled" },
                { "disabled", "disabled" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
                c.runtime.legacy.cuda_compat_mode = strdup(map[i][0]);
                decide_ok(&c, env, NULL, true, &req);
                assert_string_equal(req.cuda_compat_mode, map[i][1]);
                assert_non_null(strstr(req.cuda_compat_mode_origin, map[i][0]));
                nvct_request_clear(&req);
                free(c.runtime.legacy.cuda_compat_mode);
        }
        c.runtime.legacy.cuda_compat_mode = strdup("Mount");
        assert_fails_with(&c, env, NULL, true, "cuda-compat-mode \"Mount\"",
                          "expected ldconfig, mount, hook or disabled");
        as_hook = false;
        decide_ok(&c, env, NULL, true, &req);
        assert_null(req.cuda_compat_mode);
        nvct_request_clear(&req);
        nvct_hook_config_clear(&c);
}

static void test_runtime_mode(void **state) {
        (void)state;
        nvct_hook_config c;
        nvct_hook_config_init_defaults(&c);
        as_hook = true;
        const char *env[] = { "NVIDIA_VISIBLE_DEVICES=0", NULL };
        const char *none[] = { "PATH=/bin", NULL };
        nvct_request req;
        decide_ok(&c, env, NULL, true, &req);
        assert_null(req.runtime_mode_origin);
        nvct_request_clear(&req);
        const char *act[] = { "auto", "legacy", "" };
        for (size_t i = 0; i < ARRAY_SIZE(act); i++) {
                c.runtime.mode = strdup(act[i]);
                decide_ok(&c, env, NULL, true, &req);
                assert_non_null(strstr(req.runtime_mode_origin, "acts in legacy and auto"));
                nvct_request_clear(&req);
                free(c.runtime.mode);
        }
        const char *refuse[] = { "cdi", "jit-cdi", "csv" };
        for (size_t i = 0; i < ARRAY_SIZE(refuse); i++) {
                c.runtime.mode = strdup(refuse[i]);
                char needle[64];
                snprintf(needle, sizeof(needle), "mode is \"%s\"", refuse[i]);
                assert_fails_with(&c, env, NULL, true, "refusing to inject GPUs", needle);
                /* Not a GPU container: nothing to refuse. */
                assert_not_gpu(&c, none, NULL, true);
                /* skip-mode-detection: acts, and says why. */
                c.runtime_hook.skip_mode_detection = true;
                decide_ok(&c, env, NULL, true, &req);
                assert_non_null(strstr(req.runtime_mode_origin, "skip-mode-detection = true"));
                nvct_request_clear(&req);
                c.runtime_hook.skip_mode_detection = false;
                /* The runc wrapper owns those modes: not its refusal. */
                as_hook = false;
                decide_ok(&c, env, NULL, true, &req);
                nvct_request_clear(&req);
                as_hook = true;
                free(c.runtime.mode);
        }
        c.runtime.mode = strdup("CDI");
        assert_fails_with(&c, env, NULL, true, "invalid nvidia-container-runtime.mode \"CDI\"",
                          "expected auto, legacy, cdi, jit-cdi or csv");
        c.runtime_hook.skip_mode_detection = true;
        decide_ok(&c, env, NULL, true, &req);
        nvct_request_clear(&req);
        as_hook = false;
        nvct_hook_config_clear(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_not_gpu_when_unset_empty_or_void),
                cmocka_unit_test(test_not_gpu_decides_nothing_else),
                cmocka_unit_test(test_none_is_gpu_without_devices),
                cmocka_unit_test(test_device_list_verbatim),
                cmocka_unit_test(test_legacy_image_defaults),
                cmocka_unit_test(test_not_legacy),
                cmocka_unit_test(test_insufficient_privileges),
                cmocka_unit_test(test_devices_from_mounts),
                cmocka_unit_test(test_mounts_fall_back_to_env),
                cmocka_unit_test(test_mounts_ignored_unless_accepted),
                cmocka_unit_test(test_swarm_resource),
                cmocka_unit_test(test_mig_devices),
                cmocka_unit_test(test_driver_capabilities),
                cmocka_unit_test(test_requirements_order),
                cmocka_unit_test(test_requirements_legacy_cuda),
                cmocka_unit_test(test_requirements_invalid_cuda_version),
                cmocka_unit_test(test_disable_require),
                cmocka_unit_test(test_nul_bytes_kept),
                cmocka_unit_test(test_imex_from_env),
                cmocka_unit_test(test_imex_unprivileged),
                cmocka_unit_test(test_imex_from_mounts),
                cmocka_unit_test(test_imex_ignored_by_feature),
                cmocka_unit_test(test_swarm_several_names),
                cmocka_unit_test(test_jetpack_not_a_requirement),
                cmocka_unit_test(test_supported_capabilities),
                cmocka_unit_test(test_cuda_compat_mode),
                cmocka_unit_test(test_runtime_mode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for runtime/request (the hook's decision over config.json's
 * bytes, device lists, annotation devices, qualified names) and
 * runtime/gpus (which NVML GPUs a device name selects). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/strv.h"
#include "config/config.h"
#include "oci/edit.h"
#include "runtime/gpus.h"
#include "runtime/request.h"
#include "testutil.h"

/* ---- helpers ---- */

/* Fails unless `names` holds exactly the NULL-terminated `want`, in order. */
static void assert_names(const nvct_strv *names, const char *const *want) {
        size_t n = 0;
        while (want[n] != NULL)
                n++;
        if (names->n != n) {
                for (size_t i = 0; i < names->n; i++)
                        print_error("names[%zu] = \"%s\"\n", i, names->v[i]);
                fail_msg("%zu names, %zu expected", names->n, n);
        }
        for (size_t i = 0; i < n; i++)
                assert_string_equal(names->v[i], want[i]);
}

static void add_ok(nvct_strv *names, const char *list, size_t len) {
        nvct_error *err = NULL;
        if (nvct_runtime_add_device_list(names, list, len, "NVIDIA_VISIBLE_DEVICES", &err) < 0)
                fail_msg("%s", err->msg);
        assert_null(err);
}

static void add_str_ok(nvct_strv *names, const char *list) {
        add_ok(names, list, strlen(list));
}

/* The exact message of a failing add. */
static void add_fails(nvct_strv *names, const char *list, size_t len, const char *origin,
                      const char *want) {
        nvct_error *err = NULL;
        assert_int_equal(nvct_runtime_add_device_list(names, list, len, origin, &err), -1);
        assert_non_null(err);
        assert_string_equal(err->msg, want);
        nvct_error_free(&err);
}

static void config_init(nvct_config *c) {
        nvct_error *err = NULL;
        if (nvct_config_init_defaults(c, NVCT_CONFIG_PROFILE_TOOLKIT, &err) < 0)
                fail_msg("%s", err->msg);
}

/* ---- nvct_runtime_decide ---- */

static void decide_ok(const char *json, nvct_request *req) {
        nvct_config c;
        config_init(&c);
        nvct_error *err = NULL;
        int r = nvct_runtime_decide(&c, json, strlen(json), "/b/config.json", req, &err);
        nvct_config_clear(&c);
        if (r < 0)
                fail_msg("%s", err->msg);
}

static void test_decide(void **state) {
        (void)state;
        nvct_request req;
        decide_ok("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":["
                  "\"PATH=/bin\","
                  "\"NVIDIA_VISIBLE_DEVICES=0,GPU-1\",\"NVIDIA_DRIVER_CAPABILITIES=utility\"]}}",
                  &req);
        assert_true(req.gpu_container);
        assert_int_equal(req.devices_len, 7);
        assert_memory_equal(req.devices, "0,GPU-1", 7);
        assert_contains(req.devices_origin, "NVIDIA_VISIBLE_DEVICES");
        assert_memory_equal(req.driver_capabilities, "utility", 7);
        nvct_request_clear(&req);

        /* No variable (a CUDA image without NVIDIA_VISIBLE_DEVICES is not a
         * legacy image either): not a GPU container. */
        decide_ok("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":["
                  "\"PATH=/bin\"]}}",
                  &req);
        assert_false(req.gpu_container);
        nvct_request_clear(&req);
        decide_ok("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":["
                  "\"NVIDIA_VISIBLE_DEVICES=void\"]}}",
                  &req);
        assert_false(req.gpu_container);
        nvct_request_clear(&req);

        /* A legacy image (CUDA_VERSION, no NVIDIA_REQUIRE_CUDA) gets every
         * GPU and its CUDA requirement, as the hook decides. */
        decide_ok("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":["
                  "\"CUDA_VERSION=11.0.3\"]}}",
                  &req);
        assert_true(req.gpu_container);
        assert_true(req.legacy_image);
        assert_memory_equal(req.devices, "all", 3);
        assert_int_equal(req.n_requirements, 1);
        assert_memory_equal(req.requirements[0].value, "cuda>=11.0", 10);
        nvct_request_clear(&req);

        /* The requirements keep their variables. */
        decide_ok("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":["
                  "\"NVIDIA_VISIBLE_DEVICES=all\","
                  "\"NVIDIA_REQUIRE_CUDA=cuda>=12.0 brand=tesla\",\"NVIDIA_REQUIRE_X=arch=9.0\"]}}",
                  &req);
        assert_int_equal(req.n_requirements, 2);
        assert_string_equal(req.requirements[0].origin, "NVIDIA_REQUIRE_CUDA");
        assert_memory_equal(req.requirements[0].value, "cuda>=12.0 brand=tesla", 22);
        assert_string_equal(req.requirements[1].origin, "NVIDIA_REQUIRE_X");
        nvct_request_clear(&req);
}

static void test_decide_errors(void **state) {
        (void)state;
        nvct_config c;
        config_init(&c);
        nvct_request req = { .devices = (char *)"untouched" };
        nvct_error *err = NULL;
        const char *bad = "{\"process\":{\"env\":[\"NVIDIA_VISIBLE_DEVICES=0\"";
        assert_int_equal(nvct_runtime_decide(&c, bad, strlen(bad), "/b\n/config.json", &req, &err),
                         -1);
        assert_non_null(err);
        /* The path is named, quoted (one line). */
        assert_contains(err->msg, "\"/b\\n/config.json\"");
        assert_null(strchr(err->msg, '\n'));
        assert_string_equal(req.devices, "untouched");
        nvct_error_free(&err);

        /* process.env of the wrong type. */
        const char *wrong = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{"
                            "\"env\":\"NVIDIA_VISIBLE_DEVICES=0\"}}";
        assert_int_equal(
                nvct_runtime_decide(&c, wrong, strlen(wrong), "/b/config.json", &req, &err), -1);
        assert_string_equal(err->msg, "\"/b/config.json\": process.env: cannot be a string");
        nvct_error_free(&err);
        nvct_config_clear(&c);
}

/* The request as create reads it: the decision, then its device list. */
static int decide_with(const nvct_config *c, const char *json, nvct_strv *names, char **ret_msg) {
        nvct_request req;
        nvct_error *err = NULL;
        int r = nvct_runtime_decide(c, json, strlen(json), "/b/config.json", &req, &err);
        bool decided = r == 0;
        if (decided && req.gpu_container)
                r = nvct_runtime_add_device_list(names, req.devices, req.devices_len,
                                                 req.devices_origin, &err);
        if (decided)
                nvct_request_clear(&req);
        if (r < 0)
                *ret_msg = strdup(err->msg);
        nvct_error_free(&err);
        return r;
}

static void test_decide_devices(void **state) {
        (void)state;
        nvct_config c;
        config_init(&c);
        nvct_strv names = { 0 };
        char *msg = NULL;
        /* A NUL in the variable: refused where it becomes a name, naming
         * the variable. */
        assert_int_equal(decide_with(&c,
                                     "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},"
                                     "\"process\":{\"env\":[\"NVIDIA_VISIBLE_DEVICES=0,"
                                     "\\u0000x\"]}}",
                                     &names, &msg),
                         -1);
        assert_string_equal(msg, "NVIDIA_VISIBLE_DEVICES: invalid device name \"\\x00x\"");
        free(msg);
        nvct_strv_clear(&names);

        /* "none": a GPU container with no device. */
        assert_int_equal(decide_with(&c,
                                     "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},"
                                     "\"process\":{\"env\":[\"NVIDIA_VISIBLE_DEVICES=none\"]}}",
                                     &names, &msg),
                         0);
        assert_int_equal(names.n, 0);

        /* Device-list volume mounts, when the config accepts them. */
        const char *mounts =
                "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":["
                "\"NVIDIA_VISIBLE_DEVICES=3\"]},\"mounts\":[{\"destination\":"
                "\"/var/run/nvidia-container-devices/GPU-1\",\"source\":\"/dev/null\"},"
                "{\"destination\":\"/var/run/nvidia-container-devices/0\",\"source\":"
                "\"/dev/null\"},{\"destination\":\"/var/run/nvidia-container-devices/GPU-1\","
                "\"source\":\"/dev/null\"}]}";
        c.accept_volume_mounts = true;
        assert_int_equal(decide_with(&c, mounts, &names, &msg), 0);
        assert_names(&names, (const char *[]){ "GPU-1", "0", NULL });
        nvct_strv_clear(&names);
        c.accept_volume_mounts = false;
        assert_int_equal(decide_with(&c, mounts, &names, &msg), 0);
        assert_names(&names, (const char *[]){ "3", NULL });
        nvct_strv_clear(&names);

        /* An unprivileged container may not name devices in its
         * environment when the config says so; CAP_SYS_ADMIN in the
         * bounding set is privileged. */
        c.accept_envvar_unprivileged = false;
        const char *env = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":"
                          "{\"env\":[\"NVIDIA_VISIBLE_DEVICES=1\"]}}";
        assert_int_equal(decide_with(&c, env, &names, &msg), -1);
        assert_contains(msg, "insufficient privileges to read device list from "
                             "NVIDIA_VISIBLE_DEVICES");
        free(msg);
        const char *priv = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":"
                           "{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]},"
                           "\"env\":[\"NVIDIA_VISIBLE_DEVICES=1\"]}}";
        assert_int_equal(decide_with(&c, priv, &names, &msg), 0);
        assert_names(&names, (const char *[]){ "1", NULL });
        nvct_strv_clear(&names);
        nvct_config_clear(&c);
}

/* ---- nvct_runtime_add_device_list ---- */

static void test_device_list(void **state) {
        (void)state;
        nvct_strv names = { 0 };
        add_str_ok(&names, "0,1,,2,");
        assert_names(&names, (const char *[]){ "0", "1", "2", NULL });
        /* Names already there are skipped; the order of first sight kept. */
        add_str_ok(&names, "2,3,0,3");
        assert_names(&names, (const char *[]){ "0", "1", "2", "3", NULL });
        nvct_strv_clear(&names);

        /* "none" and "void" request nothing, wherever they are; other
         * spellings are names. */
        add_str_ok(&names, "none");
        add_str_ok(&names, "void");
        add_str_ok(&names, "");
        add_str_ok(&names, ",,,");
        assert_int_equal(names.n, 0);
        add_str_ok(&names, "none,0,void,NONE, void,nonex");
        assert_names(&names, (const char *[]){ "0", "NONE", " void", "nonex", NULL });
        nvct_strv_clear(&names);

        /* Only `len` bytes are read. */
        add_ok(&names, "0,1,2", 3);
        assert_names(&names, (const char *[]){ "0", "1", NULL });
        add_ok(&names, "nvidia.com/gpu=all", 0);
        add_ok(&names, NULL, 0);
        assert_names(&names, (const char *[]){ "0", "1", NULL });
        nvct_strv_clear(&names);

        /* Names are taken as they are: no space trimmed, no case folded. */
        add_str_ok(&names, "nvidia.com/gpu=0, 0,GPU-a,gpu-a");
        assert_names(&names, (const char *[]){ "nvidia.com/gpu=0", " 0", "GPU-a", "gpu-a", NULL });
        nvct_strv_clear(&names);
}

static void test_device_list_errors(void **state) {
        (void)state;
        nvct_strv names = { 0 };
        /* A NUL byte, quoted, with its origin. */
        add_fails(&names, "0,a\0b,1", 7, "NVIDIA_VISIBLE_DEVICES",
                  "NVIDIA_VISIBLE_DEVICES: invalid device name \"a\\x00b\"");
        add_fails(&names, "\0", 1, "x", "x: invalid device name \"\\x00\"");
        nvct_strv_clear(&names);

        /* The longest name is taken; one byte more is refused, not cut. */
        char *lng = malloc(NVCT_RUNTIME_MAX_DEVICE_NAME + 2);
        assert_non_null(lng);
        memset(lng, 'a', NVCT_RUNTIME_MAX_DEVICE_NAME + 1);
        lng[NVCT_RUNTIME_MAX_DEVICE_NAME + 1] = '\0';
        add_ok(&names, lng, NVCT_RUNTIME_MAX_DEVICE_NAME);
        assert_int_equal(names.n, 1);
        assert_int_equal(strlen(names.v[0]), NVCT_RUNTIME_MAX_DEVICE_NAME);
        nvct_error *err = NULL;
        assert_int_equal(nvct_runtime_add_device_list(&names, lng, NVCT_RUNTIME_MAX_DEVICE_NAME + 1,
                                                      "NVIDIA_VISIBLE_DEVICES", &err),
                         -1);
        /* Quoted and cut: the message stays short. */
        assert_true(strncmp(err->msg, "NVIDIA_VISIBLE_DEVICES: invalid device name \"aaaa", 49) ==
                    0);
        assert_contains(err->msg, "...");
        assert_true(strlen(err->msg) < 200);
        assert_true(strlen(err->msg) > strlen(" (too long)"));
        assert_string_equal(err->msg + strlen(err->msg) - strlen(" (too long)"), " (too long)");
        nvct_error_free(&err);
        assert_int_equal(names.n, 1);
        free(lng);
        nvct_strv_clear(&names);
}

/* At most NVCT_RUNTIME_MAX_DEVICES names: names already there do not count
 * again. */
static void test_device_list_bound(void **state) {
        (void)state;
        nvct_strv names = { 0 };
        size_t cap = (size_t)NVCT_RUNTIME_MAX_DEVICES * 8 + 16;
        char *list = malloc(cap);
        assert_non_null(list);
        size_t len = 0;
        for (unsigned i = 0; i < NVCT_RUNTIME_MAX_DEVICES; i++)
                len += (size_t)snprintf(list + len, cap - len, "%s%u", i ? "," : "", i);
        add_ok(&names, list, len);
        assert_int_equal(names.n, NVCT_RUNTIME_MAX_DEVICES);
        /* Repeats, "none" and empty entries are no new names. */
        add_ok(&names, list, len);
        add_str_ok(&names, "0,none,,1023,void");
        assert_int_equal(names.n, NVCT_RUNTIME_MAX_DEVICES);
        add_fails(&names, "5,1024", 6, "annotation \"cdi.k8s.io/x\"",
                  "annotation \"cdi.k8s.io/x\": more than 1024 devices requested");
        assert_int_equal(names.n, NVCT_RUNTIME_MAX_DEVICES);
        free(list);
        nvct_strv_clear(&names);
}

/* Repeats are looked up in a hash set (request.c), not by a scan of the
 * names: many repeats of names that share long prefixes, and names already
 * there, still dedupe exactly and keep the order of first sight. */
static void test_device_list_repeats(void **state) {
        (void)state;
        nvct_strv names = { 0 };
        assert_int_equal(nvct_strv_push(&names, strdup("p7")), 0);
        assert_int_equal(nvct_strv_push(&names, strdup("p7")), 0); /* a caller's own repeat */
        size_t cap = 64u << 20;
        char *list = malloc(cap);
        assert_non_null(list);
        size_t len = 0;
        char prefix[600];
        memset(prefix, 'p', sizeof(prefix) - 1);
        prefix[sizeof(prefix) - 1] = '\0';
        /* 1000 distinct names sharing a 599-byte prefix, then "p7", each
         * repeated 40 times (24 MiB), in a shuffled order. */
        for (unsigned round = 0; round < 40; round++)
                for (unsigned i = 0; i < 1000; i++)
                        len += (size_t)snprintf(list + len, cap - len, "%s%u,p7,", prefix,
                                                (i * 7919u + round * 31u) % 1000u);
        add_ok(&names, list, len);
        assert_int_equal(names.n, 1002);
        assert_string_equal(names.v[0], "p7");
        assert_string_equal(names.v[1], "p7");
        for (unsigned i = 0; i < 1000; i++) {
                char want[700];
                snprintf(want, sizeof(want), "%s%u", prefix, (i * 7919u) % 1000u);
                assert_string_equal(names.v[2 + i], want);
        }
        free(list);
        nvct_strv_clear(&names);
}

/* ---- nvct_runtime_add_annotation_devices ---- */

typedef struct bundle {
        char *dir;
        nvct_oci_edit *edit;
} bundle;

static void bundle_load(bundle *b, const char *json) {
        b->dir = make_tmpdir_named("runtime-request");
        _cleanup_free_ char *path = xasprintf("%s/config.json", b->dir);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fputs(json, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
        nvct_error *err = NULL;
        if (nvct_oci_edit_load(b->dir, &b->edit, &err) < 0)
                fail_msg("%s", err->msg);
}

static void bundle_clear(bundle *b) {
        nvct_oci_edit_free(b->edit);
        remove_tree(b->dir);
        free(b->dir);
}

static int annotations(const char *json, const char *const *prefixes, nvct_strv *names,
                       char **ret_msg) {
        bundle b = { 0 };
        bundle_load(&b, json);
        nvct_strv p = { 0 };
        for (size_t i = 0; prefixes[i] != NULL; i++)
                assert_int_equal(nvct_strv_push(&p, strdup(prefixes[i])), 0);
        nvct_error *err = NULL;
        int r = nvct_runtime_add_annotation_devices(names, b.edit, &p, &err);
        if (r < 0) {
                assert_non_null(err);
                /* The bundle's path is in the message: make it fixed. */
                const char *at = strstr(err->msg, b.dir);
                *ret_msg = at ? xasprintf("%.*sBUNDLE%s", (int)(at - err->msg), err->msg,
                                          at + strlen(b.dir))
                              : strdup(err->msg);
                nvct_error_free(&err);
        }
        /* Reading changes nothing. */
        assert_false(nvct_oci_edit_changed(b.edit));
        nvct_strv_clear(&p);
        bundle_clear(&b);
        return r;
}

static void annotations_ok(const char *json, const char *const *prefixes, nvct_strv *names) {
        char *msg = NULL;
        if (annotations(json, prefixes, names, &msg) < 0)
                fail_msg("%s", msg);
}

static void annotations_fail(const char *json, const char *const *prefixes, const char *want) {
        nvct_strv names = { 0 };
        char *msg = NULL;
        assert_int_equal(annotations(json, prefixes, &names, &msg), -1);
        assert_string_equal(msg, want);
        free(msg);
        nvct_strv_clear(&names);
}

static const char *const k8s[] = { "cdi.k8s.io/", NULL };

static void test_annotations(void **state) {
        (void)state;
        nvct_strv names = { 0 };
        annotations_ok("{\"annotations\":{\"cdi.k8s.io/b\":\"nvidia.com/gpu=1,nvidia.com/gpu=0\","
                       "\"other\":\"nvidia.com/gpu=7\",\"cdi.k8s.io/a\":\"nvidia.com/gpu=0,"
                       "vendor.com/class=x\",\"cdi.k8s.io\":\"nvidia.com/gpu=8\","
                       "\"CDI.k8s.io/c\":\"nvidia.com/gpu=9\"}}",
                       k8s, &names);
        /* The annotations' order, then each value's; repeats skipped; only
         * keys with the prefix (case matters). */
        assert_names(&names, (const char *[]){ "nvidia.com/gpu=1", "nvidia.com/gpu=0",
                                               "vendor.com/class=x", NULL });
        nvct_strv_clear(&names);

        /* Appends after names already requested, skipping those. */
        assert_int_equal(nvct_strv_push(&names, strdup("nvidia.com/gpu=0")), 0);
        annotations_ok("{\"annotations\":{\"cdi.k8s.io/x\":\"nvidia.com/gpu=0,nvidia.com/gpu=2\","
                       "\"nvidia.cdi.k8s.io/y\":\"nvidia.com/gpu=3\"}}",
                       (const char *[]){ "nvidia.cdi.k8s.io/", "cdi.k8s.io/", NULL }, &names);
        assert_names(&names, (const char *[]){ "nvidia.com/gpu=0", "nvidia.com/gpu=2",
                                               "nvidia.com/gpu=3", NULL });
        nvct_strv_clear(&names);

        /* A key that is the prefix itself counts; an empty prefix matches
         * nothing. */
        annotations_ok("{\"annotations\":{\"cdi.k8s.io/\":\"a/b=c\",\"z\":\"a/b=d\"}}",
                       (const char *[]){ "", "cdi.k8s.io/", NULL }, &names);
        assert_names(&names, (const char *[]){ "a/b=c", NULL });
        nvct_strv_clear(&names);

        /* A key given twice: the later value, as encoding/json reads it. */
        annotations_ok("{\"annotations\":{\"cdi.k8s.io/a\":\"a/b=1\",\"cdi.k8s.io/a\":\"a/b=2\"}}",
                       k8s, &names);
        assert_names(&names, (const char *[]){ "a/b=2", NULL });
        nvct_strv_clear(&names);

        /* No annotations, null, or none with the prefix: nothing. */
        annotations_ok("{\"ociVersion\":\"1.0.2\"}", k8s, &names);
        annotations_ok("{\"annotations\":null}", k8s, &names);
        annotations_ok("{\"annotations\":{}}", k8s, &names);
        annotations_ok("{\"annotations\":{\"x\":\"a/b=c\",\"y\":7}}", k8s, &names);
        assert_int_equal(names.n, 0);

        /* No prefixes: annotations are not even read. */
        annotations_ok("{\"annotations\":[1]}", (const char *[]){ NULL }, &names);
        annotations_ok("{\"annotations\":{\"cdi.k8s.io/a\":7}}", (const char *[]){ NULL }, &names);
        assert_int_equal(names.n, 0);
}

/* Many annotations: repeats across them skipped, the bound counted over
 * all of them. */
static void test_annotations_many(void **state) {
        (void)state;
        size_t cap = 4u << 20, len = 0;
        char *json = malloc(cap);
        assert_non_null(json);
        len += (size_t)snprintf(json, cap, "{\"annotations\":{");
        for (unsigned i = 0; i < 5000; i++)
                len += (size_t)snprintf(json + len, cap - len,
                                        "%s\"cdi.k8s.io/%u\":\"v.com/c=%u,v.com/c=%u\"",
                                        i ? "," : "", i, i % 1024u, (i + 1) % 1024u);
        snprintf(json + len, cap - len, "}}");
        nvct_strv names = { 0 };
        annotations_ok(json, k8s, &names);
        assert_int_equal(names.n, 1024);
        assert_string_equal(names.v[0], "v.com/c=0");
        assert_string_equal(names.v[1023], "v.com/c=1023");
        nvct_strv_clear(&names);

        /* One name more than the bound, in the last annotation. */
        len = (size_t)snprintf(json, cap, "{\"annotations\":{");
        for (unsigned i = 0; i <= 1024; i++)
                len += (size_t)snprintf(json + len, cap - len, "%s\"cdi.k8s.io/%u\":\"v.com/c=%u\"",
                                        i ? "," : "", i, i);
        snprintf(json + len, cap - len, "}}");
        annotations_fail(json, k8s,
                         "annotation \"cdi.k8s.io/1024\": more than 1024 devices requested");
        free(json);
}

static void test_annotation_errors(void **state) {
        (void)state;
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":[\"a/b=c\"]}}", k8s,
                         "\"BUNDLE/config.json\": annotations[\"cdi.k8s.io/a\"]: a string "
                         "expected");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/\\u001b[31m\":null}}", k8s,
                         "\"BUNDLE/config.json\": annotations[\"cdi.k8s.io/\\x1b[31m\"]: a string "
                         "expected");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\"a/b=c\\u0000d\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid device name \"a/b=c\\x00d\"");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/\\n\":\"a/b=x,\\u0000\"}}", k8s,
                         "annotation \"cdi.k8s.io/\\n\": invalid device name \"\\x00\"");
        /* Every entry must be a qualified name, as the CDI reference and
         * NVIDIA's runtime read them: not a bare name, "none", nor an empty
         * entry (strings.Split's: an empty value is one). */
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\"a/b=c,0\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid CDI device name \"0\" "
                         "(vendor/class=name expected)");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\"\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid CDI device name \"\" "
                         "(vendor/class=name expected)");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\"a/b=c,\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid CDI device name \"\" "
                         "(vendor/class=name expected)");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\",a/b=c\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid CDI device name \"\" "
                         "(vendor/class=name expected)");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\"none\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid CDI device name \"none\" "
                         "(vendor/class=name expected)");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\"a/b=\\u001b[2J\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid CDI device name \"a/b=\\x1b[2J\" "
                         "(vendor/class=name expected)");
        annotations_fail("{\"annotations\":{\"cdi.k8s.io/a\":\"a/b=c, a/b=d\"}}", k8s,
                         "annotation \"cdi.k8s.io/a\": invalid CDI device name \" a/b=d\" "
                         "(vendor/class=name expected)");
        /* annotations of the wrong kind: the editor's message. */
        char *msg = NULL;
        nvct_strv names = { 0 };
        assert_int_equal(annotations("{\"annotations\":[\"cdi.k8s.io/a\"]}", k8s, &names, &msg),
                         -1);
        assert_contains(msg, "\"BUNDLE/config.json\": annotations: an object expected, not a");
        assert_contains(msg, "array");
        free(msg);
        assert_int_equal(names.n, 0);
}

/* ---- qualified names ---- */

static void test_qualified(void **state) {
        (void)state;
        const char *yes[] = { "nvidia.com/gpu=0",
                              "nvidia.com/gpu=all",
                              "nvidia.com/gpu=0:1",
                              "nvidia.com/gpu=GPU-4f1c-aa",
                              "runtime.nvidia.com/gpu=mig0:1",
                              "a.b-c/d_e.f=x" };
        for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
                if (!nvct_runtime_is_qualified(yes[i]))
                        fail_msg("\"%s\" should be qualified", yes[i]);
        const char *no[] = { "0",
                             "all",
                             "GPU-4f1c",
                             "gpu=0",
                             "nvidia.com/gpu=",
                             "nvidia.com/=0",
                             "/gpu=0",
                             "=0",
                             "nvidia.com/gpu",
                             "nvidia.com/gpu=a b",
                             "nvidia.com/gpu=-0",
                             "nvidia.com/gpu=0=1",
                             "nvidia.com/g/pu=0",
                             "" };
        for (size_t i = 0; i < ARRAY_SIZE(no); i++)
                if (nvct_runtime_is_qualified(no[i]))
                        fail_msg("\"%s\" should not be qualified", no[i]);
}

static void qualify_is(const char *name, const char *kind, const char *want) {
        char *q = nvct_runtime_qualify(name, kind);
        assert_non_null(q);
        assert_string_equal(q, want);
        assert_ptr_not_equal(q, name);
        free(q);
}

static void test_qualify(void **state) {
        (void)state;
        qualify_is("0", "nvidia.com/gpu", "nvidia.com/gpu=0");
        qualify_is("all", "runtime.nvidia.com/gpu", "runtime.nvidia.com/gpu=all");
        qualify_is("GPU-1:0", "nvidia.com/gpu", "nvidia.com/gpu=GPU-1:0");
        /* Already qualified, of any kind: kept. */
        qualify_is("nvidia.com/gpu=1", "runtime.nvidia.com/gpu", "nvidia.com/gpu=1");
        qualify_is("vendor.com/class=x", "nvidia.com/gpu", "vendor.com/class=x");
        /* Not a valid qualified name: it is a device name of the default
         * kind (the registry then fails to resolve it, naming it). */
        qualify_is("gpu=0", "nvidia.com/gpu", "nvidia.com/gpu=gpu=0");
        qualify_is("", "nvidia.com/gpu", "nvidia.com/gpu=");
}

/* ---- runtime/gpus ---- */

static nvct_mig_info migs1[] = {
        { .index = 0, .gi_id = 1, .ci_id = 0, .uuid = "MIG-aaaa-0000" },
        { .index = 1, .gi_id = 2, .ci_id = 0, .uuid = "MIG-aaaa-0001" },
};

static nvct_gpu_info gpus3[] = {
        { .index = 0,
          .uuid = "GPU-0000",
          .minor = 0,
          .pci_bus_id = "00000000:3B:00.0",
          .brand = 2,
          .cc_major = 8,
          .cc_minor = 0 },
        { .index = 1,
          .uuid = "GPU-1111",
          .minor = 3,
          .pci_bus_id = "00000001:AF:1F.0",
          .brand = 2,
          .cc_major = 9,
          .cc_minor = 0,
          .mig_capable = true,
          .mig_enabled = true,
          .migs = migs1,
          .n_migs = 2 },
        { .index = 2, .uuid = "GPU-2222", .minor = 1, .brand = 5, .cc_major = 8, .cc_minor = 6 },
};

static const nvct_nvml_info host3 = {
        .driver_version = "550.54.15",
        .cuda_driver_version = 12040,
        .gpus = gpus3,
        .n_gpus = 3,
};

/* The GPUs `name` selects, as a string of 0/1 flags ("010"), or "-" when
 * it matched nothing (and then nothing is marked). */
static void selects(const char *name, const char *want) {
        bool selected[3] = { false, false, false };
        bool matched = nvct_runtime_select_gpus(&host3, name, selected);
        char got[4];
        for (size_t g = 0; g < 3; g++)
                got[g] = selected[g] ? '1' : '0';
        got[3] = '\0';
        if (!matched) {
                if (strcmp(got, "000") != 0)
                        fail_msg("\"%s\" matched nothing but marked %s", name, got);
                got[0] = '-';
                got[1] = '\0';
        }
        if (strcmp(got, want) != 0)
                fail_msg("\"%s\" selects %s, expected %s", name, got, want);
}

/* nvidia-container-cli's names, read as it reads them (legacy mode's rules
 * are for the GPUs it gives), then the CDI names it does not know. */
static void test_select_gpus(void **state) {
        (void)state;
        /* "all" in any case. */
        selects("all", "111");
        selects("ALL", "111");
        selects("All", "111");
        selects("all,0", "-");
        /* NVML indexes, as strtoumax reads them (all of the name). */
        selects("0", "100");
        selects("2", "001");
        selects("002", "001");
        selects("+1", "010");
        selects(" 1", "010");
        selects("-0", "100");
        selects("3", "-");
        selects("999999999", "-");
        selects("99999999999999999999999", "-");
        selects("-1", "-");
        selects("1 ", "-");
        selects("1x", "-");
        selects("", "-");
        selects(" ", "-");
        /* MIG devices GPU:MIG select their parent when NVML lists them
         * (sscanf "%lu:%lu": what follows is ignored). */
        selects("1:0", "010");
        selects("1:1", "010");
        selects("1:2", "-");
        selects("0:0", "-");
        selects("3:0", "-");
        selects("1:0:0", "010");
        selects("1:1x", "010");
        selects("1:", "-");
        selects(":0", "-");
        selects("1:x", "-");
        selects("x1:0", "-");
        /* UUIDs in any case; a MIG UUID selects its parent. */
        selects("GPU-1111", "010");
        selects("GPU-2222", "001");
        selects("gpu-1111", "010");
        selects("MIG-aaaa-0001", "010");
        selects("mig-AAAA-0000", "010");
        selects("GPU-111", "-");
        selects("GPU-11111", "-");
        selects("MIG-aaaa", "-");
        selects("GPU-", "-");
        /* PCI bus IDs as the CLI's sscanf reads them: hex, leading zeros
         * optional, any case, ".0" and what follows not checked; GPU 2's
         * bus ID is unknown (""). */
        selects("00000000:3B:00.0", "100");
        selects("0:3b:0", "100");
        selects("0000:3b:00.0", "100");
        selects("000000000:3b:00", "100");
        selects("0:3b:00.1", "100");
        selects("1:af:1f", "010");
        selects("00000001:Af:1F.0", "010");
        selects("0:3b:01", "-");
        selects("2:3b:00", "-");
        selects("0:3b", "-");
        selects("0:3bb:00", "-");
        selects(":3b:00", "-");
        /* The CDI names: gpuN, migI:J (digits only). */
        selects("gpu1", "010");
        selects("gpu02", "001");
        selects("gpu", "-");
        selects("gpu3", "-");
        selects("GPU1", "-");
        selects("gpu-1", "-");
        selects("gpu 1", "-");
        selects("mig1:1", "010");
        selects("mig1:2", "-");
        selects("mig0:0", "-");
        selects("mig3:0", "-");
        selects("mig:0", "-");
        selects("mig1:", "-");
        selects("mig1:x", "-");
        /* Qualified names are not device names. */
        selects("nvidia.com/gpu=0", "-");
        selects("nvidia.com/gpu=all", "-");
}

static void test_select_accumulates(void **state) {
        (void)state;
        bool selected[3] = { false, true, false };
        assert_true(nvct_runtime_select_gpus(&host3, "2", selected));
        assert_false(nvct_runtime_select_gpus(&host3, "7", selected));
        assert_true(selected[1] && selected[2] && !selected[0]);

        /* No GPUs: "all" matches nothing; a name never reads a flag. */
        const nvct_nvml_info none = { .n_gpus = 0 };
        assert_false(nvct_runtime_select_gpus(&none, "all", NULL));
        assert_false(nvct_runtime_select_gpus(&none, "0", NULL));
        assert_false(nvct_runtime_select_gpus(&none, "GPU-0000", NULL));
        assert_false(nvct_runtime_select_gpus(&none, "0:0", NULL));
}

static void test_device_part(void **state) {
        (void)state;
        assert_string_equal(nvct_runtime_device_part("nvidia.com/gpu=0", "nvidia.com/gpu"), "0");
        assert_string_equal(nvct_runtime_device_part("nvidia.com/gpu=mig1:0", "nvidia.com/gpu"),
                            "mig1:0");
        assert_string_equal(
                nvct_runtime_device_part("runtime.nvidia.com/gpu=all", "runtime.nvidia.com/gpu"),
                "all");
        /* A bare name is itself. */
        assert_string_equal(nvct_runtime_device_part("GPU-1111", "nvidia.com/gpu"), "GPU-1111");
        /* Other kinds, a kind that is a prefix of another, or an extension of
         * it. */
        assert_null(nvct_runtime_device_part("runtime.nvidia.com/gpu=0", "nvidia.com/gpu"));
        assert_null(nvct_runtime_device_part("nvidia.com/gpu=0", "runtime.nvidia.com/gpu"));
        assert_null(nvct_runtime_device_part("nvidia.com/gpux=0", "nvidia.com/gpu"));
        assert_null(nvct_runtime_device_part("nvidia.com/gp=0", "nvidia.com/gpu"));
        assert_null(nvct_runtime_device_part("vendor.com/class=0", "nvidia.com/gpu"));
        /* Legacy mode passes kind "": a name with '=' is of no kind of it. */
        assert_null(nvct_runtime_device_part("nvidia.com/gpu=0", ""));
        assert_string_equal(nvct_runtime_device_part("0", ""), "0");
}

/* ---- nvct_runtime_requested_devices, nvct_runtime_may_have_annotations ---- */

/* The request of `json` as create reads it: the decision, then the
 * annotations (when `cdi`) over the environment. */
static void requested(const char *json, bool cdi, const char *const *want, bool want_annotations) {
        nvct_request req = { 0 };
        decide_ok(json, &req);
        bundle b = { 0 };
        bundle_load(&b, json);
        nvct_strv p = { 0 }, names = { 0 };
        assert_int_equal(nvct_strv_add(&p, "cdi.k8s.io/"), 0);
        nvct_error *err = NULL;
        bool from = !want_annotations;
        if (nvct_runtime_requested_devices(&req, cdi ? b.edit : NULL, &p, &names, &from, &err) < 0)
                fail_msg("%s", err->msg);
        assert_names(&names, want);
        assert_int_equal(from, want_annotations);
        nvct_strv_clear(&names);
        nvct_strv_clear(&p);
        bundle_clear(&b);
        nvct_request_clear(&req);
}

static void test_requested_devices(void **state) {
        (void)state;
        const char *both = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{"
                           "\"env\":[\"NVIDIA_VISIBLE_DEVICES=all\"]},"
                           "\"annotations\":{\"cdi.k8s.io/gpu\":\"nvidia.com/gpu=1\"}}";
        /* The orchestrator's annotation is the request; the image's "all"
         * does not widen it. */
        requested(both, true, (const char *const[]){ "nvidia.com/gpu=1", NULL }, true);
        /* Legacy mode (no tree): the environment. */
        requested(both, false, (const char *const[]){ "all", NULL }, false);
        /* No annotation naming a device: the environment. */
        const char *env_only = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{"
                               "\"env\":[\"NVIDIA_VISIBLE_DEVICES=0,1\"]},"
                               "\"annotations\":{\"other/x\":\"nvidia.com/gpu=1\"}}";
        requested(env_only, true, (const char *const[]){ "0", "1", NULL }, false);
        /* Not a GPU container, no annotation: nothing. */
        requested("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":[\"A="
                  "b\"]}}",
                  true, (const char *const[]){ NULL }, false);
        /* void: a GPU container that asks for no device. */
        requested("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"env\":["
                  "\"NVIDIA_VISIBLE_DEVICES=void\"]"
                  "}}",
                  true, (const char *const[]){ NULL }, false);
}

static void test_may_have_annotations(void **state) {
        (void)state;
        nvct_strv p = { 0 };
        const char *with = "{\"annotations\":{\"cdi.k8s.io/x\":\"a/b=c\"}}";
        const char *without = "{\"annotations\":{\"io.kubernetes.x\":\"y\"}}";
        assert_false(nvct_runtime_may_have_annotations(&p, with, strlen(with)));
        assert_int_equal(nvct_strv_add(&p, ""), 0); /* an empty prefix is no prefix */
        assert_false(nvct_runtime_may_have_annotations(&p, with, strlen(with)));
        assert_int_equal(nvct_strv_add(&p, "cdi.k8s.io/"), 0);
        assert_true(nvct_runtime_may_have_annotations(&p, with, strlen(with)));
        assert_false(nvct_runtime_may_have_annotations(&p, without, strlen(without)));
        /* Bytes, not a C string: a NUL before the prefix does not hide it. */
        const char nul[] = "{\"a\":\"\\u0000\",\0\"cdi.k8s.io/x\":1}";
        assert_true(nvct_runtime_may_have_annotations(&p, nul, sizeof(nul) - 1));
        nvct_strv_clear(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_decide),
                cmocka_unit_test(test_decide_errors),
                cmocka_unit_test(test_decide_devices),
                cmocka_unit_test(test_device_list),
                cmocka_unit_test(test_device_list_errors),
                cmocka_unit_test(test_device_list_bound),
                cmocka_unit_test(test_device_list_repeats),
                cmocka_unit_test(test_annotations),
                cmocka_unit_test(test_annotations_many),
                cmocka_unit_test(test_annotation_errors),
                cmocka_unit_test(test_qualified),
                cmocka_unit_test(test_qualify),
                cmocka_unit_test(test_select_gpus),
                cmocka_unit_test(test_select_accumulates),
                cmocka_unit_test(test_device_part),
                cmocka_unit_test(test_requested_devices),
                cmocka_unit_test(test_may_have_annotations),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

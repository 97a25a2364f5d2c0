/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "basic/error.h"
#include "oci/edit.h"

static char bundle[64];
static char config[128];

static int setup(void **state) {
        (void)state;
        strcpy(bundle, "/tmp/test_oci_edit.XXXXXX");
        if (mkdtemp(bundle) == NULL)
                return -1;
        snprintf(config, sizeof(config), "%s/config.json", bundle);
        return 0;
}

static int teardown(void **state) {
        (void)state;
        unlink(config);
        rmdir(config);
        rmdir(bundle);
        return 0;
}

static void put(const char *text) {
        unlink(config);
        FILE *f = fopen(config, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        char *buf = malloc(80u << 20);
        assert_non_null(buf);
        size_t n = fread(buf, 1, (80u << 20) - 1, f);
        buf[n] = '\0';
        fclose(f);
        if (ret_len != NULL)
                *ret_len = n;
        return buf;
}

static void assert_file(const char *expected) {
        char *got = slurp(config, NULL);
        assert_string_equal(got, expected);
        free(got);
}

static nvct_oci_edit *load_ok(void) {
        nvct_oci_edit *e = NULL;
        nvct_error *err = NULL;
        int r = nvct_oci_edit_load(bundle, &e, &err);
        if (r < 0)
                fail_msg("%s", err->msg);
        assert_non_null(e);
        return e;
}

static void write_ok(nvct_oci_edit *e) {
        nvct_error *err = NULL;
        if (nvct_oci_edit_write(e, &err) < 0)
                fail_msg("%s", err->msg);
}

static void test_set_env(void **state) {
        (void)state;
        put("{\"ociVersion\":\"1.0.2\",\"process\":{\"env\":[\"A=1\",\"B=2\",7,\"B=x\"]},\"z\":1}");
        nvct_oci_edit *e = load_ok();
        assert_int_equal(nvct_oci_edit_set_env(e, "A=1", NULL), 0);
        assert_false(nvct_oci_edit_changed(e));
        assert_int_equal(nvct_oci_edit_set_env(e, "B=3", NULL), 0);
        assert_int_equal(nvct_oci_edit_set_env(e, "C=a=b", NULL), 0);
        assert_true(nvct_oci_edit_changed(e));
        write_ok(e);
        assert_false(nvct_oci_edit_changed(e));
        assert_file("{\"ociVersion\":\"1.0.2\",\"process\":{\"env\":[\"A=1\",\"B=3\",7,\"B=3\","
                    "\"C=a=b\"]},\"z\":1}");
        nvct_error *err = NULL;
        assert_int_equal(nvct_oci_edit_set_env(e, "=x", &err), -1);
        assert_non_null(
                strstr(err->msg, "config.json\": process.env: an entry must be NAME=VALUE"));
        nvct_error_free(&err);
        assert_int_equal(nvct_oci_edit_set_env(e, "NOEQUALS", NULL), -1);
        nvct_oci_edit_free(e);
}

/* Mounts keyed by destination and devices by path, with duplicates in the
 * file and entries added, put and removed in turn: each put and remove
 * finds exactly the entries a scan would (the counts that let them skip the
 * scan follow every change). */
static void test_keyed_entries(void **state) {
        (void)state;
        put("{\"mounts\":[{\"destination\":\"/a\",\"source\":\"1\"},{\"destination\":7},"
            "{\"destination\":\"/a\",\"source\":\"2\"}],"
            "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1,\"minor\":1},"
            "{\"path\":\"/dev/y\",\"type\":\"c\",\"major\":1,\"minor\":2},"
            "{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1,\"minor\":3}]}}");
        nvct_oci_edit *e = load_ok();
        nvct_error *err = NULL;
        bool removed = false;
        const nvct_oci_mount m3 = { .destination = "/a", .source = "3" };
        const nvct_oci_mount b = { .destination = "/b" };
        /* put /a: the first /a goes, the new one is appended. */
        assert_int_equal(nvct_oci_edit_put_mount(e, &m3, &err), 0);
        assert_int_equal(nvct_oci_edit_add_mount(e, &b, &err), 0);
        /* put /dev/x: the first goes, the new one replaces the second. */
        const nvct_oci_device x = { .path = "/dev/x",
                                    .type = 'c',
                                    .major = 9,
                                    .minor = 9,
                                    .file_mode = -1,
                                    .uid = -1,
                                    .gid = -1 };
        assert_int_equal(nvct_oci_edit_put_device(e, &x, &err), 0);
        write_ok(e);
        assert_file("{\"mounts\":[{\"destination\":7},{\"destination\":\"/a\",\"source\":\"2\"},"
                    "{\"destination\":\"/a\",\"source\":\"3\"},{\"destination\":\"/b\"}],"
                    "\"linux\":{\"devices\":[{\"path\":\"/dev/y\",\"type\":\"c\",\"major\":1,"
                    "\"minor\":2},{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":9,\"minor\":9}]}}");
        /* Two /a left, then one, then none; /b added by add_mount is found. */
        for (int i = 0; i < 2; i++) {
                assert_int_equal(nvct_oci_edit_remove_mount(e, "/a", &removed, &err), 0);
                assert_true(removed);
        }
        assert_int_equal(nvct_oci_edit_remove_mount(e, "/a", &removed, &err), 0);
        assert_false(removed);
        assert_int_equal(nvct_oci_edit_remove_mount(e, "/b", &removed, &err), 0);
        assert_true(removed);
        /* The device put twice the same way: the second changes nothing. */
        assert_int_equal(nvct_oci_edit_remove_device(e, "/dev/y", &removed, &err), 0);
        assert_true(removed);
        write_ok(e);
        assert_int_equal(nvct_oci_edit_put_device(e, &x, &err), 0);
        assert_false(nvct_oci_edit_changed(e));
        assert_int_equal(nvct_oci_edit_remove_device(e, "/dev/x", &removed, &err), 0);
        assert_true(removed);
        assert_int_equal(nvct_oci_edit_remove_device(e, "/dev/x", &removed, &err), 0);
        assert_false(removed);
        write_ok(e);
        assert_file("{\"mounts\":[{\"destination\":7}],\"linux\":{\"devices\":[]}}");
        nvct_oci_edit_free(e);
}

/* Members created go where json.Marshal of specs-go puts them; unknown
 * members stay where they were. */
static void test_create_in_spec_order(void **state) {
        (void)state;
        put("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"x-unknown\":[1.50],"
            "\"linux\":{\"namespaces\":[]}}");
        nvct_oci_edit *e = load_ok();
        const char *opts[] = { "ro", "nosuid", NULL };
        nvct_oci_mount m = { .destination = "/d", .type = "bind", .source = "/s", .options = opts };
        assert_int_equal(nvct_oci_edit_add_mount(e, &m, NULL), 0);
        nvct_oci_device d = { .path = "/dev/nvidia0",
                              .type = 'c',
                              .major = 195,
                              .minor = 0,
                              .file_mode = 438,
                              .uid = 0,
                              .gid = -1 };
        assert_int_equal(nvct_oci_edit_add_device(e, &d, NULL), 0);
        nvct_oci_device_rule r = {
                .allow = true, .type = "c", .major = 195, .minor = -1, .access = "rwm"
        };
        assert_int_equal(nvct_oci_edit_add_device_rule(e, &r, NULL), 0);
        const char *args[] = { "nvidia-cdi-hook", "update-ldcache", NULL };
        nvct_oci_hook h = { .path = "/usr/bin/nvidia-cdi-hook", .args = args, .timeout = -1 };
        assert_int_equal(nvct_oci_edit_add_hook(e, NVCT_OCI_HOOK_CREATE_CONTAINER, &h, NULL), 0);
        nvct_oci_hook h2 = { .path = "/p", .timeout = 5 };
        assert_int_equal(nvct_oci_edit_add_hook(e, NVCT_OCI_HOOK_PRESTART, &h2, NULL), 0);
        assert_int_equal(nvct_oci_edit_add_gid(e, 44, NULL), 0);
        assert_int_equal(nvct_oci_edit_add_gid(e, 44, NULL), 0);
        assert_int_equal(nvct_oci_edit_set_env(e, "N=1", NULL), 0);
        write_ok(e);
        assert_file("{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"additionalGids\":[44]},"
                    "\"env\":[\"N=1\"]},\"root\":{\"path\":\"rootfs\"},"
                    "\"mounts\":[{\"destination\":\"/d\",\"type\":\"bind\",\"source\":\"/s\","
                    "\"options\":[\"ro\",\"nosuid\"]}],"
                    "\"hooks\":{\"prestart\":[{\"path\":\"/p\",\"timeout\":5}],"
                    "\"createContainer\":[{\"path\":\"/usr/bin/nvidia-cdi-hook\",\"args\":"
                    "[\"nvidia-cdi-hook\",\"update-ldcache\"]}]},"
                    "\"x-unknown\":[1.50],"
                    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"c\","
                    "\"major\":195,\"access\":\"rwm\"}]},\"namespaces\":[],\"devices\":["
                    "{\"path\":\"/dev/nvidia0\",\"type\":\"c\",\"major\":195,\"minor\":0,"
                    "\"fileMode\":438,\"uid\":0}]}}");
        nvct_oci_edit_free(e);
}

static bool never(const nvct_document_node *hook, void *userdata) {
        (void)hook;
        (void)userdata;
        return false;
}

static void test_remove_hooks(void **state) {
        (void)state;
        put("{\"hooks\":{\"prestart\":[{\"path\":\"/usr/bin/nvidia-container-runtime-hook\","
            "\"args\":[\"x\",\"prestart\"]},{\"path\":\"/bin/other\"},{\"path\":"
            "\"nvidia-container-runtime-hook\"},{\"args\":[]}],\"poststop\":null}}");
        nvct_oci_edit *e = load_ok();
        size_t removed = 99;
        assert_int_equal(
                nvct_oci_edit_remove_hooks(e, NVCT_OCI_HOOK_PRESTART, never, NULL, &removed, NULL),
                0);
        assert_int_equal(removed, 0);
        assert_int_equal(
                nvct_oci_edit_remove_hooks(e, NVCT_OCI_HOOK_POSTSTOP, never, NULL, &removed, NULL),
                0);
        assert_false(nvct_oci_edit_changed(e));
        assert_int_equal(
                nvct_oci_edit_remove_hooks(e, NVCT_OCI_HOOK_PRESTART, nvct_oci_hook_has_basename,
                                           (void *)"nvidia-container-runtime-hook", &removed, NULL),
                0);
        assert_int_equal(removed, 2);
        const nvct_document_node *hooks = NULL;
        assert_int_equal(nvct_oci_edit_hooks(e, NVCT_OCI_HOOK_POSTSTOP, &hooks, NULL), 0);
        assert_null(hooks);
        nvct_oci_hook h = { .path = "/q", .timeout = -1 };
        assert_int_equal(nvct_oci_edit_add_hook(e, NVCT_OCI_HOOK_POSTSTOP, &h, NULL), 0);
        write_ok(e);
        assert_file("{\"hooks\":{\"prestart\":[{\"path\":\"/bin/other\"},{\"args\":[]}],"
                    "\"poststop\":[{\"path\":\"/q\"}]}}");
        nvct_oci_edit_free(e);
}

static void stat_config(struct stat *st) {
        assert_int_equal(stat(config, st), 0);
}

static void test_untouched_not_rewritten(void **state) {
        (void)state;
        put("{\"ociVersion\":\"1.0.2\",\"process\":{\"env\":[\"A=1\"]}}");
        struct stat before, after;
        stat_config(&before);
        usleep(20000);
        nvct_oci_edit *e = load_ok();
        assert_int_equal(nvct_oci_edit_set_env(e, "A=1", NULL), 0);
        write_ok(e);
        nvct_oci_edit_free(e);
        stat_config(&after);
        assert_int_equal(before.st_ino, after.st_ino);
        assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
        assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
}

static void test_mode_kept(void **state) {
        (void)state;
        put("{}");
        assert_int_equal(chmod(config, 0604), 0);
        struct stat before, after;
        stat_config(&before);
        nvct_oci_edit *e = load_ok();
        assert_int_equal(nvct_oci_edit_add_gid(e, 7, NULL), 0);
        write_ok(e);
        nvct_oci_edit_free(e);
        stat_config(&after);
        assert_int_not_equal(before.st_ino, after.st_ino);
        assert_int_equal(after.st_mode & 07777, 0604);
        assert_file("{\"process\":{\"user\":{\"additionalGids\":[7]}}}");
}

static void expect_load_error(const char *needle) {
        nvct_oci_edit *e = (nvct_oci_edit *)(uintptr_t)0x1;
        nvct_error *err = NULL;
        assert_int_equal(nvct_oci_edit_load(bundle, &e, &err), -1);
        assert_ptr_equal(e, (nvct_oci_edit *)(uintptr_t)0x1);
        assert_non_null(err);
        assert_null(strchr(err->msg, '\n'));
        assert_non_null(strstr(err->msg, "config.json"));
        if (strstr(err->msg, needle) == NULL)
                fail_msg("\"%s\" lacks \"%s\"", err->msg, needle);
        nvct_error_free(&err);
        assert_int_equal(nvct_oci_edit_load(bundle, &e, NULL), -1);
        assert_ptr_equal(e, (nvct_oci_edit *)(uintptr_t)0x1);
}

static void test_load_errors(void **state) {
        (void)state;
        unlink(config);
        expect_load_error("config.json");
        assert_int_equal(mkfifo(config, 0600), 0);
        expect_load_error("not a regular file");
        unlink(config);
        assert_int_equal(mkdir(config, 0700), 0);
        expect_load_error("not a regular file");
        rmdir(config);
        put("[]");
        expect_load_error("an object expected, not a array");
        put("{\"a\":");
        expect_load_error("line 1");
        put("{}");
        assert_int_equal(truncate(config, (off_t)NVCT_OCI_EDIT_MAX_SIZE + 1), 0);
        expect_load_error("larger than");
        unlink(config);
}

static void test_field_errors(void **state) {
        (void)state;
        put("{\"process\":{\"env\":\"A=1\",\"user\":7},\"linux\":[],\"hooks\":{\"prestart\":{}}}");
        nvct_oci_edit *e = load_ok();
        nvct_error *err = NULL;
        const nvct_document_node *node = (const nvct_document_node *)(uintptr_t)0x1;
        assert_int_equal(nvct_oci_edit_env(e, &node, &err), -1);
        assert_ptr_equal(node, (const nvct_document_node *)(uintptr_t)0x1);
        assert_non_null(strstr(err->msg, "config.json\": process.env: an array expected, not a "
                                         "string"));
        nvct_error_free(&err);
        assert_int_equal(nvct_oci_edit_set_env(e, "A=2", &err), -1);
        assert_non_null(strstr(err->msg, "process.env: an array expected"));
        nvct_error_free(&err);
        assert_int_equal(nvct_oci_edit_add_gid(e, 1, &err), -1);
        assert_non_null(strstr(err->msg, "process.user: an object expected, not a number"));
        nvct_error_free(&err);
        nvct_oci_device d = {
                .path = "/dev/x", .type = 'c', .file_mode = -1, .uid = -1, .gid = -1
        };
        assert_int_equal(nvct_oci_edit_add_device(e, &d, &err), -1);
        assert_non_null(strstr(err->msg, "linux: an object expected, not a array"));
        nvct_error_free(&err);
        d.type = 'x';
        assert_int_equal(nvct_oci_edit_add_device(e, &d, NULL), -1);
        d.type = 'b';
        d.uid = (int64_t)UINT32_MAX + 1;
        assert_int_equal(nvct_oci_edit_add_device(e, &d, &err), -1);
        assert_non_null(
                strstr(err->msg, "linux.devices: fileMode, uid and gid must fit in 32 bits"));
        nvct_error_free(&err);
        nvct_oci_hook h = { .path = "/x", .timeout = -1 };
        assert_int_equal(nvct_oci_edit_add_hook(e, NVCT_OCI_HOOK_PRESTART, &h, &err), -1);
        assert_non_null(strstr(err->msg, "hooks.prestart: an array expected, not a object"));
        nvct_error_free(&err);
        assert_int_equal(nvct_oci_edit_add_hook(e, NVCT_OCI_HOOK_KIND_COUNT, &h, NULL), -1);
        nvct_oci_mount m = { .destination = NULL };
        assert_int_equal(nvct_oci_edit_add_mount(e, &m, &err), -1);
        assert_non_null(strstr(err->msg, "destination: missing"));
        nvct_error_free(&err);
        nvct_oci_device_rule r = { .allow = false, .access = "rwx", .major = -1, .minor = -1 };
        assert_int_equal(nvct_oci_edit_add_device_rule(e, &r, NULL), -1);
        assert_false(nvct_oci_edit_changed(e));
        nvct_oci_edit_free(e);
}

static void test_bounds(void **state) {
        (void)state;
        put("{}");
        nvct_oci_edit *e = load_ok();
        for (unsigned i = 0; i < NVCT_OCI_EDIT_MAX_ADDED; i++)
                assert_int_equal(nvct_oci_edit_add_gid(e, i, NULL), 0);
        nvct_error *err = NULL;
        assert_int_equal(nvct_oci_edit_add_gid(e, 1u << 20, &err), -1);
        assert_non_null(strstr(err->msg, "too many entries added"));
        nvct_error_free(&err);
        char *big = malloc(NVCT_OCI_EDIT_MAX_STRING + 8);
        assert_non_null(big);
        memset(big, 'a', NVCT_OCI_EDIT_MAX_STRING + 7);
        big[1] = '=';
        big[NVCT_OCI_EDIT_MAX_STRING + 7] = '\0';
        assert_int_equal(nvct_oci_edit_set_env(e, big, &err), -1);
        assert_non_null(strstr(err->msg, "longer than"));
        nvct_error_free(&err);
        free(big);
        nvct_oci_edit_free(e);
}

/* A fixture edited: every member but those changed is unchanged and in
 * order, at every level the edit went through. */
static void check_fixture(const char *src) {
        size_t len;
        char *orig = slurp(src, &len);
        put(orig);
        nvct_document_options opts = { .mode = NVCT_DOCUMENT_GO };
        nvct_document_node *before = NULL, *after = NULL;
        assert_int_equal(
                nvct_document_parse(orig, len, NVCT_DOCUMENT_JSON, NULL, &opts, &before, NULL), 0);
        nvct_oci_edit *e = load_ok();
        assert_int_equal(nvct_oci_edit_set_env(e, "NVIDIA_VISIBLE_DEVICES=void", NULL), 0);
        nvct_oci_device d = { .path = "/dev/nvidiactl",
                              .type = 'c',
                              .major = 195,
                              .minor = 255,
                              .file_mode = 438,
                              .uid = 0,
                              .gid = 0 };
        assert_int_equal(nvct_oci_edit_add_device(e, &d, NULL), 0);
        nvct_oci_hook h = { .path = "/usr/bin/nvidia-cdi-hook", .timeout = -1 };
        assert_int_equal(nvct_oci_edit_add_hook(e, NVCT_OCI_HOOK_CREATE_CONTAINER, &h, NULL), 0);
        write_ok(e);
        nvct_oci_edit_free(e);
        char *out = slurp(config, &len);
        assert_int_equal(
                nvct_document_parse(out, len, NVCT_DOCUMENT_JSON, NULL, &opts, &after, NULL), 0);
        /* Top level: the same keys in the same order, hooks perhaps added
         * after mounts; the untouched members equal. */
        size_t j = 0;
        for (size_t i = 0; i < nvct_document_object_size(after); i++) {
                const char *k = nvct_document_object_key(after, i, NULL);
                nvct_document_node *a = nvct_document_object_value(after, i);
                const char *bk = nvct_document_object_key(before, j, NULL);
                if (bk == NULL || strcmp(k, bk) != 0) {
                        assert_string_equal(k, "hooks");
                        continue;
                }
                nvct_document_node *b = nvct_document_object_value(before, j++);
                if (strcmp(k, "process") != 0 && strcmp(k, "linux") != 0 && strcmp(k, "hooks") != 0)
                        assert_true(nvct_document_equal(a, b));
        }
        assert_int_equal(j, nvct_document_object_size(before));
        /* Inside process, only env changed; inside linux, only devices. */
        nvct_document_node *pb = nvct_document_object_get(before, "process"),
                           *pa = nvct_document_object_get(after, "process");
        assert_int_equal(nvct_document_object_size(pa), nvct_document_object_size(pb));
        for (size_t i = 0; i < nvct_document_object_size(pa); i++) {
                const char *k = nvct_document_object_key(pa, i, NULL);
                assert_string_equal(k, nvct_document_object_key(pb, i, NULL));
                if (strcmp(k, "env") != 0)
                        assert_true(nvct_document_equal(nvct_document_object_value(pa, i),
                                                        nvct_document_object_value(pb, i)));
        }
        nvct_document_node *env = nvct_document_object_get(pa, "env");
        bool seen = false;
        for (size_t i = 0; i < nvct_document_array_size(env); i++)
                if (strcmp(nvct_document_text(nvct_document_array_get(env, i), NULL),
                           "NVIDIA_VISIBLE_DEVICES=void") == 0)
                        seen = true;
        assert_true(seen);
        nvct_document_node *lb = nvct_document_object_get(before, "linux"),
                           *la = nvct_document_object_get(after, "linux");
        for (size_t i = 0, k = 0; i < nvct_document_object_size(la); i++) {
                const char *key = nvct_document_object_key(la, i, NULL);
                if (strcmp(key, "devices") == 0) {
                        nvct_document_node *devs = nvct_document_object_value(la, i);
                        nvct_document_node *last =
                                nvct_document_array_get(devs, nvct_document_array_size(devs) - 1);
                        assert_string_equal(
                                nvct_document_text(nvct_document_object_get(last, "path"), NULL),
                                "/dev/nvidiactl");
                        if (nvct_document_object_get(lb, "devices") != NULL)
                                k++;
                        continue;
                }
                assert_string_equal(key, nvct_document_object_key(lb, k, NULL));
                assert_true(nvct_document_equal(nvct_document_object_value(la, i),
                                                nvct_document_object_value(lb, k++)));
        }
        nvct_document_free(before);
        nvct_document_free(after);
        free(orig);
        free(out);
}

static void test_fixtures(void **state) {
        (void)state;
        check_fixture(TEST_SRCDIR "/data/config-docker.json");
        check_fixture(TEST_SRCDIR "/data/config-podman.json");
        check_fixture(TEST_SRCDIR "/data/config-containerd.json");
}

/* `runc spec` (indented): edited, it comes back compact, the same tree. */
static void test_runc_spec(void **state) {
        (void)state;
        if (access("/usr/sbin/runc", X_OK) != 0 && access("/usr/bin/runc", X_OK) != 0)
                skip();
        unlink(config);
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "runc spec --bundle %s", bundle);
        assert_int_equal(system(cmd), 0);
        check_fixture(config);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_set_env, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_in_spec_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_hooks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_untouched_not_rewritten, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mode_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_field_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keyed_entries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fixtures, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runc_spec, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

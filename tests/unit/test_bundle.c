/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for oci/bundle.h: state → bundle → config.json → the
 * container's root, the OCI hook's way (relative to the working directory)
 * and the CDI hooks' way (relative to the bundle). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/error.h"
#include "oci/bundle.h"
#include "oci/oci.h"

#define RAW(s) (s), (sizeof(s) - 1)

static nvct_state state_of(const char *bundle, size_t len) {
        nvct_state st = { .pid = 1, .bundle = malloc(len + 1), .bundle_len = len };
        assert_non_null(st.bundle);
        memcpy(st.bundle, bundle, len);
        st.bundle[len] = '\0';
        return st;
}

static void test_spec_path(void **state) {
        (void)state;
        nvct_state st = state_of(RAW("/run/b//x/"));
        char *path = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_bundle_spec_path(&st, true, &path, &err), 0);
        assert_null(err);
        assert_string_equal(path, "/run/b/x/config.json");
        free(path);
        nvct_state_clear(&st);

        /* Empty: the working directory's config.json, unless a bundle is
         * required. */
        st = state_of(RAW(""));
        assert_int_equal(nvct_bundle_spec_path(&st, false, &path, &err), 0);
        assert_string_equal(path, "config.json");
        free(path);
        path = NULL;
        assert_int_equal(nvct_bundle_spec_path(&st, true, &path, &err), -1);
        assert_null(path);
        assert_string_equal(err->msg, "invalid container state: no bundle");
        nvct_error_free(&err);
        assert_int_equal(nvct_bundle_spec_path(&st, true, &path, NULL), -1);
        nvct_state_clear(&st);

        /* A NUL would open another file than the one named. */
        st = state_of(RAW("/b\0/x"));
        assert_int_equal(nvct_bundle_spec_path(&st, false, &path, &err), -1);
        assert_string_equal(err->msg, "invalid container state: bundle contains a NUL");
        nvct_error_free(&err);
        assert_int_equal(nvct_bundle_spec_path(&st, false, &path, NULL), -1);
        assert_null(path);
        nvct_state_clear(&st);
}

/* The OCI hook's way: relative to the working directory. */
static void test_rootfs_path_cwd(void **state) {
        (void)state;
        char *saved = getcwd(NULL, 0);
        assert_non_null(saved);
        assert_int_equal(chdir("/tmp"), 0);
        unsetenv("PWD");
        char *out = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_rootfs_path(RAW("rootfs/../r"), &out, &err), 0);
        assert_string_equal(out, "/tmp/r");
        free(out);
        assert_int_equal(nvct_rootfs_path(RAW("/a//b/"), &out, &err), 0);
        assert_string_equal(out, "/a/b");
        free(out);
        assert_int_equal(nvct_rootfs_path(RAW(""), &out, &err), 0);
        assert_string_equal(out, "/tmp");
        free(out);
        out = NULL;
        assert_int_equal(nvct_rootfs_path(RAW("/a\0b"), &out, &err), -1);
        assert_string_equal(err->msg, "root.path contains a NUL character");
        nvct_error_free(&err);
        assert_int_equal(nvct_rootfs_path(RAW("a\0"), &out, NULL), -1);
        assert_null(out);
        assert_int_equal(chdir(saved), 0);
        free(saved);
}

/* The CDI hooks' way: relative to the bundle, whatever the working
 * directory. */
static void test_rootfs_path_bundle(void **state) {
        (void)state;
        const char *spec = "/b/config.json";
        char *out = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_bundle_rootfs_path("/b", spec, RAW("rootfs"), &out, &err), 0);
        assert_string_equal(out, "/b/rootfs");
        free(out);
        assert_int_equal(nvct_bundle_rootfs_path("/b", spec, RAW("../r/./"), &out, &err), 0);
        assert_string_equal(out, "/r");
        free(out);
        assert_int_equal(nvct_bundle_rootfs_path("/b", spec, RAW("//abs/x/"), &out, &err), 0);
        assert_string_equal(out, "/abs/x");
        free(out);
        out = NULL;

        struct {
                const char *path;
                size_t len;
                const char *msg;
        } bad[] = {
                { RAW(""), "\"/b/config.json\": no root.path" },
                { RAW("r\0x"), "\"/b/config.json\": root.path contains a NUL character" },
                { RAW("/"), "\"/b/config.json\": root.path is the host's root \"/\"" },
                { RAW("/x/.."), "\"/b/config.json\": root.path is the host's root \"/\"" },
                { RAW(".."), "\"/b/config.json\": root.path is the host's root \"/\"" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(
                        nvct_bundle_rootfs_path("/b", spec, bad[i].path, bad[i].len, &out, &err),
                        -1);
                assert_null(out);
                assert_string_equal(err->msg, bad[i].msg);
                nvct_error_free(&err);
                assert_int_equal(
                        nvct_bundle_rootfs_path("/b", spec, bad[i].path, bad[i].len, &out, NULL),
                        -1);
        }

        /* The spec's path is quoted: it comes from the state. */
        assert_int_equal(
                nvct_bundle_rootfs_path("/b", "/x\n\x1b[31m/config.json", RAW(""), &out, &err), -1);
        assert_null(strchr(err->msg, '\n'));
        assert_null(strchr(err->msg, '\x1b'));
        nvct_error_free(&err);
}

/* ---- the whole path ---- */

typedef struct bundle_dir {
        char path[64];
} bundle_dir;

static char *path_in(const bundle_dir *d, const char *name) {
        return xasprintf("%s/%s", d->path, name);
}

static void write_file(const char *path, const char *data) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
        assert_int_equal(close(fd), 0);
}

/* The state on a pipe, its write end closed. */
static int state_pipe(const char *json) {
        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        assert_int_equal(write(fds[1], json, strlen(json)), (ssize_t)strlen(json));
        close(fds[1]);
        return fds[0];
}

static int read_rootfs(const char *state_json, char **ret, nvct_error **err) {
        int fd = state_pipe(state_json);
        int r = nvct_bundle_read_rootfs(fd, "on stdin", ret, err);
        close(fd);
        return r;
}

static void test_read_rootfs(void **state) {
        (void)state;
        bundle_dir d;
        snprintf(d.path, sizeof(d.path), "/tmp/nvct-test-bundle-XXXXXX");
        assert_non_null(mkdtemp(d.path));
        char *config = path_in(&d, "config.json");
        /* Nothing but root is read: the rest may be anything. */
        write_file(config, "{\"process\":{\"env\":[\"JUNK\",7]},\"mounts\":1,"
                           "\"root\":{\"path\":\"rootfs\"}}");
        char *json = xasprintf("{\"pid\":12,\"bundle\":\"%s\"}", d.path);
        char *want = path_in(&d, "rootfs");
        char *out = NULL;
        nvct_error *err = NULL;
        assert_int_equal(read_rootfs(json, &out, &err), 0);
        assert_null(err);
        assert_string_equal(out, want);
        free(out);
        out = NULL;

        /* Errors say where the state came from, or name the spec. */
        assert_int_equal(read_rootfs("{\"pid\":\"x\"}", &out, &err), -1);
        assert_contains(err->msg, "could not decode the container state on stdin");
        nvct_error_free(&err);
        assert_int_equal(read_rootfs("{\"pid\":1}", &out, &err), -1);
        assert_string_equal(err->msg, "invalid container state: no bundle");
        nvct_error_free(&err);
        assert_int_equal(read_rootfs("{\"bundle\":\"/nonexistent-bundle\"}", &out, &err), -1);
        assert_contains(err->msg, "could not load the OCI spec");
        assert_contains(err->msg, "/nonexistent-bundle/config.json");
        nvct_error_free(&err);
        write_file(config, "{\"root\":{\"path\":\"/\"}}");
        assert_int_equal(read_rootfs(json, &out, &err), -1);
        assert_contains(err->msg, "root.path is the host's root");
        assert_contains(err->msg, config);
        nvct_error_free(&err);
        assert_null(out);

        /* Without an error to fill, the same failures. */
        assert_int_equal(read_rootfs(json, &out, NULL), -1);
        assert_int_equal(read_rootfs("{\"pid\":1}", &out, NULL), -1);
        assert_int_equal(read_rootfs("[", &out, NULL), -1);
        assert_null(out);

        unlink(config);
        assert_int_equal(rmdir(d.path), 0);
        free(config);
        free(json);
        free(want);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_spec_path),
                cmocka_unit_test(test_rootfs_path_cwd),
                cmocka_unit_test(test_rootfs_path_bundle),
                cmocka_unit_test(test_read_rootfs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

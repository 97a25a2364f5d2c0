/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for cdihook/params (nvidia-cdi-hook
 * disable-device-node-modification): the rewrite of the params text, and
 * the read-only copy mounted over the root's file in a private mount
 * namespace (a child process, so that nothing stays mounted), both ways the
 * copy is made, with targets that lead outside the root. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "cdihook/params.h"

#include "cdihook_fixture.h"

static char *rewrite(const char *in) {
        _cleanup_error_ nvct_error *err = NULL;
        char *out = (char *)1;
        size_t len = 99;
        assert_int_equal(nvct_params_disable_modify(in, strlen(in), &out, &len, &err), 0);
        if (out != NULL)
                assert_int_equal(len, strlen(out));
        return out;
}

static void test_rewrite(void **state) {
        (void)state;
        _cleanup_free_ char *a = rewrite("ResmanDebugLevel: 4294967295\nModifyDeviceFiles: 1\n"
                                         "DeviceFileUID: 0\n");
        assert_string_equal(a, "ResmanDebugLevel: 4294967295\nModifyDeviceFiles: 0\n"
                               "DeviceFileUID: 0\n");
        /* No final newline; CRLF: every line ends in "\n" alone. */
        _cleanup_free_ char *b = rewrite("A: 1\r\nModifyDeviceFiles: 1");
        assert_string_equal(b, "A: 1\nModifyDeviceFiles: 0\n");
        /* Nothing to do. */
        assert_null(rewrite("ModifyDeviceFiles: 0\n"));
        assert_null(rewrite("A: 1\nModifyDeviceFiles: 0\nModifyDeviceFiles: 1\n"));
        assert_null(rewrite("A: 1\n"));
        assert_null(rewrite("ModifyDeviceFiles: 2\n"));
        assert_null(rewrite("ModifyDeviceFiles:1\n"));
        assert_null(rewrite(""));
}

/* Runs `fn` in a child in a private mount namespace; its exit status:
 * 0 passed, 1 failed (printed), 77 cannot run here (not root). */
static int in_private_ns(int (*fn)(hk_fixture *), hk_fixture *f) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0)
                        _exit(errno == EPERM ? 77 : 1);
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        _exit(1);
                /* The root opened again in this namespace, as the hook opens
                 * it in the container's: a mount lands only on a mount of
                 * the caller's namespace. */
                close(f->root_fd);
                if (nvct_rootfs_open_root(f->root, &f->root_fd, NULL) < 0)
                        _exit(1);
                _exit(fn(f));
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void run_in_private_ns(int (*fn)(hk_fixture *), hk_fixture *f) {
        int r = in_private_ns(fn, f);
        if (r == 77)
                skip(); /* not root: cannot be run here, never a pass */
        assert_int_equal(r, 0);
}

#define CHILD_CHECK(cond)                                                                          \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);                 \
                        return 1;                                                                  \
                }                                                                                  \
        } while (0)

static const char copy[] = "A: 1\nModifyDeviceFiles: 0\n";

static int mount_and_check(hk_fixture *f) {
        nvct_error *err = NULL;
        if (nvct_params_mount(f->root_fd, NVCT_NVIDIA_PARAMS, copy, strlen(copy), &err) < 0) {
                fprintf(stderr, "mount: %s\n", err->msg);
                return 1;
        }
        char *path = hk_in(f, "proc/driver/nvidia/params");
        char *text = slurp_file(path, NULL);
        CHILD_CHECK(text != NULL && strcmp(text, copy) == 0);
        CHILD_CHECK(open(path, O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
        struct stat st;
        CHILD_CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0444);
        return 0;
}

static int scratch_mount_and_check(hk_fixture *f) {
        nvct_params_force_scratch(true);
        int r = mount_and_check(f);
        /* The scratch tmpfs is detached again: its folder is empty. */
        char *scratch = hk_in(f, "var/run/nvidia-ctk-hook");
        char *cmd = xasprintf("test -d '%s' && test -z \"$(ls -A '%s')\"", scratch, scratch);
        CHILD_CHECK(system(cmd) == 0);
        return r;
}

static void make_target(hk_fixture *f) {
        free(hk_mkdir(f->root, "proc/driver/nvidia"));
        _cleanup_free_ char *p = hk_in(f, "proc/driver/nvidia/params");
        hk_write(p, "ModifyDeviceFiles: 1\n", 0444);
}

static void test_mount(void **state) {
        hk_fixture *f = *state;
        make_target(f);
        run_in_private_ns(mount_and_check, f);
        /* Outside the child's namespace the file is as it was. */
        _cleanup_free_ char *p = hk_in(f, "proc/driver/nvidia/params");
        _cleanup_free_ char *text = slurp_file(p, NULL);
        assert_string_equal(text, "ModifyDeviceFiles: 1\n");
}

static void test_mount_through_scratch(void **state) {
        hk_fixture *f = *state;
        make_target(f);
        run_in_private_ns(scratch_mount_and_check, f);
}

static int mount_fails(hk_fixture *f) {
        nvct_error *err = NULL;
        CHILD_CHECK(nvct_params_mount(f->root_fd, NVCT_NVIDIA_PARAMS, copy, strlen(copy), &err) <
                    0);
        CHILD_CHECK(strstr(err->msg, "/proc/driver/nvidia/params") != NULL);
        return 0;
}

static void test_targets_outside_or_odd(void **state) {
        hk_fixture *f = *state;
        /* Missing. */
        run_in_private_ns(mount_fails, f);
        /* A symlink to the sentinel's file: that path in the root, missing. */
        free(hk_mkdir(f->root, "proc/driver/nvidia"));
        _cleanup_free_ char *secret = xasprintf("%s/secret", f->host);
        hk_symlink(secret, f, "proc/driver/nvidia/params");
        run_in_private_ns(mount_fails, f);
        /* /proc a symlink up and out: stays in the root. */
        _cleanup_free_ char *proc = hk_in(f, "proc");
        remove_tree(proc);
        hk_symlink("../../../../../../../../host/dir", f, "proc");
        run_in_private_ns(mount_fails, f);
        /* A directory in its place. */
        assert_int_equal(unlink(proc), 0);
        free(hk_mkdir(f->root, "proc/driver/nvidia/params"));
        run_in_private_ns(mount_fails, f);
}

#define T(name) cmocka_unit_test_setup_teardown(name, hk_setup, hk_teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rewrite),
                T(test_mount),
                T(test_mount_through_scratch),
                T(test_targets_outside_or_odd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for cdihook/appprofile (nvidia-cdi-hook
 * update-application-profile): which /dev entries are the container's GPUs,
 * the profile's exact text, and the file written inside the root even when
 * its directory or name lead outside. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <sys/sysmacros.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "cdihook/appprofile.h"

#include "cdihook_fixture.h"

static const char profile_0x9[] =
        "{\"profiles\":[{\"name\":\"_container_\",\"settings\":[\"EGLVisibleDGPUDevices\",0x9]}],"
        "\"rules\":[{\"pattern\":[],\"profile\":\"_container_\"}]}";

static void test_profile_text(void **state) {
        (void)state;
        char buf[256];
        size_t n = nvct_cdihook_app_profile(0x9, buf, sizeof(buf));
        assert_string_equal(buf, profile_0x9);
        assert_int_equal(n, strlen(profile_0x9));
        nvct_cdihook_app_profile(UINT64_MAX, buf, sizeof(buf));
        assert_contains(buf, "[\"EGLVisibleDGPUDevices\",0xffffffffffffffff]");
}

/* mknod needs CAP_MKNOD: without it the test cannot be run (a skip, never a
 * pass). */
static void node(hk_fixture *f, const char *rel, unsigned maj, unsigned min) {
        _cleanup_free_ char *p = hk_in(f, rel);
        if (mknod(p, S_IFCHR | 0666, makedev(maj, min)) < 0) {
                if (errno == EPERM)
                        skip();
                fail_msg("mknod %s: %s", p, strerror(errno));
        }
}

static uint64_t mask_of(hk_fixture *f) {
        _cleanup_error_ nvct_error *err = NULL;
        uint64_t mask = 0xdead;
        if (nvct_cdihook_gpu_mask(f->root_fd, &mask, &err) < 0)
                fail_msg("gpu_mask: %s", err->msg);
        return mask;
}

static void test_gpu_mask(void **state) {
        hk_fixture *f = *state;
        assert_int_equal(mask_of(f), 0); /* no /dev at all */
        free(hk_mkdir(f->root, "dev"));
        assert_int_equal(mask_of(f), 0);
        node(f, "dev/nvidia0", 195, 0);
        node(f, "dev/nvidia3", 195, 3);
        node(f, "dev/nvidiactl", 195, 255);
        node(f, "dev/nvidia-uvm", 510, 0);
        node(f, "dev/nvidia70", 195, 70); /* minor beyond the mask: left out */
        node(f, "dev/nvidiaX", 195, 9);   /* not nvidia[0-9]+ */
        node(f, "dev/nvidia", 195, 10);
        node(f, "dev/nvidia63", 195, 63);
        hk_symlink("nvidia0", f, "dev/nvidia5"); /* a symlink is not a GPU */
        _cleanup_free_ char *file = hk_in(f, "dev/nvidia7");
        hk_write(file, "", 0644); /* nor a file */
        assert_int_equal(mask_of(f), 0x8000000000000009ull);
}

static void test_dev_symlink_stays_inside(void **state) {
        hk_fixture *f = *state;
        /* /dev leads to the sentinel by its path: that path in the root. */
        hk_symlink(f->host, f, "dev");
        assert_int_equal(mask_of(f), 0);
        _cleanup_free_ char *inside = hk_mkdir(f->root, f->host + 1);
        _cleanup_free_ char *rel = xasprintf("%s/nvidia2", f->host + 1);
        node(f, rel, 195, 2);
        assert_int_equal(mask_of(f), 0x4);
}

static void test_write_profile(void **state) {
        hk_fixture *f = *state;
        _cleanup_error_ nvct_error *err = NULL;
        assert_int_equal(nvct_cdihook_write_app_profile(f->root_fd, 0x9, &err), 0);
        _cleanup_free_ char *path =
                hk_in(f, "etc/nvidia/nvidia-application-profiles-rc.d/10-container.conf");
        _cleanup_free_ char *text = slurp_file(path, NULL);
        assert_string_equal(text, profile_0x9);
        assert_int_equal(hk_mode(path), 0444);
        /* Written again: replaced (a read-only file is no obstacle). */
        assert_int_equal(nvct_cdihook_write_app_profile(f->root_fd, 0x2, &err), 0);
        free(text);
        text = slurp_file(path, NULL);
        assert_contains(text, "[\"EGLVisibleDGPUDevices\",0x2]");
}

static void test_write_profile_through_links(void **state) {
        hk_fixture *f = *state;
        _cleanup_error_ nvct_error *err = NULL;
        /* The file's name a symlink to a host file: replaced, not written
         * through. */
        _cleanup_free_ char *dir = hk_mkdir(f->root, "etc/nvidia/nvidia-application-profiles-rc.d");
        _cleanup_free_ char *secret = xasprintf("%s/secret", f->host);
        _cleanup_free_ char *name = hk_in(f, "etc/nvidia/nvidia-application-profiles-rc.d/"
                                             "10-container.conf");
        assert_int_equal(symlink(secret, name), 0);
        assert_int_equal(nvct_cdihook_write_app_profile(f->root_fd, 0x1, &err), 0);
        struct stat st;
        assert_int_equal(lstat(name, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        /* /etc/nvidia a symlink to the host's directory: made in the root. */
        remove_tree(dir);
        _cleanup_free_ char *etc_nvidia = hk_in(f, "etc/nvidia");
        remove_tree(etc_nvidia);
        _cleanup_free_ char *hostdir = xasprintf("%s/dir", f->host);
        assert_int_equal(symlink(hostdir, etc_nvidia), 0);
        assert_int_equal(nvct_cdihook_write_app_profile(f->root_fd, 0x1, &err), 0);
        _cleanup_free_ char *made = xasprintf("%s%s/nvidia-application-profiles-rc.d/"
                                              "10-container.conf",
                                              f->root, hostdir);
        _cleanup_free_ char *text = slurp_file(made, NULL);
        assert_non_null(text);
        /* A directory in the file's place: an error, and it stays. */
        _cleanup_free_ char *in_dir = xasprintf("%s%s/nvidia-application-profiles-rc.d/"
                                                "10-container.conf",
                                                f->root, hostdir);
        assert_int_equal(unlink(in_dir), 0);
        assert_int_equal(mkdir(in_dir, 0755), 0);
        assert_true(nvct_cdihook_write_app_profile(f->root_fd, 0x1, &err) < 0);
        assert_contains(err->msg, "10-container.conf");
        assert_true(hk_mode(in_dir) == 0755);
}

#define T(name) cmocka_unit_test_setup_teardown(name, hk_setup, hk_teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_profile_text), T(test_gpu_mask),
                T(test_dev_symlink_stays_inside),    T(test_write_profile),
                T(test_write_profile_through_links),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

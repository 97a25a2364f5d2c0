/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for cdihook/chmod (nvidia-cdi-hook chmod): --mode's grammar,
 * and the mode set inside a root whose symlinks lead to "/", "/etc" and a
 * sentinel directory outside it, with openat2 and with the O_NOFOLLOW walk. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/rootfs.h"
#include "cdihook/chmod.h"

#include "cdihook_fixture.h"

static void test_parse_mode(void **state) {
        (void)state;
        static const struct {
                const char *s;
                mode_t mode;
        } good[] = {
                { "755", 0755 }, { "0755", 0755 }, { "0", 0 }, { "777", 0777 }, { "00000644", 0644 }
        };
        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                mode_t m = 01;
                assert_int_equal(nvct_cdihook_parse_mode(good[i].s, &m, NULL), 0);
                assert_int_equal(m, good[i].mode);
        }
        static const struct {
                const char *s, *message;
        } bad[] = {
                { "", "a non-empty mode must be specified" },
                { "  ", "a non-empty mode must be specified" },
                { "8", "--mode \"8\": not an octal mode" },
                { " 755", "not an octal mode" },
                { "-1", "not an octal mode" },
                { "0x1ff", "not an octal mode" },
                { "4755", "only permission bits (0 to 0777)" },
                { "1000", "only permission bits" },
                { "777777777777777777777", "out of range" },
                { "0000000000000000000000000000000000755", "not an octal mode" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                _cleanup_error_ nvct_error *err = NULL;
                mode_t m = 01;
                assert_true(nvct_cdihook_parse_mode(bad[i].s, &m, &err) < 0);
                assert_contains(err->msg, bad[i].message);
                assert_int_equal(m, 01); /* untouched */
        }
}

static void check_chmod(hk_fixture *f, const char *path, mode_t mode, nvct_chmod_result expected) {
        _cleanup_error_ nvct_error *err = NULL;
        nvct_chmod_result result = (nvct_chmod_result)-1;
        if (nvct_cdihook_chmod(f->root_fd, path, mode, &result, &err) < 0)
                fail_msg("chmod %s: %s", path, err->msg);
        assert_int_equal(result, expected);
}

static void test_sets_and_skips(void **state) {
        hk_fixture *f = *state;
        _cleanup_free_ char *dri = hk_mkdir(f->root, "dev/dri");
        assert_int_equal(chmod(dri, 0700), 0);
        check_chmod(f, "/dev/dri", 0755, NVCT_CHMOD_CHANGED);
        assert_int_equal(hk_mode(dri), 0755);
        check_chmod(f, "/dev/dri", 0755, NVCT_CHMOD_UNCHANGED);
        /* Relative paths are inside the root too, as NVIDIA joins them. */
        check_chmod(f, "dev/dri", 0711, NVCT_CHMOD_CHANGED);
        assert_int_equal(hk_mode(dri), 0711);
        check_chmod(f, "/dev/nvidia-caps", 0755, NVCT_CHMOD_MISSING);
        check_chmod(f, "/dev/dri/card0/x", 0755, NVCT_CHMOD_MISSING);
        /* A file, not only directories. */
        _cleanup_free_ char *file = hk_in(f, "dev/dri/card0");
        hk_write(file, "", 0600);
        check_chmod(f, "/dev/dri/card0", 0666, NVCT_CHMOD_CHANGED);
        assert_int_equal(hk_mode(file), 0666);
}

static void test_symlinks_stay_inside(void **state) {
        hk_fixture *f = *state;
        free(hk_mkdir(f->root, "dev"));
        _cleanup_free_ char *etc = hk_mkdir(f->root, "etc");
        assert_int_equal(chmod(etc, 0700), 0);
        /* To the host's /etc by name: the root's /etc. */
        hk_symlink("/etc", f, "dev/dri");
        check_chmod(f, "/dev/dri", 0755, NVCT_CHMOD_CHANGED);
        assert_int_equal(hk_mode(etc), 0755);
        _cleanup_free_ char *link = hk_in(f, "dev/dri");
        assert_int_equal(unlink(link), 0);

        /* To the sentinel by its absolute path and by "..": not in the
         * root, so missing (the teardown checks the sentinel). */
        _cleanup_free_ char *abs_secret = xasprintf("%s/secret", f->host);
        hk_symlink(abs_secret, f, "dev/abs");
        hk_symlink("../../../../../../../../../../host/secret", f, "dev/rel");
        _cleanup_free_ char *up = xasprintf("../../../../../../../../..%s", f->host);
        hk_symlink(up, f, "dev/updir");
        check_chmod(f, "/dev/abs", 0777, NVCT_CHMOD_MISSING);
        check_chmod(f, "/dev/rel", 0777, NVCT_CHMOD_MISSING);
        check_chmod(f, "/dev/updir/secret", 0777, NVCT_CHMOD_MISSING);
        check_chmod(f, "/../../../host/secret", 0777, NVCT_CHMOD_MISSING);
        /* The same names made inside the root: they are what changes. */
        _cleanup_free_ char *inside = hk_mkdir(f->root, f->host + 1);
        _cleanup_free_ char *inside_secret = xasprintf("%s/secret", inside);
        hk_write(inside_secret, "inside\n", 0600);
        check_chmod(f, "/dev/abs", 0640, NVCT_CHMOD_CHANGED);
        assert_int_equal(hk_mode(inside_secret), 0640);
        check_chmod(f, "/dev/updir/secret", 0604, NVCT_CHMOD_CHANGED);
        assert_int_equal(hk_mode(inside_secret), 0604);
}

static void test_loops_and_magic_links_fail(void **state) {
        hk_fixture *f = *state;
        free(hk_mkdir(f->root, "dev"));
        hk_symlink("b", f, "dev/a");
        hk_symlink("a", f, "dev/b");
        _cleanup_error_ nvct_error *err = NULL;
        nvct_chmod_result result;
        assert_true(nvct_cdihook_chmod(f->root_fd, "/dev/a", 0755, &result, &err) < 0);
        assert_contains(err->msg, "could not change the mode of \"/dev/a\"");
        assert_contains(err->msg, "Too many levels of symbolic links");
}

static int use_walk(void **state) {
        (void)state;
        nvct_rootfs_force_fallback(true);
        return 0;
}

static int use_openat2(void **state) {
        (void)state;
        nvct_rootfs_force_fallback(false);
        return 0;
}

#define T(name) cmocka_unit_test_setup_teardown(name, hk_setup, hk_teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_mode),
                T(test_sets_and_skips),
                T(test_symlinks_stay_inside),
                T(test_loops_and_magic_links_fail),
        };
        const struct CMUnitTest walk_tests[] = {
                T(test_sets_and_skips),
                T(test_symlinks_stay_inside),
                T(test_loops_and_magic_links_fail),
        };
        int failed = cmocka_run_group_tests_name("openat2", tests, use_openat2, NULL);
        failed += cmocka_run_group_tests_name("walk", walk_tests, use_walk, use_openat2);
        return failed;
}

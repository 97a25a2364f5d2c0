/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for driver/devnodes: /proc/devices' text (sections, the old
 * "nvidia-frontend" name, junk lines, huge majors); the nodes made in a
 * scratch dev root (mode 0666 whatever the umask, an existing node left as
 * it is and compared, a dry run making nothing); /dev a symlink that leads
 * out of the root resolves inside it, so nothing is made outside. Needs
 * root (mknod); skipped otherwise. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "driver/devnodes.h"

static void parse(const char *text, nvct_proc_devices *d) {
        nvct_proc_devices_parse(text, strlen(text), d);
}

static void test_parse_sections(void **state) {
        (void)state;
        nvct_proc_devices d;
        parse("Character devices:\n  1 mem\n195 nvidia\n508 nvidia-caps\n511 nvidia-uvm\n\n"
              "Block devices:\n  7 loop\n 77 nvidia\n",
              &d);
        assert_int_equal(d.nvidia, 195); /* the block section's "nvidia" is not it */
        assert_int_equal(d.nvidia_uvm, 511);
        assert_int_equal(d.nvidia_caps, 508);

        /* Nothing before the character section's header counts. */
        parse("195 nvidia\nCharacter devices:\n  1 mem\n", &d);
        assert_int_equal(d.nvidia, -1);
        assert_int_equal(d.nvidia_uvm, -1);
        assert_int_equal(d.nvidia_caps, -1);
        parse("", &d);
        assert_int_equal(d.nvidia, -1);
}

static void test_parse_frontend_and_junk(void **state) {
        (void)state;
        nvct_proc_devices d;
        /* Before 550.40 the GPUs' driver was "nvidia-frontend"; "nvidia"
         * wins wherever it is. */
        parse("Character devices:\n195 nvidia-frontend\n", &d);
        assert_int_equal(d.nvidia, 195);
        parse("Character devices:\n200 nvidia\n195 nvidia-frontend\n", &d);
        assert_int_equal(d.nvidia, 200);
        /* Junk: no number, no name, a major past the kernel's limit, a name
         * that only starts like ours, trailing white space and CR. */
        parse("Character devices:\nnvidia\n 12\n99999999999999999999 nvidia\n4096 nvidia-uvm\n"
              "300 nvidia-uvmx\n301 nvidia-uvm \r\n",
              &d);
        assert_int_equal(d.nvidia, -1);
        assert_int_equal(d.nvidia_uvm, 301);
        /* No NUL needed: the length bounds the text. */
        const char text[] = "Character devices:\n195 nvidia-uvm";
        nvct_proc_devices_parse(text, sizeof(text) - 5, &d);
        assert_int_equal(d.nvidia_uvm, -1); /* "nvidia" cut to "nvidi": nothing */
}

static void test_read_missing(void **state) {
        (void)state;
        nvct_error *err = NULL;
        nvct_proc_devices d;
        assert_int_equal(nvct_proc_devices_read("/nonexistent-proc", &d, &err), -1);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "/nonexistent-proc/devices"));
        nvct_error_free(&err);
}

static int is_root(void) {
        return geteuid() == 0;
}

static char *scratch(void) {
        char *dir = strdup("/tmp/nvct-test-devnodes-XXXXXX");
        assert_non_null(dir);
        assert_non_null(mkdtemp(dir));
        return dir;
}

static void rm_rf(const char *dir) {
        char *cmd = NULL;
        assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

static void test_create_and_inspect(void **state) {
        (void)state;
        if (!is_root())
                skip();
        _cleanup_free_ char *root = scratch();
        nvct_error *err = NULL;
        int fd = -1;
        bool created;
        nvct_devnode_state st;
        struct stat sb;
        char path[256];

        /* /dev is made (0755) when missing. */
        assert_int_equal(nvct_devnode_open_dev(root, false, &fd, &err), -ENOENT);
        assert_null(err);
        assert_int_equal(nvct_devnode_open_dev(root, true, &fd, &err), 0);

        mode_t old = umask(077);
        assert_int_equal(nvct_devnode_create(fd, "nvidiactl", 195, 255, false, &created, &st, &err),
                         0);
        umask(old);
        assert_true(created);
        assert_int_equal(st, NVCT_DEVNODE_OK);
        snprintf(path, sizeof(path), "%s/dev/nvidiactl", root);
        assert_int_equal(lstat(path, &sb), 0);
        assert_true(S_ISCHR(sb.st_mode));
        assert_int_equal(sb.st_mode & 07777, 0666); /* the umask did not apply */
        assert_int_equal(major(sb.st_rdev), 195);
        assert_int_equal(minor(sb.st_rdev), 255);

        /* Again: nothing made, it is fine. */
        assert_int_equal(nvct_devnode_create(fd, "nvidiactl", 195, 255, false, &created, &st, &err),
                         0);
        assert_false(created);
        assert_int_equal(st, NVCT_DEVNODE_OK);
        /* Asked with other numbers: left alone, reported. */
        assert_int_equal(nvct_devnode_create(fd, "nvidiactl", 195, 254, false, &created, &st, &err),
                         0);
        assert_false(created);
        assert_int_equal(st, NVCT_DEVNODE_WRONG_NUMBERS);
        assert_int_equal(lstat(path, &sb), 0);
        assert_int_equal(minor(sb.st_rdev), 255);

        /* A symlink where a node belongs is not followed, nor replaced. */
        snprintf(path, sizeof(path), "%s/dev/nvidia0", root);
        assert_int_equal(symlink("/dev/null", path), 0);
        assert_int_equal(nvct_devnode_create(fd, "nvidia0", 195, 0, false, &created, &st, &err), 0);
        assert_false(created);
        assert_int_equal(st, NVCT_DEVNODE_NOT_CHAR);
        assert_int_equal(lstat(path, &sb), 0);
        assert_true(S_ISLNK(sb.st_mode));

        /* Dry run: nothing made, but said. */
        assert_int_equal(nvct_devnode_create(fd, "nvidia-uvm", 511, 0, true, &created, &st, &err),
                         0);
        assert_true(created);
        snprintf(path, sizeof(path), "%s/dev/nvidia-uvm", root);
        assert_int_equal(lstat(path, &sb), -1);
        assert_int_equal(nvct_devnode_inspect(fd, "nvidia-uvm", 511, 0, &st, NULL, &err), 0);
        assert_int_equal(st, NVCT_DEVNODE_MISSING);

        /* Names with a slash are refused. */
        assert_int_equal(nvct_devnode_create(fd, "../x", 1, 1, false, &created, &st, &err), -1);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "\"../x\""));
        nvct_error_free(&err);
        close(fd);
        rm_rf(root);
}

static void test_dev_symlink_stays_inside(void **state) {
        (void)state;
        if (!is_root())
                skip();
        _cleanup_free_ char *root = scratch();
        _cleanup_free_ char *outside = scratch();
        nvct_error *err = NULL;
        int fd = -1;
        bool created;
        nvct_devnode_state st;
        char path[256];
        struct stat sb;

        /* DEV_ROOT/dev -> OUTSIDE (absolute): resolved inside the root, it
         * is DEV_ROOT/OUTSIDE, made there; OUTSIDE itself stays empty. */
        snprintf(path, sizeof(path), "%s/dev", root);
        assert_int_equal(symlink(outside, path), 0);
        assert_int_equal(nvct_devnode_open_dev(root, true, &fd, &err), 0);
        assert_int_equal(nvct_devnode_create(fd, "nvidiactl", 195, 255, false, &created, &st, &err),
                         0);
        assert_true(created);
        snprintf(path, sizeof(path), "%s/nvidiactl", outside);
        assert_int_equal(lstat(path, &sb), -1);
        assert_int_equal(errno, ENOENT);
        snprintf(path, sizeof(path), "%s%s/nvidiactl", root, outside);
        assert_int_equal(lstat(path, &sb), 0);
        assert_true(S_ISCHR(sb.st_mode));
        close(fd);
        rm_rf(root);
        rm_rf(outside);
}

static void test_control_table(void **state) {
        (void)state;
        nvct_proc_devices d = { 195, 511, 508 };
        const char *names[] = { "nvidiactl", "nvidia-modeset", "nvidia-uvm", "nvidia-uvm-tools" };
        const unsigned minors[] = { 255, 254, 0, 1 };
        const int majors[] = { 195, 195, 511, 511 };
        for (size_t i = 0; i < NVCT_DEVNODE_N_CONTROL; i++) {
                assert_string_equal(nvct_devnode_control[i].name, names[i]);
                assert_int_equal(nvct_devnode_control[i].minor, minors[i]);
                assert_int_equal(nvct_devnode_major_number(&d, nvct_devnode_control[i].major_of),
                                 majors[i]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_sections),
                cmocka_unit_test(test_parse_frontend_and_junk),
                cmocka_unit_test(test_read_missing),
                cmocka_unit_test(test_control_table),
                cmocka_unit_test(test_create_and_inspect),
                cmocka_unit_test(test_dev_symlink_stays_inside),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

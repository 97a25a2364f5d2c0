/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for runtime/lowlevel: which configured runtime resolves (fake
 * executables in a temporary directory), the error naming every candidate,
 * the runtime's argv, and an exec in a forked child. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "runtime/lowlevel.h"
#include "testutil.h"

typedef struct fixture {
        char dir[64];
} fixture;

static void make_file(const char *path, const char *text, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        size_t len = strlen(text);
        assert_int_equal(write(fd, text, len), (ssize_t)len);
        assert_int_equal(close(fd), 0);
        assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        if (f == NULL)
                return -1;
        strcpy(f->dir, "/tmp/nvct-lowlevel-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        char *cmd = NULL;
        if (asprintf(&cmd, "rm -rf '%s'", f->dir) < 0)
                return -1;
        int r = system(cmd);
        free(cmd);
        free(f);
        return r == 0 ? 0 : -1;
}

static void test_absolute_path(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *exe = xasprintf("%s/my-runc", f->dir);
        make_file(exe, "#!/bin/sh\n", 0755);
        const char *names[] = { exe };
        _cleanup_free_ char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 1, NULL, &found, NULL), 0);
        assert_string_equal(found, exe);
}

static void test_bare_name_in_path(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *bin = xasprintf("%s/bin", f->dir);
        assert_int_equal(mkdir(bin, 0755), 0);
        _cleanup_free_ char *exe = xasprintf("%s/fake-runc-xyz", bin);
        make_file(exe, "#!/bin/sh\n", 0755);
        _cleanup_free_ char *path = xasprintf("/nonexistent:%s", bin);
        const char *names[] = { "fake-crun-xyz", "fake-runc-xyz" };
        _cleanup_free_ char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 2, path, &found, NULL), 0);
        assert_string_equal(found, exe);
}

static void test_first_that_resolves_wins(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *a = xasprintf("%s/a", f->dir);
        _cleanup_free_ char *b = xasprintf("%s/b", f->dir);
        make_file(a, "", 0755);
        make_file(b, "", 0755);
        const char *names[] = { "/nonexistent/runc", b, a };
        _cleanup_free_ char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 3, NULL, &found, NULL), 0);
        assert_string_equal(found, b);
}

/* A runtimes entry that is this program (by path, through a link, or as a
 * bare name in PATH) is skipped: the wrapper would exec itself forever. The
 * test binary stands for the wrapper; the links point at /proc/self/exe,
 * which is what the library compares with (under valgrind the test's own
 * path would name another file than /proc/self/exe does). */
static void test_self_skipped(void **state) {
        fixture *f = *state;
        const char *self = "/proc/self/exe";
        _cleanup_free_ char *link = xasprintf("%s/link-to-self", f->dir);
        assert_int_equal(symlink(self, link), 0);
        _cleanup_free_ char *bin = xasprintf("%s/bin", f->dir);
        assert_int_equal(mkdir(bin, 0755), 0);
        _cleanup_free_ char *named = xasprintf("%s/self-by-name", bin);
        assert_int_equal(symlink(self, named), 0);
        _cleanup_free_ char *other = xasprintf("%s/other", f->dir);
        make_file(other, "", 0755);

        const char *names[] = { self, link, "self-by-name", other };
        _cleanup_free_ char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 4, bin, &found, NULL), 0);
        assert_string_equal(found, other);

        /* Only itself: nothing resolves. */
        _cleanup_error_ nvct_error *err = NULL;
        char *none = NULL;
        assert_int_equal(nvct_runtime_find(names, 3, bin, &none, &err), -1);
        assert_null(none);
        assert_non_null(strstr(err->msg, "other than this wrapper"));
}

static void test_standard_directories(void **state) {
        (void)state;
        /* "sh" is in /bin or /usr/bin on any test machine; PATH is empty. */
        const char *names[] = { "sh" };
        _cleanup_free_ char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 1, "", &found, NULL), 0);
        assert_true(strcmp(found, "/usr/bin/sh") == 0 || strcmp(found, "/bin/sh") == 0 ||
                    strcmp(found, "/usr/sbin/sh") == 0 || strcmp(found, "/sbin/sh") == 0 ||
                    strncmp(found, "/usr/local/", 11) == 0);
}

static void test_relative_path_entries_skipped(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *bin = xasprintf("%s/rel", f->dir);
        assert_int_equal(mkdir(bin, 0755), 0);
        _cleanup_free_ char *exe = xasprintf("%s/fake-runc-rel", bin);
        make_file(exe, "", 0755);
        assert_int_equal(chdir(f->dir), 0);
        const char *names[] = { "fake-runc-rel" };
        _cleanup_error_ nvct_error *err = NULL;
        char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 1, "rel::.", &found, &err), -1);
        assert_null(found);
        assert_contains(err->msg, "\"fake-runc-rel\"");
        /* A relative path with '/' is refused too, even though it exists. */
        const char *rel[] = { "rel/fake-runc-rel", "./rel/fake-runc-rel" };
        nvct_error_free(&err);
        assert_int_equal(nvct_runtime_find(rel, 2, NULL, &found, &err), -1);
        assert_null(found);
        assert_int_equal(chdir("/"), 0);
}

static void test_not_executable_or_directory(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *plain = xasprintf("%s/plain", f->dir);
        make_file(plain, "", 0644);
        _cleanup_free_ char *dir = xasprintf("%s/dir", f->dir);
        assert_int_equal(mkdir(dir, 0755), 0);
        /* A directory named like the runtime in PATH is skipped too. */
        _cleanup_free_ char *sub = xasprintf("%s/fake-runc-dir", f->dir);
        assert_int_equal(mkdir(sub, 0755), 0);
        const char *names[] = { plain, dir, "fake-runc-dir" };
        _cleanup_error_ nvct_error *err = NULL;
        char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 3, f->dir, &found, &err), -1);
        assert_null(found);
        assert_contains(err->msg, plain);
        assert_contains(err->msg, "\"fake-runc-dir\"");
}

static void test_nothing_found_lists_candidates(void **state) {
        (void)state;
        const char *names[] = { "no-such-runc-1", "/no/such/crun", "bad\nname" };
        _cleanup_error_ nvct_error *err = NULL;
        char *found = NULL;
        assert_int_equal(nvct_runtime_find(names, 3, "/nowhere", &found, &err), -1);
        assert_null(found);
        assert_contains(err->msg, "tried \"no-such-runc-1\", \"/no/such/crun\", \"bad\\nname\"");
        assert_contains(err->msg, "\"/nowhere:/usr/local/sbin:");
        /* A NULL err is allowed. */
        assert_int_equal(nvct_runtime_find(names, 3, NULL, &found, NULL), -1);
        nvct_error_free(&err);
        assert_int_equal(nvct_runtime_find(names, 0, NULL, &found, &err), -1);
        assert_contains(err->msg, "empty");
}

static void test_argv_build(void **state) {
        (void)state;
        char *argv[] = { "nvidia-container-runtime", "--root", "/x", "create", "", "c", NULL };
        _cleanup_free_ char **out = NULL;
        assert_int_equal(nvct_runtime_argv_build("/usr/bin/runc", 6, argv, &out, NULL), 0);
        assert_string_equal(out[0], "/usr/bin/runc");
        for (int i = 1; i < 6; i++)
                assert_ptr_equal(out[i], argv[i]);
        assert_null(out[6]);
        assert_string_equal(argv[0], "nvidia-container-runtime");
        free(out);
        out = NULL;
        assert_int_equal(nvct_runtime_argv_build("/r", 1, argv, &out, NULL), 0);
        assert_string_equal(out[0], "/r");
        assert_null(out[1]);
        free(out);
        out = NULL;
        assert_int_equal(nvct_runtime_argv_build("/r", 0, argv, &out, NULL), 0);
        assert_null(out[1]);
}

/* The exec replaces a forked child with a script that records its argv and
 * an environment variable of the parent's. */
static void test_exec_in_child(void **state) {
        fixture *f = *state;
        _cleanup_free_ char *script = xasprintf("%s/record", f->dir);
        _cleanup_free_ char *out = xasprintf("%s/out", f->dir);
        _cleanup_free_ char *text = xasprintf(
                "#!/bin/sh\nprintf '%%s|' \"$0\" \"$@\" \"$NVCT_TEST_VAR\" > '%s'\n", out);
        make_file(script, text, 0755);
        assert_int_equal(setenv("NVCT_TEST_VAR", "kept", 1), 0);
        char *argv[] = { "wrapper", "--debug", "create", "a b", NULL };
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                nvct_runtime_exec(script, 4, argv, NULL);
                _exit(127);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        char buf[256] = { 0 };
        FILE *in = fopen(out, "re");
        assert_non_null(in);
        assert_true(fread(buf, 1, sizeof(buf) - 1, in) > 0);
        fclose(in);
        _cleanup_free_ char *want = xasprintf("%s|--debug|create|a b|kept|", script);
        assert_string_equal(buf, want);

        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *missing = xasprintf("%s/missing", f->dir);
        assert_int_equal(nvct_runtime_exec(missing, 4, argv, &err), -1);
        assert_contains(err->msg, "exec \"");
        assert_contains(err->msg, "No such file");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_absolute_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bare_name_in_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_first_that_resolves_wins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_self_skipped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_standard_directories, setup, teardown),
                cmocka_unit_test_setup_teardown(test_relative_path_entries_skipped, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_not_executable_or_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nothing_found_lists_candidates, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_argv_build, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exec_in_child, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

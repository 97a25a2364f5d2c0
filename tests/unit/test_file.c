/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for basic/file.h: the atomic writer (mode whatever the umask,
 * atomic replacement, nothing left behind on failure, non-files refused)
 * and the safe reader (FIFOs and devices refused without blocking, the size
 * limit, exact reads). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/file.h"

static char *make_tmpdir(void) {
        return make_tmpdir_named("file");
}

static size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        assert_non_null(d);
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

static void write_plain(const char *path, const char *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(nvct_write_all(fd, data, len), 0);
        assert_int_equal(close(fd), 0);
}

static char *read_ok(const char *path, size_t max, size_t *ret_len) {
        char *data = NULL;
        nvct_error *err = NULL;
        int r = nvct_read_regular(path, "test file", max, false, &data, ret_len, &err);
        if (r < 0) {
                print_error("read %s: %s\n", path, err->msg);
                nvct_error_free(&err);
                fail();
        }
        assert_null(err);
        return data;
}

static char *error_of(int r, nvct_error **err) {
        assert_true(r < 0);
        assert_non_null(*err);
        char *msg = strdup((*err)->msg);
        nvct_error_free(err);
        return msg;
}

/* A FIFO opened without O_NONBLOCK would hang the test: fail it instead. */
static void alarm_fails(int sig) {
        (void)sig;
        _exit(99);
}

/* ---- the atomic writer ---- */

static void test_atomic_write_mode_whatever_umask(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *path = xasprintf("%s/out", dir);
        static const mode_t masks[] = { 0, 022, 077, 0777 };
        static const mode_t modes[] = { 0600, 0644, 0755, 0640 };
        for (size_t i = 0; i < ARRAY_SIZE(masks); i++) {
                mode_t old = umask(masks[i]);
                nvct_error *err = NULL;
                assert_int_equal(nvct_write_file_atomic(path, "x", 1, modes[i], &err), 0);
                umask(old);
                assert_null(err);
                struct stat st;
                assert_int_equal(stat(path, &st), 0);
                assert_int_equal(st.st_mode & 07777, modes[i]);
        }
        assert_int_equal(count_entries(dir), 1);
        remove_tree(dir);
        free(path);
        free(dir);
}

static void test_atomic_write_replaces(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *path = xasprintf("%s/daemon.json", dir);
        char *old_link = xasprintf("%s/old", dir);
        write_plain(path, "old contents", 12);
        /* A second name for the old file: replacing by rename leaves it
         * whole, where writing in place would change it. */
        assert_int_equal(link(path, old_link), 0);
        struct stat before, after;
        assert_int_equal(stat(path, &before), 0);

        static const char data[] = "new\0contents with a NUL";
        nvct_error *err = NULL;
        assert_int_equal(nvct_write_file_atomic(path, data, sizeof(data) - 1, 0644, &err), 0);
        assert_int_equal(stat(path, &after), 0);
        assert_true(after.st_ino != before.st_ino);
        size_t len = 0;
        char *got = read_ok(path, 1024, &len);
        assert_int_equal(len, sizeof(data) - 1);
        assert_memory_equal(got, data, len);
        free(got);
        got = read_ok(old_link, 1024, &len);
        assert_string_equal(got, "old contents");
        free(got);

        /* Empty contents, and a relative path (a file in the cwd). */
        assert_int_equal(nvct_write_file_atomic(path, "", 0, 0600, &err), 0);
        got = read_ok(path, 1024, &len);
        assert_int_equal(len, 0);
        free(got);
        char *cwd = getcwd(NULL, 0);
        assert_non_null(cwd);
        assert_int_equal(chdir(dir), 0);
        assert_int_equal(nvct_write_file_atomic("relative", "r", 1, 0600, &err), 0);
        assert_int_equal(chdir(cwd), 0);
        free(cwd);
        assert_int_equal(count_entries(dir), 3);

        /* A symlink at the path is replaced, not followed. */
        char *target = xasprintf("%s/target", dir);
        write_plain(target, "target", 6);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink(target, path), 0);
        assert_int_equal(nvct_write_file_atomic(path, "through?", 8, 0644, &err), 0);
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        got = read_ok(target, 1024, &len);
        assert_string_equal(got, "target");
        free(got);

        remove_tree(dir);
        free(target);
        free(old_link);
        free(path);
        free(dir);
}

static void test_atomic_write_failures_leave_nothing(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        nvct_error *err = NULL;

        /* A directory in place of the file: refused, left as it was. */
        char *sub = xasprintf("%s/conf.d", dir);
        assert_int_equal(mkdir(sub, 0755), 0);
        char *msg = error_of(nvct_write_file_atomic(sub, "x", 1, 0644, &err), &err);
        assert_contains(msg, "conf.d");
        assert_contains(msg, "not a regular file");
        free(msg);
        struct stat st;
        assert_int_equal(stat(sub, &st), 0);
        assert_true(S_ISDIR(st.st_mode));

        /* A FIFO: refused, without blocking. */
        char *fifo = xasprintf("%s/fifo", dir);
        assert_int_equal(mkfifo(fifo, 0644), 0);
        signal(SIGALRM, alarm_fails);
        alarm(10);
        msg = error_of(nvct_write_file_atomic(fifo, "x", 1, 0644, &err), &err);
        alarm(0);
        assert_contains(msg, "not a regular file");
        free(msg);
        assert_int_equal(lstat(fifo, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(count_entries(dir), 2);

        /* A folder that does not exist: no temporary file can be made. */
        char *missing = xasprintf("%s/no/such/file", dir);
        msg = error_of(nvct_write_file_atomic(missing, "x", 1, 0644, &err), &err);
        assert_contains(msg, "no/such/file");
        free(msg);

        /* The write fails half-way (a file size limit: EFBIG): the
         * temporary file is removed and the old file left whole. */
        char *target = xasprintf("%s/target", dir);
        write_plain(target, "old", 3);
        struct rlimit old_limit, small = { .rlim_cur = 8, .rlim_max = RLIM_INFINITY };
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
        small.rlim_max = old_limit.rlim_max;
        signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
        char big[64];
        memset(big, 'b', sizeof(big));
        int r = nvct_write_file_atomic(target, big, sizeof(big), 0644, &err);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
        msg = error_of(r, &err);
        assert_contains(msg, "cannot write");
        assert_contains(msg, strerror(EFBIG));
        free(msg);
        size_t len = 0;
        char *got = read_ok(target, 100, &len);
        assert_string_equal(got, "old");
        free(got);
        assert_int_equal(count_entries(dir), 3);

        /* NULL err is allowed. */
        assert_true(nvct_write_file_atomic(sub, "x", 1, 0644, NULL) < 0);

        remove_tree(dir);
        free(target);
        free(missing);
        free(fifo);
        free(sub);
        free(dir);
}

/* ---- the reader ---- */

static void test_open_regular_refuses_non_files(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *fifo = xasprintf("%s/fifo", dir);
        assert_int_equal(mkfifo(fifo, 0644), 0);
        nvct_error *err = NULL;
        int fd = -7;
        size_t size = 12345;

        /* Security: a FIFO with no writer would block a plain open. */
        signal(SIGALRM, alarm_fails);
        alarm(10);
        char *msg =
                error_of(nvct_open_regular(fifo, "OCI spec", 100, false, &fd, &size, &err), &err);
        alarm(0);
        char *want = xasprintf("OCI spec \"%s\" is not a regular file", fifo);
        assert_string_equal(msg, want);
        free(want);
        free(msg);
        /* Outputs untouched on failure. */
        assert_int_equal(fd, -7);
        assert_int_equal(size, 12345);

        msg = error_of(nvct_open_regular("/dev/null", "config file", 100, false, &fd, &size, &err),
                       &err);
        assert_contains(msg, "\"/dev/null\" is not a regular file");
        free(msg);
        msg = error_of(nvct_open_regular(dir, "config file", 100, false, &fd, &size, &err), &err);
        assert_contains(msg, "is not a regular file");
        free(msg);
        assert_int_equal(fd, -7);

        /* Missing: -ENOENT with no error when allowed, an error otherwise. */
        char *missing = xasprintf("%s/missing", dir);
        assert_int_equal(nvct_open_regular(missing, "x", 100, true, &fd, &size, &err), -ENOENT);
        assert_null(err);
        assert_int_equal(nvct_open_regular(missing, "x", 100, false, &fd, &size, &err), -1);
        assert_int_equal(err->status, ENOENT);
        assert_contains(err->msg, "could not open x");
        nvct_error_free(&err);

        remove_tree(dir);
        free(missing);
        free(fifo);
        free(dir);
}

static void test_size_limit(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *path = xasprintf("%s/f", dir);
        char buf[100];
        memset(buf, 'a', sizeof(buf));
        write_plain(path, buf, sizeof(buf));
        nvct_error *err = NULL;
        int fd = -1;
        size_t size = 0;
        assert_int_equal(nvct_open_regular(path, "f", 100, false, &fd, &size, &err), 0);
        assert_true(fd >= 0);
        assert_int_equal(size, 100);
        assert_true((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
        close(fd);

        fd = -1;
        char *msg = error_of(nvct_open_regular(path, "f", 99, false, &fd, &size, &err), &err);
        assert_contains(msg, "is larger than 99 bytes");
        free(msg);
        assert_int_equal(fd, -1);
        char *data = NULL;
        size_t len = 0;
        msg = error_of(nvct_read_regular(path, "f", 99, false, &data, &len, &err), &err);
        assert_contains(msg, "is larger than 99 bytes");
        free(msg);
        assert_null(data);

        /* procfs reports size 0: the bound holds while reading. */
        msg = error_of(
                nvct_read_regular("/proc/self/status", "status", 16, false, &data, &len, &err),
                &err);
        assert_contains(msg, "is larger than 16 bytes");
        free(msg);
        assert_null(data);

        remove_tree(dir);
        free(path);
        free(dir);
}

static void test_read_exact(void **state) {
        (void)state;
        char *dir = make_tmpdir();
        char *path = xasprintf("%s/f", dir);
        static const char content[] = "line 1\n\0binary\xff\nend";
        write_plain(path, content, sizeof(content) - 1);
        size_t len = 0;
        char *data = read_ok(path, sizeof(content) - 1, &len);
        assert_int_equal(len, sizeof(content) - 1);
        assert_memory_equal(data, content, len);
        assert_int_equal(data[len], '\0');
        free(data);

        write_plain(path, "", 0);
        data = read_ok(path, 10, &len);
        assert_int_equal(len, 0);
        assert_string_equal(data, "");
        free(data);

        /* A procfs file that reports size 0 is read to its end. */
        data = read_ok("/proc/self/status", 1u << 20, &len);
        assert_true(len > 0);
        assert_int_equal(strlen(data), len);
        assert_contains(data, "Name:");
        free(data);

        remove_tree(dir);
        free(path);
        free(dir);
}

static void test_write_all(void **state) {
        (void)state;
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(nvct_write_all(p[1], "hello", 5), 0);
        assert_int_equal(nvct_write_all(p[1], "", 0), 0);
        char buf[16] = { 0 };
        assert_int_equal(read(p[0], buf, sizeof(buf)), 5);
        assert_string_equal(buf, "hello");
        close(p[0]);
        close(p[1]);
        assert_int_equal(nvct_write_all(p[1], "x", 1), -EBADF);
        /* A reader gone: EPIPE (with SIGPIPE ignored), not a silent loss. */
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        close(p[0]);
        signal(SIGPIPE, SIG_IGN);
        assert_int_equal(nvct_write_all(p[1], "x", 1), -EPIPE);
        close(p[1]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_atomic_write_mode_whatever_umask),
                cmocka_unit_test(test_atomic_write_replaces),
                cmocka_unit_test(test_atomic_write_failures_leave_nothing),
                cmocka_unit_test(test_open_regular_refuses_non_files),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_read_exact),
                cmocka_unit_test(test_write_all),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

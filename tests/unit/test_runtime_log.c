/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for runtime/log: logrus's text and JSON records byte for byte
 * (a fixed clock), levels, escaping of untrusted text, files that cannot be
 * opened, O_CLOEXEC and O_APPEND. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "runtime/log-internal.h"
#include "runtime/log.h"

/* 2026-11-29T21:00:00Z */
#define T0 ((time_t)1795986000)

static time_t fixed_clock(void) {
        return T0;
}

static void set_tz(const char *tz) {
        assert_int_equal(setenv("TZ", tz, 1), 0);
        tzset();
}

static int setup(void **state) {
        *state = make_tmpdir_named("runtime-log");
        nvct_runtime_log_set_clock(fixed_clock);
        set_tz("UTC0");
        return 0;
}

static int teardown(void **state) {
        remove_tree(*state);
        free(*state);
        nvct_runtime_log_set_clock(NULL);
        return 0;
}

/* The whole file, NUL-terminated; "" when missing. */
static char *slurp(const char *path) {
        FILE *f = fopen(path, "re");
        if (f == NULL) {
                assert_int_equal(errno, ENOENT);
                return xasprintf("%s", "");
        }
        char *data = NULL;
        size_t cap = 0;
        ssize_t n = getdelim(&data, &cap, '\0', f);
        fclose(f);
        if (n < 0) {
                free(data);
                return xasprintf("%s", "");
        }
        return data;
}

static nvct_runtime_log *open_log(const char *debug, const char *level, const char *runc,
                                  const char *format) {
        nvct_runtime_log_options o = { .debug_path = debug,
                                       .level = level,
                                       .runc_log_path = runc,
                                       .runc_log_format = format };
        nvct_runtime_log *log = NULL;
        nvct_error *err = NULL;
        assert_int_equal(nvct_runtime_log_open(&o, &log, &err), 0);
        assert_null(err);
        assert_non_null(log);
        return log;
}

static void assert_file(const char *path, const char *expected) {
        char *got = slurp(path);
        assert_string_equal(got, expected);
        free(got);
}

static void test_text_format(void **state) {
        char *path = xasprintf("%s/log", (char *)*state);
        nvct_runtime_log *log = open_log(NULL, NULL, path, NULL);
        nvct_runtime_logf(log, NVCT_LOG_INFO, "hello");
        nvct_runtime_logf(log, NVCT_LOG_WARNING, "hello %s", "world");
        nvct_runtime_logf(log, NVCT_LOG_ERROR, "%s", "");
        nvct_runtime_logf(log, NVCT_LOG_INFO, "a-Z.0_/@^+");
        nvct_runtime_logf(log, NVCT_LOG_INFO, "x=1");
        nvct_runtime_log_close(log);
        assert_file(path, "time=\"2026-11-29T21:00:00Z\" level=info msg=hello\n"
                          "time=\"2026-11-29T21:00:00Z\" level=warning msg=\"hello world\"\n"
                          "time=\"2026-11-29T21:00:00Z\" level=error\n"
                          "time=\"2026-11-29T21:00:00Z\" level=info msg=a-Z.0_/@^+\n"
                          "time=\"2026-11-29T21:00:00Z\" level=info msg=\"x=1\"\n");
        free(path);
}

static void test_json_format(void **state) {
        char *path = xasprintf("%s/log.json", (char *)*state);
        nvct_runtime_log *log = open_log(NULL, "trace", path, "json");
        nvct_runtime_logf(log, NVCT_LOG_ERROR, "exec failed: %s", "no such file");
        nvct_runtime_logf(log, NVCT_LOG_WARNING, "%s", "");
        nvct_runtime_logf(log, NVCT_LOG_DEBUG, "d");
        nvct_runtime_logf(log, NVCT_LOG_TRACE, "t");
        nvct_runtime_log_close(log);
        assert_file(path,
                    "{\"level\":\"error\",\"msg\":\"exec failed: no such "
                    "file\",\"time\":\"2026-11-29T21:00:00Z\"}\n"
                    "{\"level\":\"warning\",\"msg\":\"\",\"time\":\"2026-11-29T21:00:00Z\"}\n"
                    "{\"level\":\"debug\",\"msg\":\"d\",\"time\":\"2026-11-29T21:00:00Z\"}\n"
                    "{\"level\":\"trace\",\"msg\":\"t\",\"time\":\"2026-11-29T21:00:00Z\"}\n");
        free(path);
}

/* Quotes, backslashes, newlines, control bytes, DEL, an invalid byte, a
 * printable and a non-printable (bidi override) character, an emoji, HTML
 * characters and a NUL (through %c). */
#define NASTY                                                                                      \
        "a\"b\\c\nd\te\x01"                                                                        \
        "f\x7f\xff\xc3\xa9\xe2\x80\xae\xf0\x9f\x98\x80<>&\r\xe2\x80\xa8"

static void test_escaping(void **state) {
        char *text = xasprintf("%s/text", (char *)*state);
        char *json = xasprintf("%s/json", (char *)*state);
        nvct_runtime_log *log = open_log(NULL, NULL, text, "text");
        nvct_runtime_logf(log, NVCT_LOG_INFO, "%s%c|\xe2\x82", NASTY, 0);
        nvct_runtime_log_close(log);
        log = open_log(NULL, NULL, json, "json");
        nvct_runtime_logf(log, NVCT_LOG_INFO, "%s%c|\xe2\x82", NASTY, 0);
        nvct_runtime_log_close(log);
        /* Go's %q: \x for bytes and ASCII controls, \u for others. */
        assert_file(text, "time=\"2026-11-29T21:00:00Z\" level=info "
                          "msg=\"a\\\"b\\\\c\\nd\\te\\x01f\\x7f\\xff\xc3\xa9\\u202e\xf0\x9f\x98\x80"
                          "<>&\\r\\u2028\\x00|\\xe2\\x82\"\n");
        /* encoding/json: U+FFFD per invalid byte, \u00XX for controls,
         * HTML characters and U+2028 escaped, DEL and U+202E as they are. */
        assert_file(json,
                    "{\"level\":\"info\",\"msg\":"
                    "\"a\\\"b\\\\c\\nd\\te\\u0001f\x7f\\ufffd\xc3\xa9\xe2\x80\xae\xf0\x9f\x98\x80"
                    "\\u003c\\u003e\\u0026\\r\\u2028\\u0000|\\ufffd\\ufffd\","
                    "\"time\":\"2026-11-29T21:00:00Z\"}\n");
        free(text);
        free(json);
}

static void test_time_zone(void **state) {
        char *path = xasprintf("%s/log", (char *)*state);
        set_tz("XST-5:30");
        nvct_runtime_log *log = open_log(NULL, NULL, path, "json");
        nvct_runtime_logf(log, NVCT_LOG_INFO, "east");
        set_tz("XST+3");
        nvct_runtime_logf(log, NVCT_LOG_INFO, "west");
        nvct_runtime_log_close(log);
        set_tz("UTC0");
        assert_file(
                path,
                "{\"level\":\"info\",\"msg\":\"east\",\"time\":\"2026-11-30T02:30:00+05:30\"}\n"
                "{\"level\":\"info\",\"msg\":\"west\",\"time\":\"2026-11-29T18:00:00-03:00\"}\n");
        free(path);
}

/* Logs one record at each level; the levels that came through, as a
 * string of initials ("ewidt"). */
static char *levels_through(const char *dir, const char *level, char **ret_file) {
        char *path = xasprintf("%s/levels-%s", dir, level ? level : "null");
        nvct_runtime_log *log = open_log(NULL, level, path, "json");
        const nvct_log_level all[] = { NVCT_LOG_ERROR, NVCT_LOG_WARNING, NVCT_LOG_INFO,
                                       NVCT_LOG_DEBUG, NVCT_LOG_TRACE };
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                nvct_runtime_logf(log, all[i], "%c", "ewidt"[i]);
        nvct_runtime_log_close(log);
        char *data = slurp(path);
        free(path);
        char *out = xasprintf("%s", "");
        for (const char *p = data; (p = strstr(p, "\"msg\":\"")) != NULL; p += 7) {
                char *more = xasprintf("%s%c", out, p[7]);
                free(out);
                out = more;
        }
        *ret_file = data;
        return out;
}

static void assert_levels(const char *dir, const char *level, const char *expected) {
        char *file = NULL;
        char *got = levels_through(dir, level, &file);
        assert_string_equal(got, expected);
        free(got);
        free(file);
}

static void test_levels(void **state) {
        const char *dir = *state;
        assert_levels(dir, NULL, "ewi");
        assert_levels(dir, "info", "ewi");
        assert_levels(dir, "error", "e");
        assert_levels(dir, "WARN", "ew");
        assert_levels(dir, "warning", "ew");
        assert_levels(dir, "Debug", "ewid");
        assert_levels(dir, "trace", "ewidt");
        assert_levels(dir, "fatal", "");
        assert_levels(dir, "panic", "");
        /* An unknown level is info, after one warning. */
        char *file = NULL;
        char *got = levels_through(dir, "verbose\n", &file);
        assert_string_equal(got, "iewi");
        assert_contains(file, "{\"level\":\"warning\",\"msg\":\"invalid log-level "
                              "\\\"verbose\\\\n\\\": using \\\"info\\\"\"");
        free(got);
        free(file);
        got = levels_through(dir, "", &file);
        assert_string_equal(got, "iewi");
        free(got);
        free(file);
}

/* The same record goes to both files, in runc's format (as NVIDIA's one
 * formatter writes both). */
static void test_both_files(void **state) {
        char *debug = xasprintf("%s/debug.log", (char *)*state);
        char *runc = xasprintf("%s/runc.log", (char *)*state);
        nvct_runtime_log *log = open_log(debug, "debug", runc, "json");
        nvct_runtime_logf(log, NVCT_LOG_DEBUG, "both");
        nvct_runtime_log_close(log);
        const char *line =
                "{\"level\":\"debug\",\"msg\":\"both\",\"time\":\"2026-11-29T21:00:00Z\"}\n";
        assert_file(debug, line);
        assert_file(runc, line);
        /* "" and /dev/null are no file. */
        log = open_log("", NULL, "/dev/null", NULL);
        nvct_runtime_logf(log, NVCT_LOG_ERROR, "nowhere");
        nvct_runtime_log_close(log);
        free(debug);
        free(runc);
}

static void test_appends(void **state) {
        char *path = xasprintf("%s/append.log", (char *)*state);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs("before\n", f);
        fclose(f);
        nvct_runtime_log *a = open_log(path, NULL, NULL, NULL);
        nvct_runtime_log *b = open_log(NULL, NULL, path, NULL);
        nvct_runtime_logf(a, NVCT_LOG_INFO, "a1");
        nvct_runtime_logf(b, NVCT_LOG_INFO, "b1");
        nvct_runtime_logf(a, NVCT_LOG_INFO, "a2");
        nvct_runtime_log_close(a);
        nvct_runtime_log_close(b);
        assert_file(path, "before\n"
                          "time=\"2026-11-29T21:00:00Z\" level=info msg=a1\n"
                          "time=\"2026-11-29T21:00:00Z\" level=info msg=b1\n"
                          "time=\"2026-11-29T21:00:00Z\" level=info msg=a2\n");
        free(path);
}

/* Every fd the log opened: O_CLOEXEC (runc must not inherit it), O_APPEND,
 * blocking again after the open. */
static void test_fd_flags(void **state) {
        char *debug = xasprintf("%s/d/e/debug.log", (char *)*state);
        char *runc = xasprintf("%s/runc.log", (char *)*state);
        bool before[1024] = { false };
        for (int fd = 0; fd < 1024; fd++)
                before[fd] = fcntl(fd, F_GETFD) >= 0;
        mode_t old = umask(022);
        nvct_runtime_log *log = open_log(debug, NULL, runc, NULL);
        umask(old);
        int found = 0;
        for (int fd = 0; fd < 1024; fd++) {
                if (before[fd] || fcntl(fd, F_GETFD) < 0)
                        continue;
                found++;
                assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                int fl = fcntl(fd, F_GETFL);
                assert_true(fl & O_APPEND);
                assert_false(fl & O_NONBLOCK);
                assert_int_equal(fl & O_ACCMODE, O_WRONLY);
        }
        assert_int_equal(found, 2);
        nvct_runtime_log_close(log);
        /* Parent directories made, mode 0644 less the umask. */
        struct stat st;
        assert_int_equal(stat(debug, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        for (int fd = 0; fd < 1024; fd++)
                assert_int_equal(before[fd], fcntl(fd, F_GETFD) >= 0);
        free(debug);
        free(runc);
}

/* A file that cannot be opened is a warning in the other one, never a
 * failure; a FIFO nobody reads does not hang the open. */
static void test_unopenable(void **state) {
        char *runc = xasprintf("%s/runc.log", (char *)*state);
        char *fifo = xasprintf("%s/fifo", (char *)*state);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        nvct_runtime_log *log = open_log("/proc/nvct-no-such/debug.log", NULL, runc, NULL);
        nvct_runtime_logf(log, NVCT_LOG_ERROR, "still logging");
        nvct_runtime_log_close(log);
        assert_file(runc, "time=\"2026-11-29T21:00:00Z\" level=warning msg=\"failed to open log "
                          "file \\\"/proc/nvct-no-such/debug.log\\\": No such file or directory\"\n"
                          "time=\"2026-11-29T21:00:00Z\" level=error msg=\"still logging\"\n");
        assert_int_equal(unlink(runc), 0);
        log = open_log(runc, NULL, fifo, NULL);
        nvct_runtime_log_close(log);
        char *got = slurp(runc);
        const char *prefix =
                "time=\"2026-11-29T21:00:00Z\" level=warning msg=\"failed to open log file \\\"/";
        assert_true(strncmp(got, prefix, strlen(prefix)) == 0);
        assert_contains(got, "/fifo\\\": No such device or address\"\n");
        assert_int_equal(strchr(got, '\n') - got + 1, (long)strlen(got));
        free(got);
        /* Neither opens: still a log, which logs nothing. */
        log = open_log(fifo, "bogus", "/proc/nvct-no-such/x", "json");
        nvct_runtime_logf(log, NVCT_LOG_ERROR, "dropped");
        nvct_runtime_log_close(log);
        free(runc);
        free(fifo);
}

static void test_long_message_is_cut(void **state) {
        char *path = xasprintf("%s/long.log", (char *)*state);
        size_t n = NVCT_RUNTIME_LOG_MSG_MAX * 2;
        char *big = malloc(n + 1);
        assert_non_null(big);
        /* "é" throughout, so that the cut must step back to a boundary;
         * newlines, so that it must stay one line. */
        for (size_t i = 0; i + 2 < n; i += 3)
                memcpy(big + i, "\xc3\xa9\n", 3);
        big[n - (n % 3)] = '\0';
        nvct_runtime_log *log = open_log(NULL, NULL, path, "json");
        nvct_runtime_logf(log, NVCT_LOG_INFO, "%s", big);
        nvct_runtime_log_close(log);
        char *got = slurp(path);
        size_t len = strlen(got);
        assert_true(len < NVCT_RUNTIME_LOG_MSG_MAX * 2);
        assert_true(strchr(got, '\n') == got + len - 1); /* one line */
        /* The cut, at MAX - 3 = 3k + 1, falls inside an "é": it steps back. */
        assert_contains(got, "\xc3\xa9\\n...\",\"time\"");
        assert_null(strstr(got, "fffd"));
        free(got);
        free(big);
        free(path);
}

static void test_null_log_and_warn_fn(void **state) {
        nvct_runtime_logf(NULL, NVCT_LOG_ERROR, "nothing");
        nvct_runtime_log_warn_fn(NULL, "nothing");
        nvct_runtime_log_close(NULL);
        char *path = xasprintf("%s/warn.log", (char *)*state);
        nvct_runtime_log *log = open_log(NULL, "warning", path, NULL);
        nvct_warn_fn fn = nvct_runtime_log_warn_fn;
        nvct_warnf(fn, log, "skipped %d of %s", 2, "x y");
        nvct_runtime_log_close(log);
        assert_file(path, "time=\"2026-11-29T21:00:00Z\" level=warning msg=\"skipped 2 of x y\"\n");
        free(path);
}

static void test_cleanup_macro(void **state) {
        char *path = xasprintf("%s/cleanup.log", (char *)*state);
        {
                _cleanup_runtime_log_ nvct_runtime_log *log = open_log(NULL, NULL, path, NULL);
                nvct_runtime_logf(log, NVCT_LOG_INFO, "scoped");
        }
        assert_file(path, "time=\"2026-11-29T21:00:00Z\" level=info msg=scoped\n");
        free(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_text_format, setup, teardown),
                cmocka_unit_test_setup_teardown(test_json_format, setup, teardown),
                cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
                cmocka_unit_test_setup_teardown(test_time_zone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
                cmocka_unit_test_setup_teardown(test_both_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_appends, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fd_flags, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unopenable, setup, teardown),
                cmocka_unit_test_setup_teardown(test_long_message_is_cut, setup, teardown),
                cmocka_unit_test_setup_teardown(test_null_log_and_warn_fn, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cleanup_macro, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

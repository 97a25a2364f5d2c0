/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for runtime/argv: which runc command lines are a create, and
 * the bundle and container id read from them, without changing argv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "runtime/argv.h"

/* Scans {"runc", ...} and checks that argv was left as it was. */
#define SCAN(r, ...)                                                                               \
        do {                                                                                       \
                char *argv_[] = { "runc", __VA_ARGS__, NULL };                                     \
                char *copy_[sizeof(argv_) / sizeof(argv_[0])];                                     \
                memcpy(copy_, argv_, sizeof(argv_));                                               \
                nvct_runtime_argv_scan((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, &(r));  \
                assert_memory_equal(copy_, argv_, sizeof(argv_));                                  \
        } while (0)

static void assert_create(const nvct_runtime_argv *r, int sub, const char *bundle, const char *id) {
        assert_true(r->is_create);
        assert_false(r->help);
        assert_int_equal(r->subcommand_index, sub);
        assert_string_equal(r->subcommand, "create");
        if (bundle == NULL)
                assert_null(r->bundle);
        else
                assert_string_equal(r->bundle, bundle);
        if (id == NULL) {
                assert_null(r->container_id);
                assert_int_equal(r->container_id_index, -1);
        } else {
                assert_string_equal(r->container_id, id);
        }
}

static void assert_not_create(const nvct_runtime_argv *r) {
        assert_false(r->is_create);
        assert_null(r->bundle);
        assert_null(r->config);
        assert_null(r->container_id);
        assert_int_equal(r->container_id_index, -1);
}

static void test_plain_create(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "create", "ctr");
        assert_create(&r, 1, NULL, "ctr");
        assert_int_equal(r.container_id_index, 2);
        assert_null(r.config);
}

static void test_globals_before_create(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "--root", "/run/runc", "--log", "/l", "--log-format", "json", "create", "c");
        assert_create(&r, 7, NULL, "c");
        SCAN(r, "--root=/x", "create", "c");
        assert_create(&r, 2, NULL, "c");
        SCAN(r, "-root", "/x", "-debug", "--systemd-cgroup", "create", "c");
        assert_create(&r, 5, NULL, "c");
        SCAN(r, "--debug=true", "--rootless", "auto", "--criu", "/c", "create", "c");
        assert_create(&r, 6, NULL, "c");
        /* A global's value is never the subcommand. */
        SCAN(r, "--log", "create", "state", "c");
        assert_not_create(&r);
        assert_int_equal(r.subcommand_index, 3);
        assert_string_equal(r.subcommand, "state");
        SCAN(r, "--root", "create");
        assert_not_create(&r);
        assert_null(r.subcommand);
        assert_int_equal(r.subcommand_index, -1);
        /* Booleans never take the next argument. */
        SCAN(r, "--debug", "create", "c");
        assert_create(&r, 2, NULL, "c");
}

static void test_create_elsewhere_is_not_create(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "state", "create");
        assert_not_create(&r);
        assert_string_equal(r.subcommand, "state");
        SCAN(r, "delete", "--force", "create");
        assert_not_create(&r);
        SCAN(r, "run", "-b", "/b", "create");
        assert_not_create(&r);
        SCAN(r, "Create", "c");
        assert_not_create(&r);
        SCAN(r, "create2", "c");
        assert_not_create(&r);
}

static void test_id_named_create(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "create", "create");
        assert_create(&r, 1, NULL, "create");
        assert_int_equal(r.container_id_index, 2);
        /* A bundle named create. */
        SCAN(r, "create", "--bundle", "create", "c");
        assert_create(&r, 1, "create", "c");
}

static void test_bundle_last_wins(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "create", "-b", "/one", "--bundle=/two", "c");
        assert_create(&r, 1, "/two", "c");
        SCAN(r, "create", "--bundle=/two", "-b", "/one", "c");
        assert_create(&r, 1, "/one", "c");
        SCAN(r, "create", "--b=/x", "-bundle", "/y", "c");
        assert_create(&r, 1, "/y", "c");
        /* urfave/cli moves a subcommand's flags ahead of its arguments. */
        SCAN(r, "create", "c", "--bundle", "/after");
        assert_create(&r, 1, "/after", "c");
        assert_int_equal(r.container_id_index, 2);
        /* An empty bundle is runc's working directory. */
        SCAN(r, "create", "-b", "/x", "--bundle=", "c");
        assert_create(&r, 1, NULL, "c");
        /* A value flag takes the next argument whatever it is. */
        SCAN(r, "create", "-b", "-x", "c");
        assert_create(&r, 1, "-x", "c");
}

static void test_other_create_flags(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "create", "--console-socket", "/s", "--pid-file", "/p", "--pidfd-socket", "/f",
             "--preserve-fds", "3", "--no-pivot", "--no-new-keyring", "--config", "spec.json", "-b",
             "/b", "c");
        assert_create(&r, 1, "/b", "c");
        assert_string_equal(r.config, "spec.json");
        assert_int_equal(r.container_id_index, 16);
        /* Booleans do not take the id. */
        SCAN(r, "create", "--no-pivot", "c");
        assert_create(&r, 1, NULL, "c");
}

static void test_double_dash(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "--", "create", "c");
        assert_create(&r, 2, NULL, "c");
        SCAN(r, "create", "--", "-b");
        assert_create(&r, 1, NULL, "-b");
        assert_int_equal(r.container_id_index, 3);
        SCAN(r, "create", "-b", "/b", "--", "c", "-b", "/x");
        assert_create(&r, 1, "/b", "c");
        SCAN(r, "--", "--debug", "create");
        assert_not_create(&r);
        assert_string_equal(r.subcommand, "--debug");
}

static void test_unknown_flags_pass_through(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "--new-global", "create", "c");
        assert_create(&r, 2, NULL, "c");
        SCAN(r, "create", "--new-flag", "c", "-b", "/b");
        assert_create(&r, 1, "/b", "c");
        SCAN(r, "create", "--new=value", "c");
        assert_create(&r, 1, NULL, "c");
        /* An unknown global takes no value: its would-be value is the
         * subcommand, and runc rejects the flag anyway. */
        SCAN(r, "--new", "v", "create", "c");
        assert_not_create(&r);
        assert_string_equal(r.subcommand, "v");
}

static void test_no_subcommand(void **state) {
        (void)state;
        nvct_runtime_argv r;
        char *argv0[] = { "runc", NULL };
        nvct_runtime_argv_scan(1, argv0, &r);
        assert_not_create(&r);
        assert_int_equal(r.subcommand_index, -1);
        assert_null(r.subcommand);
        nvct_runtime_argv_scan(0, argv0, &r);
        assert_int_equal(r.subcommand_index, -1);
        SCAN(r, "--debug", "--root", "/x");
        assert_int_equal(r.subcommand_index, -1);
        assert_false(r.is_create);
        SCAN(r, "");
        assert_int_equal(r.subcommand_index, 1);
        assert_string_equal(r.subcommand, "");
        assert_false(r.is_create);
}

static void test_help_and_version(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "--version");
        assert_true(r.help);
        assert_int_equal(r.subcommand_index, -1);
        SCAN(r, "-v", "create", "c");
        assert_true(r.help);
        assert_not_create(&r);
        SCAN(r, "-h", "create", "c");
        assert_true(r.help);
        assert_not_create(&r);
        SCAN(r, "--help=false", "create", "c");
        assert_create(&r, 2, NULL, "c");
        SCAN(r, "create", "-h");
        assert_true(r.help);
        assert_not_create(&r);
        SCAN(r, "create", "c", "--help");
        assert_true(r.help);
        assert_not_create(&r);
        /* -v is no flag of create's: an unknown boolean. */
        SCAN(r, "create", "-v", "c");
        assert_create(&r, 1, NULL, "c");
}

static void test_malformed(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "---root", "/x", "create", "c");
        assert_not_create(&r);
        assert_int_equal(r.subcommand_index, -1);
        SCAN(r, "-=x", "create", "c");
        assert_not_create(&r);
        SCAN(r, "create", "c", "--bundle");
        assert_not_create(&r);
        assert_string_equal(r.subcommand, "create");
        SCAN(r, "create", "---b", "/x", "c");
        assert_not_create(&r);
        SCAN(r, "create", "-h=maybe", "c");
        assert_not_create(&r);
        /* "-" is an argument. */
        SCAN(r, "create", "-");
        assert_create(&r, 1, NULL, "-");
}

static void assert_log(const nvct_runtime_argv *r, const char *log, const char *format) {
        if (log == NULL)
                assert_null(r->log);
        else
                assert_string_equal(r->log, log);
        if (format == NULL)
                assert_null(r->log_format);
        else
                assert_string_equal(r->log_format, format);
}

static void test_log_flags(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "create", "c");
        assert_log(&r, NULL, NULL);
        assert_false(r.debug);
        /* Both forms, one or two dashes; the last value wins. */
        SCAN(r, "--log", "/a.log", "--log-format", "text", "-log=/b.log", "-log-format=json",
             "create", "c");
        assert_log(&r, "/b.log", "json");
        assert_create(&r, 7, NULL, "c");
        SCAN(r, "--log=/a.log", "--log", "/c.log", "--log-format=json", "--log-format", "text",
             "state", "c");
        assert_log(&r, "/c.log", "text");
        /* Whatever the subcommand, and when it is not a create. */
        SCAN(r, "--root", "/run/x", "--log", "/d.log", "--log-format", "json", "delete", "--force",
             "c");
        assert_log(&r, "/d.log", "json");
        assert_not_create(&r);
        SCAN(r, "--log", "/e.log", "start", "c");
        assert_log(&r, "/e.log", NULL);
        SCAN(r, "--log", "/e.log");
        assert_log(&r, "/e.log", NULL);
        assert_int_equal(r.subcommand_index, -1);
        /* An empty value is runc's stderr and text. */
        SCAN(r, "--log", "/e.log", "--log=", "--log-format", "json", "--log-format=", "state", "c");
        assert_log(&r, NULL, NULL);
        /* The value is the next argument whatever it is; the subcommand's
         * own --log is not runc's. */
        SCAN(r, "--log", "--log-format", "create", "c");
        assert_log(&r, "--log-format", NULL);
        assert_create(&r, 3, NULL, "c");
        SCAN(r, "create", "--log", "/x", "c");
        assert_log(&r, NULL, NULL);
        SCAN(r, "--", "--log", "/x");
        assert_log(&r, NULL, NULL);
        /* A missing value is runc's usage error: what came before stays. */
        SCAN(r, "--log-format", "json", "--log");
        assert_log(&r, NULL, "json");
        /* An unknown global takes no value. */
        SCAN(r, "--logfile", "/x", "--log-formats=json", "create", "c");
        assert_log(&r, NULL, NULL);
}

static void test_debug_flag(void **state) {
        (void)state;
        nvct_runtime_argv r;
        SCAN(r, "--debug", "state", "c");
        assert_true(r.debug);
        SCAN(r, "-debug=true", "--debug=0", "state", "c");
        assert_false(r.debug);
        SCAN(r, "--debug=false", "--debug", "state", "c");
        assert_true(r.debug);
        SCAN(r, "state", "--debug", "c");
        assert_false(r.debug);
        /* A boolean Go's ParseBool refuses is runc's usage error. */
        SCAN(r, "--debug=maybe", "create", "c");
        assert_not_create(&r);
        assert_int_equal(r.subcommand_index, -1);
        SCAN(r, "create", "--no-pivot=maybe", "c");
        assert_not_create(&r);
        SCAN(r, "create", "--no-pivot=T", "c");
        assert_create(&r, 1, NULL, "c");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain_create),
                cmocka_unit_test(test_globals_before_create),
                cmocka_unit_test(test_create_elsewhere_is_not_create),
                cmocka_unit_test(test_id_named_create),
                cmocka_unit_test(test_bundle_last_wins),
                cmocka_unit_test(test_other_create_flags),
                cmocka_unit_test(test_double_dash),
                cmocka_unit_test(test_unknown_flags_pass_through),
                cmocka_unit_test(test_no_subcommand),
                cmocka_unit_test(test_help_and_version),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_log_flags),
                cmocka_unit_test(test_debug_flag),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

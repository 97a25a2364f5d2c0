/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the command line, parsed by the rules of Go's `flag`
 * package as the reference hook's flag.Parse() does. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cmdline.h"
#include "basic/error.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1) /* arrays end in NULL */

static nvct_cmdline parse_ok(int argc, char *const *argv) {
        nvct_cmdline c;
        memset(&c, 0xa5, sizeof(c));
        nvct_error *err = NULL;
        int r = nvct_cmdline_parse(argc, argv, &c, &err);
        if (r < 0) {
                print_error("parse failed: %s\n", err ? err->msg : "(no error)");
                nvct_error_free(&err);
                fail();
        }
        assert_int_equal(r, 0);
        assert_null(err);
        return c;
}

/* Returns the error message, which the caller frees. */
static char *parse_fails(int argc, char *const *argv) {
        nvct_cmdline c = { 0 };
        nvct_error *err = NULL;
        int r = nvct_cmdline_parse(argc, argv, &c, &err);
        if (r >= 0) {
                print_error("parse accepted a bad command line (argv[1] = %s)\n",
                            argc > 1 ? argv[1] : "(none)");
                fail();
        }
        assert_non_null(err);
        assert_non_null(err->msg);
        char *msg = strdup(err->msg);
        assert_non_null(msg);
        nvct_error_free(&err);
        return msg;
}

static void assert_fails_with(int argc, char *const *argv, const char *needle1,
                              const char *needle2) {
        char *msg = parse_fails(argc, argv);
        if (strstr(msg, needle1) == NULL || (needle2 != NULL && strstr(msg, needle2) == NULL)) {
                print_error("error \"%s\" lacks \"%s\"/\"%s\"\n", msg, needle1,
                            needle2 ? needle2 : "");
                free(msg);
                fail();
        }
        free(msg);
}

static void test_no_flags(void **state) {
        (void)state;
        char *argv0[] = { "hook", NULL };
        nvct_cmdline c = parse_ok(ARGC(argv0), argv0);
        assert_false(c.debug);
        assert_false(c.dry_run);
        assert_false(c.version);
        assert_false(c.help);
        assert_null(c.config);
        assert_int_equal(c.first_arg, 1);

        char *argv1[] = { "hook", "prestart", NULL };
        c = parse_ok(ARGC(argv1), argv1);
        assert_false(c.debug);
        assert_null(c.config);
        assert_int_equal(c.first_arg, 1);
}

static void test_bool_flags(void **state) {
        (void)state;
        char *argv0[] = { "hook", "-debug", "--dry-run", "-version", "prestart", NULL };
        nvct_cmdline c = parse_ok(ARGC(argv0), argv0);
        assert_true(c.debug);
        assert_true(c.dry_run);
        assert_true(c.version);
        assert_false(c.help);
        assert_null(c.config);
        assert_int_equal(c.first_arg, 4);

        /* -flag=BOOL takes strconv.ParseBool's spellings. */
        char *argv1[] = { "hook", "-debug=false", "--dry-run=T", "-version=0", NULL };
        c = parse_ok(ARGC(argv1), argv1);
        assert_false(c.debug);
        assert_true(c.dry_run);
        assert_false(c.version);
        assert_int_equal(c.first_arg, 4);

        /* The last occurrence wins. */
        char *argv2[] = { "hook", "-debug", "-debug=False", "-dry-run=1", "-dry-run=f", NULL };
        c = parse_ok(ARGC(argv2), argv2);
        assert_false(c.debug);
        assert_false(c.dry_run);
        char *argv3[] = { "hook", "-debug=FALSE", "--debug=TRUE", NULL };
        c = parse_ok(ARGC(argv3), argv3);
        assert_true(c.debug);

        /* A boolean flag never takes the next argument as its value: "false"
         * is the first non-flag argument. */
        char *argv4[] = { "hook", "-debug", "false", "-version", NULL };
        c = parse_ok(ARGC(argv4), argv4);
        assert_true(c.debug);
        assert_false(c.version);
        assert_int_equal(c.first_arg, 2);
}

static void test_config_flag(void **state) {
        (void)state;
        char *argv0[] = { "hook", "-config", "/etc/x.toml", "prestart", NULL };
        nvct_cmdline c = parse_ok(ARGC(argv0), argv0);
        assert_non_null(c.config);
        assert_string_equal(c.config, "/etc/x.toml");
        assert_ptr_equal(c.config, argv0[2]);
        assert_int_equal(c.first_arg, 3);

        char *argv1[] = { "hook", "--config=/a=b", "prestart", NULL };
        c = parse_ok(ARGC(argv1), argv1);
        assert_string_equal(c.config, "/a=b");
        assert_int_equal(c.first_arg, 2);

        /* A string flag takes the next argument whatever it looks like. */
        char *argv2[] = { "hook", "-config", "-debug", NULL };
        c = parse_ok(ARGC(argv2), argv2);
        assert_string_equal(c.config, "-debug");
        assert_false(c.debug);
        assert_int_equal(c.first_arg, 3);

        char *argv3[] = { "hook", "-config", "--", "prestart", NULL };
        c = parse_ok(ARGC(argv3), argv3);
        assert_string_equal(c.config, "--");
        assert_int_equal(c.first_arg, 3);

        /* The last one wins. */
        char *argv4[] = { "hook", "-config=/a", "-config", "/b", NULL };
        c = parse_ok(ARGC(argv4), argv4);
        assert_string_equal(c.config, "/b");

        /* An empty -config means "no -config". */
        char *argv5[] = { "hook", "-config=", "prestart", NULL };
        c = parse_ok(ARGC(argv5), argv5);
        assert_null(c.config);
        assert_int_equal(c.first_arg, 2);
        char *argv6[] = { "hook", "-config", "", "prestart", NULL };
        c = parse_ok(ARGC(argv6), argv6);
        assert_null(c.config);
        assert_int_equal(c.first_arg, 3);
        char *argv7[] = { "hook", "-config=/a", "-config=", NULL };
        c = parse_ok(ARGC(argv7), argv7);
        assert_null(c.config);
}

static void test_end_of_flags(void **state) {
        (void)state;
        /* Parsing stops at the first non-flag argument. */
        char *argv0[] = { "hook", "prestart", "-debug", NULL };
        nvct_cmdline c = parse_ok(ARGC(argv0), argv0);
        assert_false(c.debug);
        assert_int_equal(c.first_arg, 1);

        /* "--" ends the flags and is consumed. */
        char *argv1[] = { "hook", "-debug", "--", "-version", NULL };
        c = parse_ok(ARGC(argv1), argv1);
        assert_true(c.debug);
        assert_false(c.version);
        assert_int_equal(c.first_arg, 3);

        char *argv2[] = { "hook", "--", NULL };
        c = parse_ok(ARGC(argv2), argv2);
        assert_int_equal(c.first_arg, 2);

        /* "-" alone is an argument, not a flag. */
        char *argv3[] = { "hook", "-debug", "-", "-version", NULL };
        c = parse_ok(ARGC(argv3), argv3);
        assert_true(c.debug);
        assert_false(c.version);
        assert_int_equal(c.first_arg, 2);

        /* So is the empty string. */
        char *argv4[] = { "hook", "", "-debug", NULL };
        c = parse_ok(ARGC(argv4), argv4);
        assert_false(c.debug);
        assert_int_equal(c.first_arg, 1);

        /* Only argc arguments are looked at. */
        char *argv5[] = { "hook", "-debug", "-nosuchflag", NULL };
        c = parse_ok(2, argv5);
        assert_true(c.debug);
        assert_int_equal(c.first_arg, 2);
}

static void test_help(void **state) {
        (void)state;
        static const char *const spellings[] = { "-h",     "-help", "--h",
                                                 "--help", "-h=1",  "-help=nonsense" };
        for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
                char *argv[] = { "hook", "-debug", (char *)spellings[i], "prestart", NULL };
                nvct_cmdline c = parse_ok(ARGC(argv), argv);
                if (!c.help) {
                        print_error("%s did not ask for help\n", spellings[i]);
                        fail();
                }
                assert_true(c.debug);
        }
        /* Help stops parsing: what follows is not examined (not even an
         * unknown flag). */
        char *argv1[] = { "hook", "-h", "-nosuchflag", NULL };
        nvct_cmdline c = parse_ok(ARGC(argv1), argv1);
        assert_true(c.help);
        /* But an error before it still fails. */
        char *argv2[] = { "hook", "-nosuchflag", "-h", NULL };
        assert_fails_with(ARGC(argv2), argv2, "-nosuchflag", NULL);
        /* "-H" and "-HELP" are not help: flag names are case-sensitive. */
        char *argv3[] = { "hook", "-H", NULL };
        assert_fails_with(ARGC(argv3), argv3, "flag provided but not defined", "-H");
        char *argv4[] = { "hook", "-Help", NULL };
        assert_fails_with(ARGC(argv4), argv4, "flag provided but not defined", "-Help");
}

static void test_errors(void **state) {
        (void)state;
        char *argv0[] = { "hook", "-nosuchflag", "prestart", NULL };
        assert_fails_with(ARGC(argv0), argv0, "flag provided but not defined", "-nosuchflag");
        /* Go names the flag with one dash and without its value. */
        char *argv1[] = { "hook", "--foo=bar", NULL };
        char *msg = parse_fails(ARGC(argv1), argv1);
        assert_non_null(strstr(msg, "-foo"));
        assert_null(strstr(msg, "bar"));
        free(msg);
        char *argv2[] = { "hook", "-Debug", NULL };
        assert_fails_with(ARGC(argv2), argv2, "flag provided but not defined", "-Debug");
        char *argv3[] = { "hook", "-dry_run", NULL };
        assert_fails_with(ARGC(argv3), argv3, "flag provided but not defined", "-dry_run");

        /* Bad syntax: a third dash or an '=' first. */
        char *argv4[] = { "hook", "---debug", NULL };
        assert_fails_with(ARGC(argv4), argv4, "bad flag syntax", "---debug");
        char *argv5[] = { "hook", "-=x", NULL };
        assert_fails_with(ARGC(argv5), argv5, "bad flag syntax", "-=x");
        char *argv6[] = { "hook", "--=", NULL };
        assert_fails_with(ARGC(argv6), argv6, "bad flag syntax", "--=");
        char *argv7[] = { "hook", "---", NULL };
        assert_fails_with(ARGC(argv7), argv7, "bad flag syntax", "---");

        /* A string flag at the end has no value. */
        char *argv8[] = { "hook", "-debug", "-config", NULL };
        assert_fails_with(ARGC(argv8), argv8, "flag needs an argument", "-config");
        char *argv9[] = { "hook", "--config", NULL };
        assert_fails_with(ARGC(argv9), argv9, "flag needs an argument", "-config");

        /* Booleans take only ParseBool's spellings. */
        char *argv10[] = { "hook", "-debug=maybe", NULL };
        assert_fails_with(ARGC(argv10), argv10, "invalid boolean value", "maybe");
        msg = parse_fails(ARGC(argv10), argv10);
        assert_non_null(strstr(msg, "-debug"));
        free(msg);
        char *argv11[] = { "hook", "-dry-run=", NULL };
        assert_fails_with(ARGC(argv11), argv11, "invalid boolean value", "-dry-run");
        char *argv12[] = { "hook", "-version=yes", NULL };
        assert_fails_with(ARGC(argv12), argv12, "invalid boolean value", "-version");
        char *argv13[] = { "hook", "-debug=tRUE", NULL };
        assert_fails_with(ARGC(argv13), argv13, "invalid boolean value", "tRUE");

        /* An error after good flags is still an error. */
        char *argv14[] = { "hook", "-debug", "-config", "/x", "-bogus", "prestart", NULL };
        assert_fails_with(ARGC(argv14), argv14, "flag provided but not defined", "-bogus");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_flags),    cmocka_unit_test(test_bool_flags),
                cmocka_unit_test(test_config_flag), cmocka_unit_test(test_end_of_flags),
                cmocka_unit_test(test_help),        cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

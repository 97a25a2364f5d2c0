/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for basic/cli: the flags of every program (Go's flag package
 * for the OCI hook, urfave/cli for nvidia-ctk and nvidia-cdi-hook, unknown
 * flags collected for a runc wrapper), outputs untouched on failure, and
 * the command tables: dispatch, help, usage errors. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "cmd/nvidia-container-runtime-hook/flags.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1) /* arrays end in NULL */

static void assert_contains(const char *text, const char *needle) {
        if (strstr(text, needle) == NULL) {
                print_error("\"%s\" lacks \"%s\"\n", text, needle);
                fail();
        }
}

/* ==== urfave/cli flags (nvidia-ctk, nvidia-cdi-hook) ==== */

typedef struct parsed {
        bool flag;
        const char *output;
        nvct_strv many;
        nvct_strv split;
        bool help;
        int next;
} parsed;

static int parse(char **argv, parsed *p, char **ret_msg) {
        const nvct_cli_opt opts[] = {
                { "flag", "f", NVCT_CLI_BOOL, NULL, "a boolean", .ret_bool = &p->flag },
                { "output", "o", NVCT_CLI_STRING, "FILE", "a string", .ret_string = &p->output },
                { "many", NULL, NVCT_CLI_STRINGS, "V", "repeatable", .ret_strings = &p->many },
                { "split", NULL, NVCT_CLI_STRINGS, "V", "split", .flags = NVCT_CLI_SPLIT_COMMAS,
                  .ret_strings = &p->split },
        };
        int argc = 0;
        while (argv[argc] != NULL)
                argc++;
        nvct_error *err = NULL;
        int r = nvct_cli_parse(NVCT_CLI_URFAVE, argc, argv, 1, opts, ARRAY_SIZE(opts), NULL,
                               &p->help, &p->next, &err);
        if (r < 0) {
                assert_non_null(err);
                *ret_msg = strdup(err->msg);
                nvct_error_free(&err);
        } else {
                assert_null(err);
        }
        return r;
}

static void clear(parsed *p) {
        nvct_strv_clear(&p->many);
        nvct_strv_clear(&p->split);
}

static void test_forms(void **state) {
        (void)state;
        char *argv[] = { "prog", "--flag",  "-output", "a",    "--many=x",     "-many",
                         "y",    "--split", "i,u,,t",  "rest", "--flag=false", NULL };
        parsed p = { 0 };
        char *msg = NULL;
        assert_int_equal(parse(argv, &p, &msg), 0);
        assert_true(p.flag);
        assert_string_equal(p.output, "a");
        assert_int_equal(p.many.n, 2);
        assert_string_equal(p.many.v[0], "x");
        assert_string_equal(p.many.v[1], "y");
        assert_null(p.many.v[2]);
        assert_int_equal(p.split.n, 4);
        assert_string_equal(p.split.v[0], "i");
        assert_string_equal(p.split.v[1], "u");
        assert_string_equal(p.split.v[2], "");
        assert_string_equal(p.split.v[3], "t");
        /* Parsing stops at the first non-flag: "--flag=false" is left. */
        assert_int_equal(p.next, 9);
        assert_false(p.help);
        clear(&p);
}

static void test_last_string_wins_and_aliases(void **state) {
        (void)state;
        char *argv[] = { "prog", "-o", "a", "--output=b", "-f=false", "--", "--flag", NULL };
        parsed p = { .flag = true };
        char *msg = NULL;
        assert_int_equal(parse(argv, &p, &msg), 0);
        assert_string_equal(p.output, "b");
        assert_false(p.flag);
        assert_int_equal(p.next, 6); /* after "--" */
        clear(&p);

        char *argv2[] = { "prog", "--output=", "-", NULL };
        parsed q = { 0 };
        assert_int_equal(parse(argv2, &q, &msg), 0);
        assert_string_equal(q.output, "");
        assert_int_equal(q.next, 2); /* a lone "-" is an argument */
        clear(&q);
}

static void test_many_values_grow(void **state) {
        (void)state;
        enum { N = 1000 };
        char **argv = calloc(2 * N + 2, sizeof(*argv));
        assert_non_null(argv);
        argv[0] = "prog";
        char values[N][8];
        for (int i = 0; i < N; i++) {
                snprintf(values[i], sizeof(values[i]), "v%d", i);
                argv[1 + 2 * i] = "--many";
                argv[2 + 2 * i] = values[i];
        }
        parsed p = { 0 };
        char *msg = NULL;
        assert_int_equal(parse(argv, &p, &msg), 0);
        assert_int_equal(p.many.n, N);
        for (int i = 0; i < N; i++)
                assert_string_equal(p.many.v[i], values[i]);
        assert_null(p.many.v[N]);
        clear(&p);
        free(argv);
}

static void test_values_append(void **state) {
        (void)state;
        /* A vector that already holds values keeps them, and grows after. */
        parsed p = { 0 };
        assert_int_equal(nvct_strv_add(&p.many, "old"), 0);
        char *argv[] = { "prog", "--many", "new", NULL };
        char *msg = NULL;
        assert_int_equal(parse(argv, &p, &msg), 0);
        assert_int_equal(p.many.n, 2);
        assert_string_equal(p.many.v[0], "old");
        assert_string_equal(p.many.v[1], "new");
        assert_null(p.many.v[2]);
        assert_int_equal(nvct_strv_add(&p.many, "pushed"), 0);
        assert_string_equal(p.many.v[2], "pushed");
        assert_null(p.many.v[3]);
        clear(&p);
}

static void test_help(void **state) {
        (void)state;
        char *argv[] = { "prog", "--flag", "-h", "--bogus", NULL };
        parsed p = { 0 };
        char *msg = NULL;
        assert_int_equal(parse(argv, &p, &msg), 0);
        assert_true(p.help);
        assert_true(p.flag); /* what came before help is stored */
        assert_int_equal(p.next, 3);
        clear(&p);
        char *argv2[] = { "prog", "--help", NULL };
        parsed q = { 0 };
        assert_int_equal(parse(argv2, &q, &msg), 0);
        assert_true(q.help);
        clear(&q);
}

static void assert_error(char **argv, const char *needle) {
        parsed p = { 0 };
        char *msg = NULL;
        assert_int_equal(parse(argv, &p, &msg), -1);
        assert_non_null(msg);
        assert_contains(msg, needle);
        free(msg);
        clear(&p);
}

static void test_errors(void **state) {
        (void)state;
        char *unknown[] = { "prog", "--nope", NULL };
        assert_error(unknown, "flag provided but not defined: -nope");
        /* Text from the command line is quoted where it is not plain. */
        char *odd[] = { "prog", "--bad\x1b[31m", NULL };
        assert_error(odd, "\"bad\\x1b[31m\"");
        char *missing[] = { "prog", "--output", NULL };
        assert_error(missing, "flag needs an argument: -output");
        /* An alias is named as given, as Go's flag package names it. */
        char *missing_alias[] = { "prog", "-o", NULL };
        assert_error(missing_alias, "flag needs an argument: -o");
        /* Go's %q, as urfave/cli prints it. */
        char *boolean[] = { "prog", "--flag=maybe", NULL };
        assert_error(boolean, "invalid boolean value \"maybe\" for -flag");
        char *boolean_odd[] = { "prog", "--flag=\n", NULL };
        assert_error(boolean_odd, "invalid boolean value \"\\n\" for -flag");
        char *triple[] = { "prog", "---flag", NULL };
        assert_error(triple, "bad flag syntax: ---flag");
        char *eq[] = { "prog", "-=x", NULL };
        assert_error(eq, "bad flag syntax");
}

/* Conventions: a failing function leaves its outputs as they were. Every
 * kind of value is set before the error, which comes last. */
static void test_outputs_untouched_on_failure(void **state) {
        (void)state;
        static const char *const failures[] = { "--nope", "--flag=maybe", "---x", "--output" };
        for (size_t k = 0; k < ARRAY_SIZE(failures); k++) {
                bool flag = false, help = true;
                const char *output = "before";
                nvct_strv many = { 0 }, split = { 0 }, unknown = { 0 };
                assert_int_equal(nvct_strv_add(&many, "kept"), 0);
                char **many_v = many.v;
                const nvct_cli_opt opts[] = {
                        { "flag", NULL, NVCT_CLI_BOOL, NULL, "", .ret_bool = &flag },
                        { "output", NULL, NVCT_CLI_STRING, "F", "", .ret_string = &output },
                        { "many", NULL, NVCT_CLI_STRINGS, "V", "", .ret_strings = &many },
                        { "split", NULL, NVCT_CLI_STRINGS, "V", "", .flags = NVCT_CLI_SPLIT_COMMAS,
                          .ret_strings = &split },
                };
                char *argv[] = { "prog",          "--flag",    "--output=x",        "--many", "m",
                                 "--split=a,b,c", "--unknown", (char *)failures[k], NULL };
                int next = -7;
                nvct_error *err = NULL;
                /* Once without collecting unknown flags (--unknown fails),
                 * once collecting them (the last argument fails, unless it
                 * is an unknown flag too). */
                for (int collect = 0; collect < (k == 0 ? 1 : 2); collect++) {
                        int r = nvct_cli_parse(NVCT_CLI_URFAVE, ARGC(argv), argv, 1, opts,
                                               ARRAY_SIZE(opts), collect ? &unknown : NULL, &help,
                                               &next, &err);
                        assert_int_equal(r, -1);
                        assert_non_null(err);
                        if (!collect)
                                assert_string_equal(err->msg,
                                                    "flag provided but not defined: -unknown");
                        nvct_error_free(&err);
                        assert_false(flag);
                        assert_string_equal(output, "before");
                        assert_int_equal(many.n, 1);
                        assert_ptr_equal(many.v, many_v);
                        assert_string_equal(many.v[0], "kept");
                        assert_null(many.v[1]);
                        assert_int_equal(split.n, 0);
                        assert_null(split.v);
                        assert_int_equal(unknown.n, 0);
                        assert_null(unknown.v);
                        assert_true(help);
                        assert_int_equal(next, -7);
                }
                nvct_strv_clear(&many);
        }
        /* A NULL err is allowed. */
        bool b = false;
        const nvct_cli_opt one[] = { { "b", NULL, NVCT_CLI_BOOL, NULL, "", .ret_bool = &b } };
        char *argv[] = { "prog", "-b", "-c", NULL };
        bool help = false;
        int next = 0;
        assert_int_equal(
                nvct_cli_parse(NVCT_CLI_GO, ARGC(argv), argv, 1, one, 1, NULL, &help, &next, NULL),
                -1);
        assert_false(b);
}

/* ==== unknown flags collected (the runc wrapper's need) ==== */

static void test_unknown_collected(void **state) {
        (void)state;
        /* runc's global flags, then the command and its own. */
        const char *root = NULL, *log = NULL, *log_format = NULL, *bundle = NULL;
        bool systemd = false, debug = false;
        const nvct_cli_opt global[] = {
                { "root", NULL, NVCT_CLI_STRING, "DIR", "", .ret_string = &root },
                { "log", NULL, NVCT_CLI_STRING, "FILE", "", .ret_string = &log },
                { "log-format", NULL, NVCT_CLI_STRING, "F", "", .ret_string = &log_format },
                { "systemd-cgroup", NULL, NVCT_CLI_BOOL, NULL, "", .ret_bool = &systemd },
                { "debug", NULL, NVCT_CLI_BOOL, NULL, "", .ret_bool = &debug },
        };
        const nvct_cli_opt create[] = {
                { "bundle", "b", NVCT_CLI_STRING, "DIR", "", .ret_string = &bundle },
        };
        char *argv[] = { "runc",       "--root",
                         "/run/r",     "--rootless=auto",
                         "-log",       "/l",
                         "--criu",     "--log-format=json",
                         "--debug",    "--systemd-cgroup",
                         "create",     "-b",
                         "/bundle",    "--pid-file=/p",
                         "--no-pivot", "id",
                         "--after",    NULL };
        char *copy[ARRAY_SIZE(argv)];
        memcpy(copy, argv, sizeof(argv));
        nvct_strv unknown = { 0 };
        bool help = false;
        int next = 0;
        nvct_error *err = NULL;
        assert_int_equal(nvct_cli_parse(NVCT_CLI_URFAVE, ARGC(argv), argv, 1, global,
                                        ARRAY_SIZE(global), &unknown, &help, &next, &err),
                         0);
        assert_null(err);
        assert_string_equal(root, "/run/r");
        assert_string_equal(log, "/l");
        assert_string_equal(log_format, "json");
        assert_true(systemd);
        assert_true(debug);
        assert_false(help);
        assert_int_equal(next, 10);
        assert_string_equal(argv[next], "create");
        assert_int_equal(unknown.n, 2);
        assert_string_equal(unknown.v[0], "--rootless=auto");
        assert_string_equal(unknown.v[1], "--criu");

        assert_int_equal(nvct_cli_parse(NVCT_CLI_URFAVE, ARGC(argv), argv, next + 1, create,
                                        ARRAY_SIZE(create), &unknown, &help, &next, &err),
                         0);
        assert_string_equal(bundle, "/bundle");
        assert_int_equal(next, 15);
        assert_string_equal(argv[next], "id");
        /* Appended, in order, as written. */
        assert_int_equal(unknown.n, 4);
        assert_string_equal(unknown.v[2], "--pid-file=/p");
        assert_string_equal(unknown.v[3], "--no-pivot");
        assert_null(unknown.v[4]);
        /* argv is passed through untouched. */
        for (size_t i = 0; i < ARRAY_SIZE(argv); i++)
                assert_ptr_equal(argv[i], copy[i]);
        nvct_strv_clear(&unknown);

        /* An unknown flag takes no value: "v" is the first argument. */
        char *argv2[] = { "runc", "--unknown", "v", "--debug", NULL };
        debug = false;
        assert_int_equal(nvct_cli_parse(NVCT_CLI_URFAVE, ARGC(argv2), argv2, 1, global,
                                        ARRAY_SIZE(global), &unknown, &help, &next, &err),
                         0);
        assert_int_equal(next, 2);
        assert_false(debug);
        assert_int_equal(unknown.n, 1);
        nvct_strv_clear(&unknown);

        /* Help and bad syntax are still what they are. */
        char *argv3[] = { "runc", "--x", "--help", "--y", NULL };
        assert_int_equal(nvct_cli_parse(NVCT_CLI_URFAVE, ARGC(argv3), argv3, 1, global,
                                        ARRAY_SIZE(global), &unknown, &help, &next, &err),
                         0);
        assert_true(help);
        assert_int_equal(next, 3);
        assert_int_equal(unknown.n, 1);
        nvct_strv_clear(&unknown);
        char *argv4[] = { "runc", "--x", "---y", NULL };
        assert_int_equal(nvct_cli_parse(NVCT_CLI_URFAVE, ARGC(argv4), argv4, 1, global,
                                        ARRAY_SIZE(global), &unknown, &help, &next, &err),
                         -1);
        assert_string_equal(err->msg, "bad flag syntax: ---y");
        nvct_error_free(&err);
        assert_int_equal(unknown.n, 0);
}

/* ==== the OCI hook's flags (Go's flag package) ==== */

typedef struct hook_cmdline {
        bool debug, dry_run, version, help;
        const char *config;
        int first_arg;
} hook_cmdline;

static int hook_parse(int argc, char *const *argv, hook_cmdline *ret, nvct_error **err) {
        hook_flags f = { 0 };
        const nvct_cli_opt opts[] = HOOK_FLAGS_OPTIONS(&f);
        bool help = false;
        int next = 0;
        if (nvct_cli_parse(NVCT_CLI_GO, argc, argv, 1, opts, ARRAY_SIZE(opts), NULL, &help, &next,
                           err) < 0)
                return -1;
        *ret = (hook_cmdline){ f.debug, f.dry_run, f.version, help, f.config, next };
        return 0;
}

static hook_cmdline parse_ok(int argc, char *const *argv) {
        hook_cmdline c;
        memset(&c, 0xa5, sizeof(c));
        nvct_error *err = NULL;
        int r = hook_parse(argc, argv, &c, &err);
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
        hook_cmdline c = { 0 };
        nvct_error *err = NULL;
        int r = hook_parse(argc, argv, &c, &err);
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

/* The hook's messages, exactly: they must not change. */
static void assert_fails_exactly(int argc, char *const *argv, const char *want) {
        char *msg = parse_fails(argc, argv);
        if (strcmp(msg, want) != 0) {
                print_error("error \"%s\", want \"%s\"\n", msg, want);
                free(msg);
                fail();
        }
        free(msg);
}

static void test_hook_no_flags(void **state) {
        (void)state;
        char *argv0[] = { "hook", NULL };
        hook_cmdline c = parse_ok(ARGC(argv0), argv0);
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

        /* An empty argv (argc 0) has no arguments either. */
        char *argv2[] = { NULL };
        c = parse_ok(0, argv2);
        assert_int_equal(c.first_arg, 1);
}

static void test_hook_bool_flags(void **state) {
        (void)state;
        char *argv0[] = { "hook", "-debug", "--dry-run", "-version", "prestart", NULL };
        hook_cmdline c = parse_ok(ARGC(argv0), argv0);
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

static void test_hook_config_flag(void **state) {
        (void)state;
        char *argv0[] = { "hook", "-config", "/etc/x.toml", "prestart", NULL };
        hook_cmdline c = parse_ok(ARGC(argv0), argv0);
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

static void test_hook_end_of_flags(void **state) {
        (void)state;
        /* Parsing stops at the first non-flag argument. */
        char *argv0[] = { "hook", "prestart", "-debug", NULL };
        hook_cmdline c = parse_ok(ARGC(argv0), argv0);
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

static void test_hook_help(void **state) {
        (void)state;
        static const char *const spellings[] = { "-h",     "-help", "--h",
                                                 "--help", "-h=1",  "-help=nonsense" };
        for (size_t i = 0; i < ARRAY_SIZE(spellings); i++) {
                char *argv[] = { "hook", "-debug", (char *)spellings[i], "prestart", NULL };
                hook_cmdline c = parse_ok(ARGC(argv), argv);
                if (!c.help) {
                        print_error("%s did not ask for help\n", spellings[i]);
                        fail();
                }
                assert_true(c.debug);
        }
        /* Help stops parsing: what follows is not examined (not even an
         * unknown flag). */
        char *argv1[] = { "hook", "-h", "-nosuchflag", NULL };
        hook_cmdline c = parse_ok(ARGC(argv1), argv1);
        assert_true(c.help);
        /* But an error before it still fails. */
        char *argv2[] = { "hook", "-nosuchflag", "-h", NULL };
        assert_fails_exactly(ARGC(argv2), argv2, "flag provided but not defined: -nosuchflag");
        /* "-H" and "-HELP" are not help: flag names are case-sensitive. */
        char *argv3[] = { "hook", "-H", NULL };
        assert_fails_exactly(ARGC(argv3), argv3, "flag provided but not defined: -H");
        char *argv4[] = { "hook", "-Help", NULL };
        assert_fails_exactly(ARGC(argv4), argv4, "flag provided but not defined: -Help");
}

static void test_hook_errors(void **state) {
        (void)state;
        char *argv0[] = { "hook", "-nosuchflag", "prestart", NULL };
        assert_fails_exactly(ARGC(argv0), argv0, "flag provided but not defined: -nosuchflag");
        /* Go names the flag with one dash and without its value. */
        char *argv1[] = { "hook", "--foo=bar", NULL };
        assert_fails_exactly(ARGC(argv1), argv1, "flag provided but not defined: -foo");
        char *argv2[] = { "hook", "-Debug", NULL };
        assert_fails_exactly(ARGC(argv2), argv2, "flag provided but not defined: -Debug");
        char *argv3[] = { "hook", "-dry_run", NULL };
        assert_fails_exactly(ARGC(argv3), argv3, "flag provided but not defined: -dry_run");
        /* As Go prints it: the name raw. */
        char *raw[] = { "hook", "--\x01\x1b=1", NULL };
        assert_fails_exactly(ARGC(raw), raw, "flag provided but not defined: -\x01\x1b");

        /* Bad syntax: a third dash or an '=' first. */
        char *argv4[] = { "hook", "---debug", NULL };
        assert_fails_exactly(ARGC(argv4), argv4, "bad flag syntax: ---debug");
        char *argv5[] = { "hook", "-=x", NULL };
        assert_fails_exactly(ARGC(argv5), argv5, "bad flag syntax: -=x");
        char *argv6[] = { "hook", "--=", NULL };
        assert_fails_exactly(ARGC(argv6), argv6, "bad flag syntax: --=");
        char *argv7[] = { "hook", "---", NULL };
        assert_fails_exactly(ARGC(argv7), argv7, "bad flag syntax: ---");

        /* A string flag at the end has no value. */
        char *argv8[] = { "hook", "-debug", "-config", NULL };
        assert_fails_exactly(ARGC(argv8), argv8, "flag needs an argument: -config");
        char *argv9[] = { "hook", "--config", NULL };
        assert_fails_exactly(ARGC(argv9), argv9, "flag needs an argument: -config");

        /* Booleans take only ParseBool's spellings. */
        char *argv10[] = { "hook", "-debug=maybe", NULL };
        assert_fails_exactly(ARGC(argv10), argv10, "invalid boolean value \"maybe\" for -debug");
        char *argv11[] = { "hook", "-dry-run=", NULL };
        assert_fails_exactly(ARGC(argv11), argv11, "invalid boolean value \"\" for -dry-run");
        char *argv12[] = { "hook", "-version=yes", NULL };
        assert_fails_exactly(ARGC(argv12), argv12, "invalid boolean value \"yes\" for -version");
        char *argv13[] = { "hook", "-debug=tRUE", NULL };
        assert_fails_exactly(ARGC(argv13), argv13, "invalid boolean value \"tRUE\" for -debug");

        /* An error after good flags is still an error. */
        char *argv14[] = { "hook", "-debug", "-config", "/x", "-bogus", "prestart", NULL };
        assert_fails_exactly(ARGC(argv14), argv14, "flag provided but not defined: -bogus");
}

/* ==== command tables ==== */

static struct {
        const char *ran;
        char path[128];
        int next;
        size_t n_values;
        char first_value[16];
        size_t n_unknown;
} seen;

static bool arg_verbose, arg_version;
static const char *arg_name;
static nvct_strv arg_values;

static int record(const nvct_cli_call *call, const char *what) {
        seen.ran = what;
        snprintf(seen.path, sizeof(seen.path), "%s", call->path);
        seen.next = call->next;
        seen.n_values = arg_values.n;
        snprintf(seen.first_value, sizeof(seen.first_value), "%s",
                 arg_values.n ? arg_values.v[0] : "");
        seen.n_unknown = call->unknown->n;
        return 7;
}

static int run_leaf(const nvct_cli_call *call) {
        return record(call, "leaf");
}

static int run_x(const nvct_cli_call *call) {
        return record(call, "x");
}

static int run_raw(const nvct_cli_call *call) {
        return record(call, "raw");
}

static int run_fails(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        nvct_error_make(&err, 0, "it broke");
        return nvct_cli_fail(call, &err);
}

static int run_root(const nvct_cli_call *call) {
        if (!arg_version)
                return NVCT_CLI_CONTINUE;
        fputs("prog 1.0\n", call->out);
        return 0;
}

static const nvct_cli_opt root_opts[] = {
        { "verbose", "V", NVCT_CLI_BOOL, NULL, "say more", .ret_bool = &arg_verbose },
        { "version", NULL, NVCT_CLI_BOOL, NULL, "print the version", .ret_bool = &arg_version },
};
static const nvct_cli_opt leaf_opts[] = {
        { "name", "n", NVCT_CLI_STRING, "NAME", "a name", .ret_string = &arg_name },
        { "value", NULL, NVCT_CLI_STRINGS, "V", "values", .flags = NVCT_CLI_SPLIT_COMMAS,
          .ret_strings = &arg_values },
};
static const nvct_cli_command cmd_leaf = {
        "leaf",
        "a leaf",
        .description = "A leaf command.\nIt has two lines.",
        .options = leaf_opts,
        .n_options = ARRAY_SIZE(leaf_opts),
        .run = run_leaf,
};
static const nvct_cli_command cmd_x = {
        "x",
        "takes arguments",
        .synopsis = "[options] ARG...",
        .args = NVCT_CLI_ARGS,
        .collect_unknown = true,
        .run = run_x,
};
static const nvct_cli_command cmd_fails = { "fails", "always fails", .run = run_fails };
static const nvct_cli_command *const grp_cmds[] = { &cmd_x, &cmd_fails, NULL };
static const nvct_cli_command cmd_grp = { "grp", "a group", .subcommands = grp_cmds };
static const nvct_cli_command cmd_raw = {
        "raw",
        "unparsed",
        .args = NVCT_CLI_RAW_ARGS,
        .run = run_raw,
};
static const nvct_cli_command *const root_cmds[] = { &cmd_leaf, &cmd_grp, &cmd_raw, NULL };
static const nvct_cli_command test_root = {
        .description = "A test program.",
        .options = root_opts,
        .n_options = ARRAY_SIZE(root_opts),
        .run = run_root,
        .subcommands = root_cmds,
};
static const nvct_cli_program urfave = { "prog", NVCT_CLI_URFAVE, .root = &test_root };
static const nvct_cli_program urfave_colon = { "prog", NVCT_CLI_URFAVE, true, &test_root };
static const nvct_cli_program go = { "prog", NVCT_CLI_GO, .root = &test_root };

typedef struct ran {
        int status;
        char *out, *err;
} ran;

static ran run_argv(const nvct_cli_program *program, int argc, char **argv) {
        ran r = { 0 };
        size_t out_len = 0, err_len = 0;
        FILE *out = open_memstream(&r.out, &out_len);
        FILE *err = open_memstream(&r.err, &err_len);
        assert_non_null(out);
        assert_non_null(err);
        memset(&seen, 0, sizeof(seen));
        arg_verbose = arg_version = false;
        arg_name = NULL;
        r.status = nvct_cli_run(program, argc, argv, out, err);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(fclose(err), 0);
        /* Repeatable values are freed once the command returns. */
        assert_int_equal(arg_values.n, 0);
        assert_null(arg_values.v);
        return r;
}

#define RUN(program, ...)                                                                          \
        ({                                                                                         \
                char *_argv[] = { "prog", __VA_ARGS__, NULL };                                     \
                run_argv(program, ARGC(_argv), _argv);                                             \
        })

static void ran_free(ran *r) {
        free(r->out);
        free(r->err);
}

static void assert_ran(ran r, int status, const char *out, const char *err) {
        if (r.status != status || strcmp(r.out, out) != 0 || strcmp(r.err, err) != 0) {
                print_error("status %d, want %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s\nwant:\n%s\n",
                            r.status, status, r.out, out, r.err, err);
                ran_free(&r);
                fail();
        }
        ran_free(&r);
}

static void test_dispatch(void **state) {
        (void)state;
        assert_ran(RUN(&urfave, "-V", "leaf", "-n", "me", "--value=a,b", "--value", "c"), 7, "",
                   "");
        assert_string_equal(seen.ran, "leaf");
        assert_string_equal(seen.path, "leaf");
        assert_true(arg_verbose);
        assert_string_equal(arg_name, "me");
        assert_int_equal(seen.n_values, 3);
        assert_string_equal(seen.first_value, "a");
        assert_int_equal(seen.next, 8);

        /* Nested, with arguments and unknown flags collected. */
        assert_ran(RUN(&urfave, "grp", "x", "--u=1", "--w", "1", "-z"), 7, "", "");
        assert_string_equal(seen.ran, "x");
        assert_string_equal(seen.path, "grp x");
        assert_int_equal(seen.next, 5);
        assert_int_equal(seen.n_unknown, 2);

        /* Raw: nothing after the name is parsed. */
        assert_ran(RUN(&urfave, "raw", "-bogus", "x"), 7, "", "");
        assert_string_equal(seen.ran, "raw");
        assert_int_equal(seen.next, 2);

        /* A parent's run() sees its flags first. */
        assert_ran(RUN(&urfave, "--version", "leaf"), 0, "prog 1.0\n", "");
        assert_null(seen.ran);

        assert_ran(RUN(&urfave, "grp", "fails"), 1, "", "prog: it broke\n");
}

static void test_usage_errors(void **state) {
        (void)state;
        assert_ran(RUN(&urfave, "leaf", "extra"), 2, "",
                   "prog: unexpected argument \"extra\"\nRun 'prog leaf --help' for usage.\n");
        assert_null(seen.ran);
        assert_ran(RUN(&urfave_colon, "leaf", "extra"), 2, "",
                   "prog: unexpected argument: \"extra\"\nRun 'prog leaf --help' for usage.\n");
        assert_ran(RUN(&urfave, "grp", "frob"), 2, "",
                   "prog: unknown grp command \"frob\"\nRun 'prog grp --help' for usage.\n");
        assert_ran(RUN(&urfave_colon, "fr\nob"), 2, "",
                   "prog: unknown command: \"fr\\nob\"\nRun 'prog --help' for usage.\n");
        assert_ran(RUN(&urfave, "grp"), 2, "",
                   "prog: no command given\nRun 'prog grp --help' for usage.\n");
        assert_ran(RUN(&urfave, "--bogus", "leaf"), 2, "",
                   "prog: flag provided but not defined: -bogus\nRun 'prog --help' for usage.\n");
        assert_ran(RUN(&urfave, "leaf", "--name"), 2, "",
                   "prog: flag needs an argument: -name\nRun 'prog leaf --help' for usage.\n");
        /* Values of a level that failed are not stored. */
        assert_ran(RUN(&urfave, "leaf", "--name=a", "--value=x", "-q"), 2, "",
                   "prog: flag provided but not defined: -q\nRun 'prog leaf --help' for usage.\n");
        assert_null(arg_name);

        /* An empty argv: no command. */
        char *none[] = { NULL };
        assert_ran(run_argv(&urfave, 0, none), 2, "",
                   "prog: no command given\nRun 'prog --help' for usage.\n");
}

static const char root_help[] = "Usage: prog COMMAND [options]\n"
                                "\n"
                                "A test program.\n"
                                "\n"
                                "Commands:\n"
                                "   leaf        a leaf\n"
                                "   grp x       takes arguments\n"
                                "   grp fails   always fails\n"
                                "   raw         unparsed\n"
                                "\n"
                                "Options:\n"
                                "   --verbose, -V                        say more\n"
                                "   --version                            print the version\n"
                                "   --help, -h                           show help\n"
                                "\n"
                                "'prog COMMAND --help' describes a command's options.\n";

static const char leaf_help[] = "Usage: prog leaf [options]\n"
                                "\n"
                                "A leaf command.\n"
                                "It has two lines.\n"
                                "\n"
                                "Options:\n"
                                "   --name NAME, -n NAME                 a name\n"
                                "   --value V                            values (repeatable)\n"
                                "   --help, -h                           show help\n";

static void test_help_generated(void **state) {
        (void)state;
        assert_ran(RUN(&urfave, "--help"), 0, root_help, "");
        assert_ran(RUN(&urfave, "-h", "--bogus"), 0, root_help, "");
        assert_ran(RUN(&urfave, "help"), 0, root_help, "");
        assert_ran(RUN(&urfave, "leaf", "--help"), 0, leaf_help, "");
        assert_ran(RUN(&urfave, "-V", "leaf", "--name=x", "-h"), 0, leaf_help, "");
        assert_ran(RUN(&urfave, "help", "leaf"), 0, leaf_help, "");
        assert_null(seen.ran);

        ran r = RUN(&urfave, "grp", "-help");
        assert_int_equal(r.status, 0);
        assert_contains(r.out, "Usage: prog grp COMMAND [options]\n\na group\n\nCommands:\n"
                               "   x       takes arguments\n   fails   always fails\n");
        assert_contains(r.out, "'prog grp COMMAND --help' describes");
        ran_free(&r);
        r = RUN(&urfave, "help", "grp", "x");
        assert_int_equal(r.status, 0);
        assert_contains(r.out, "Usage: prog grp x [options] ARG...\n\ntakes arguments\n");
        ran_free(&r);
        assert_ran(RUN(&urfave, "help", "nope"), 2, "",
                   "prog: unknown command \"nope\"\nRun 'prog --help' for usage.\n");

        /* The option table's forms (nvidia-ctk's and nvidia-cdi-hook's). */
        bool b;
        const char *s;
        nvct_strv v = { 0 };
        const nvct_cli_opt opts[] = {
                { "output", "o", NVCT_CLI_STRING, "FILE", "where", .ret_string = &s },
                { "folder", NULL, NVCT_CLI_STRINGS, "DIR", "folders", .ret_strings = &v },
                { "debug", NULL, NVCT_CLI_BOOL, NULL, "noisy", .ret_bool = &b },
        };
        const nvct_cli_command cmd = { .synopsis = "[options]",
                                       .options = opts,
                                       .n_options = ARRAY_SIZE(opts) };
        const nvct_cli_program p = { "t", NVCT_CLI_URFAVE, .root = &cmd };
        r = RUN(&p, "--help");
        assert_int_equal(r.status, 0);
        assert_contains(r.out, "Usage: t [options]\n");
        assert_contains(r.out, "--output FILE, -o FILE");
        assert_contains(r.out, "--folder DIR");
        assert_contains(r.out, "folders (repeatable)");
        assert_contains(r.out, "--debug ");
        assert_contains(r.out, "--help, -h");
        ran_free(&r);
}

/* The OCI hook's usage, as it printed it before the table: Go's flag list
 * and its commands. It must not change. */
static const char hook_usage[] = "Usage of /x/hook:\n"
                                 "  -config string\n"
                                 "        configuration file\n"
                                 "  -debug\n"
                                 "        enable debug output\n"
                                 "  -dry-run\n"
                                 "        resolve everything prestart would, print it and what "
                                 "would be\n"
                                 "        executed, and execute nothing\n"
                                 "  -version\n"
                                 "        print the version and exit\n"
                                 "\n"
                                 "Commands:\n"
                                 "  prestart\n"
                                 "        run the prestart hook\n"
                                 "  poststart\n"
                                 "        no-op\n"
                                 "  poststop\n"
                                 "        no-op\n";

static hook_flags hook_values;
static const nvct_cli_opt hook_opts[] = HOOK_FLAGS_OPTIONS(&hook_values);

static int hook_run(const nvct_cli_call *call) {
        return record(call, call->command->name);
}

static const nvct_cli_command hook_prestart = { "prestart", "run the prestart hook",
                                                .args = NVCT_CLI_RAW_ARGS, .run = hook_run };
static const nvct_cli_command hook_poststart = { "poststart", "no-op", .args = NVCT_CLI_RAW_ARGS,
                                                 .run = hook_run };
static const nvct_cli_command hook_poststop = { "poststop", "no-op", .args = NVCT_CLI_RAW_ARGS,
                                                .run = hook_run };
static const nvct_cli_command *const hook_cmds[] = { &hook_prestart, &hook_poststart,
                                                     &hook_poststop, NULL };
static const nvct_cli_command hook_root = { .options = hook_opts,
                                            .n_options = ARRAY_SIZE(hook_opts),
                                            .subcommands = hook_cmds };
static const nvct_cli_program hook_program = { "hook", NVCT_CLI_GO, .root = &hook_root };

static void test_go_style(void **state) {
        (void)state;
        char *help[] = { "/x/hook", "-h", NULL };
        assert_ran(run_argv(&hook_program, ARGC(help), help), 0, hook_usage, "");

        char *bad[] = { "/x/hook", "-force", NULL };
        _cleanup_free_ char *want = NULL;
        assert_true(asprintf(&want, "hook: flag provided but not defined: -force\n%s", hook_usage) >
                    0);
        assert_ran(run_argv(&hook_program, ARGC(bad), bad), 2, "", want);

        char *frob[] = { "/x/hook", "frob", NULL };
        free(want);
        assert_true(asprintf(&want, "hook: unknown command \"frob\"\n%s", hook_usage) > 0);
        assert_ran(run_argv(&hook_program, ARGC(frob), frob), 2, "", want);

        /* Go's programs have no "help" command. */
        char *help_cmd[] = { "/x/hook", "help", NULL };
        free(want);
        assert_true(asprintf(&want, "hook: unknown command \"help\"\n%s", hook_usage) > 0);
        assert_ran(run_argv(&hook_program, ARGC(help_cmd), help_cmd), 2, "", want);

        /* An empty argv: the usage names the program. */
        char *none[] = { NULL };
        ran r = run_argv(&hook_program, 0, none);
        assert_int_equal(r.status, 2);
        assert_contains(r.err, "hook: no command given\nUsage of hook:\n  -config string\n");
        ran_free(&r);

        /* Flags after the command are the command's business. */
        char *after[] = { "/x/hook", "-debug", "-config=", "poststart", "-bogus", NULL };
        assert_ran(run_argv(&hook_program, ARGC(after), after), 7, "", "");
        assert_string_equal(seen.ran, "poststart");
        assert_int_equal(seen.next, 4);
        assert_true(hook_values.debug);
        assert_null(hook_values.config);

        /* The test program in the Go style: a usage error prints the usage
         * of the level it happened at. */
        r = RUN(&go, "leaf", "--bogus");
        assert_int_equal(r.status, 2);
        assert_contains(r.err, "prog: flag provided but not defined: -bogus\nUsage of prog:\n"
                               "A leaf command.\nIt has two lines.\n  -name NAME\n");
        ran_free(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_last_string_wins_and_aliases),
                cmocka_unit_test(test_many_values_grow),
                cmocka_unit_test(test_values_append),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_outputs_untouched_on_failure),
                cmocka_unit_test(test_unknown_collected),
                cmocka_unit_test(test_hook_no_flags),
                cmocka_unit_test(test_hook_bool_flags),
                cmocka_unit_test(test_hook_config_flag),
                cmocka_unit_test(test_hook_end_of_flags),
                cmocka_unit_test(test_hook_help),
                cmocka_unit_test(test_hook_errors),
                cmocka_unit_test(test_dispatch),
                cmocka_unit_test(test_usage_errors),
                cmocka_unit_test(test_help_generated),
                cmocka_unit_test(test_go_style),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

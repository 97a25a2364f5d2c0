/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the nvidia-ctk / nvidia-cdi-hook command lines (urfave/cli
 * on Go's flag package: one or two dashes, "=value" or a separate value,
 * repeatable flags, parsing stops at the first argument). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/args.h"
#include "basic/error.h"

typedef struct parsed {
        bool flag;
        const char *output;
        nvct_strv many;
        nvct_strv split;
        bool help;
        int next;
} parsed;

static int parse(char **argv, parsed *p, char **ret_msg) {
        const nvct_opt opts[] = {
                { "flag", "f", NVCT_OPT_BOOL, NULL, "a boolean", .ret_bool = &p->flag },
                { "output", "o", NVCT_OPT_STRING, "FILE", "a string", .ret_string = &p->output },
                { "many", NULL, NVCT_OPT_STRINGS, "V", "repeatable", .ret_strings = &p->many },
                { "split", NULL, NVCT_OPT_STRINGS, "V", "split", .split_commas = true,
                  .ret_strings = &p->split },
        };
        int argc = 0;
        while (argv[argc] != NULL)
                argc++;
        nvct_error *err = NULL;
        int r = nvct_args_parse(argc, argv, 1, opts, 4, &p->help, &p->next, &err);
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
        nvct_strv_free(&p->many);
        nvct_strv_free(&p->split);
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

static void test_help(void **state) {
        (void)state;
        char *argv[] = { "prog", "--flag", "-h", "--bogus", NULL };
        parsed p = { 0 };
        char *msg = NULL;
        assert_int_equal(parse(argv, &p, &msg), 0);
        assert_true(p.help);
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
        if (strstr(msg, needle) == NULL) {
                print_error("error \"%s\" lacks \"%s\"\n", msg, needle);
                fail();
        }
        free(msg);
        clear(&p);
}

static void test_errors(void **state) {
        (void)state;
        char *unknown[] = { "prog", "--nope", NULL };
        assert_error(unknown, "flag provided but not defined: -nope");
        char *odd[] = { "prog", "--bad\x1b[31m", NULL };
        assert_error(odd, "\"bad\\x1b[31m\"");
        char *missing[] = { "prog", "--output", NULL };
        assert_error(missing, "flag needs an argument: -output");
        char *boolean[] = { "prog", "--flag=maybe", NULL };
        assert_error(boolean, "invalid boolean value maybe for -flag");
        char *triple[] = { "prog", "---flag", NULL };
        assert_error(triple, "bad flag syntax: ---flag");
        char *eq[] = { "prog", "-=x", NULL };
        assert_error(eq, "bad flag syntax");
}

static void test_help_text(void **state) {
        (void)state;
        bool b;
        const char *s;
        nvct_strv v = { 0 };
        const nvct_opt opts[] = {
                { "output", "o", NVCT_OPT_STRING, "FILE", "where", .ret_string = &s },
                { "folder", NULL, NVCT_OPT_STRINGS, "DIR", "folders", .ret_strings = &v },
                { "debug", NULL, NVCT_OPT_BOOL, NULL, "noisy", .ret_bool = &b },
        };
        char *text = nvct_args_help(opts, 3);
        assert_non_null(text);
        assert_non_null(strstr(text, "--output FILE, -o FILE"));
        assert_non_null(strstr(text, "--folder DIR"));
        assert_non_null(strstr(text, "folders (repeatable)"));
        assert_non_null(strstr(text, "--debug "));
        assert_non_null(strstr(text, "--help, -h"));
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_last_string_wins_and_aliases),
                cmocka_unit_test(test_many_values_grow),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_help_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

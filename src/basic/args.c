/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "gocompat.h"
#include "quote.h"

/* A flag or value as shown in an error: as is when plain, else quoted. */
static char *shown(const char *s, size_t len) {
        return nvct_is_plain(s, len) ? nvct_memdup0(s, len) : nvct_quote(s, len);
}

static int push_value(nvct_strv *strv, const char *s, size_t len, nvct_error **err) {
        if (nvct_strv_push(strv, nvct_memdup0(s, len)) < 0)
                return nvct_error_make(err, ENOMEM, "cannot store a flag value");
        return 0;
}

static const nvct_opt *find_opt(const nvct_opt *opts, size_t n_opts, const char *name, size_t len) {
        for (size_t i = 0; i < n_opts; i++) {
                const char *names[] = { opts[i].name, opts[i].alias };
                for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
                        if (names[j] != NULL && strlen(names[j]) == len &&
                            memcmp(names[j], name, len) == 0)
                                return &opts[i];
                }
        }
        return NULL;
}

static int store_value(const nvct_opt *opt, const char *value, nvct_error **err) {
        if (opt->kind == NVCT_OPT_STRING) {
                *opt->ret_string = value;
                return 0;
        }
        if (!opt->split_commas)
                return push_value(opt->ret_strings, value, strlen(value), err);
        for (const char *p = value;;) {
                const char *comma = strchr(p, ',');
                size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
                if (push_value(opt->ret_strings, p, len, err) < 0)
                        return -1;
                if (comma == NULL)
                        return 0;
                p = comma + 1;
        }
}

int nvct_args_parse(int argc, char **argv, int first, const nvct_opt *opts, size_t n_opts,
                    bool *ret_help, int *ret_next, nvct_error **err) {
        bool help = false;
        int i = first;

        while (i < argc) {
                const char *arg = argv[i];
                if (arg[0] != '-' || arg[1] == '\0')
                        break;
                if (strcmp(arg, "--") == 0) {
                        i++;
                        break;
                }
                const char *name = arg + 1;
                if (*name == '-')
                        name++;
                if (*name == '\0' || *name == '-' || *name == '=') {
                        _cleanup_free_ char *q = shown(arg, strlen(arg));
                        return nvct_error_make(err, 0, "bad flag syntax: %s", q ? q : "?");
                }
                const char *eq = strchr(name, '=');
                size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
                i++;

                if ((name_len == 1 && name[0] == 'h') ||
                    (name_len == 4 && memcmp(name, "help", 4) == 0)) {
                        help = true;
                        break;
                }
                const nvct_opt *opt = find_opt(opts, n_opts, name, name_len);
                if (opt == NULL) {
                        _cleanup_free_ char *q = shown(name, name_len);
                        return nvct_error_make(err, 0, "flag provided but not defined: -%s",
                                               q ? q : "?");
                }
                if (opt->kind == NVCT_OPT_BOOL) {
                        bool value = true;
                        /* strconv.ParseBool, which urfave/cli's booleans use. */
                        if (eq != NULL && !nvct_go_parse_bool(eq + 1, strlen(eq + 1), &value)) {
                                _cleanup_free_ char *q = shown(eq + 1, strlen(eq + 1));
                                return nvct_error_make(err, 0, "invalid boolean value %s for -%s",
                                                       q ? q : "?", opt->name);
                        }
                        *opt->ret_bool = value;
                        continue;
                }
                const char *value;
                if (eq != NULL) {
                        value = eq + 1;
                } else if (i < argc) {
                        value = argv[i++];
                } else {
                        return nvct_error_make(err, 0, "flag needs an argument: -%s", opt->name);
                }
                if (store_value(opt, value, err) < 0)
                        return -1;
        }

        *ret_help = help;
        *ret_next = i;
        return 0;
}

char *nvct_args_help(const nvct_opt *opts, size_t n_opts) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (f == NULL)
                return NULL;
        for (size_t i = 0; i < n_opts; i++) {
                const nvct_opt *o = &opts[i];
                char left[128];
                const char *v = o->value_name;
                if (o->alias != NULL && v != NULL)
                        snprintf(left, sizeof(left), "--%s %s, -%s %s", o->name, v, o->alias, v);
                else if (o->alias != NULL)
                        snprintf(left, sizeof(left), "--%s, -%s", o->name, o->alias);
                else if (v != NULL)
                        snprintf(left, sizeof(left), "--%s %s", o->name, v);
                else
                        snprintf(left, sizeof(left), "--%s", o->name);
                fprintf(f, "   %-36s %s%s\n", left, o->usage,
                        o->kind == NVCT_OPT_STRINGS ? " (repeatable)" : "");
        }
        fprintf(f, "   %-36s %s\n", "--help, -h", "show help");
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(text);
}

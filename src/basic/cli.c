/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "gocompat.h"
#include "quote.h"

/* ---- parsing ---- */

/* A value parsed but not yet stored: the options' storage is written only
 * once the whole command line has parsed (conventions: outputs untouched on
 * failure). */
typedef struct staged {
        bool set;
        bool b;
        const char *s;
        nvct_strv v;
        char **merged; /* the option's vector and v, prepared before storing */
} staged;

typedef struct parser {
        nvct_cli_style style;
        const nvct_cli_opt *opts;
        size_t n_opts;
        bool collect_unknown;
        staged st[NVCT_CLI_MAX_OPTS];
        staged unknown;
} parser;

/* Text from the command line as a message shows it: the Go style shows it
 * raw, as Go's flag package (and the hook, always) does; the urfave style
 * as is when plain, else quoted, so that a flag cannot print a line or a
 * colour of its own. NULL on OOM. */
static char *shown(nvct_cli_style style, const char *s, size_t len) {
        if (style == NVCT_CLI_GO || nvct_is_plain(s, len))
                return nvct_memdup0(s, len);
        return nvct_quote(s, len);
}

/* A boolean's bad value: Go's %q, which the hook spells with raw bytes. */
static char *shown_bool(nvct_cli_style style, const char *s) {
        if (style != NVCT_CLI_GO)
                return nvct_quote(s, strlen(s));
        char *q = NULL;
        return asprintf(&q, "\"%s\"", s) < 0 ? NULL : q;
}

static int push_value(nvct_strv *strv, const char *s, size_t len, nvct_error **err) {
        if (nvct_strv_push(strv, nvct_memdup0(s, len)) < 0)
                return nvct_error_make(err, ENOMEM, "cannot store a flag value");
        return 0;
}

static const nvct_cli_opt *find_opt(const parser *p, const char *name, size_t len) {
        for (size_t i = 0; i < p->n_opts; i++) {
                const char *names[] = { p->opts[i].name, p->opts[i].alias };
                for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
                        if (names[j] != NULL && strlen(names[j]) == len &&
                            memcmp(names[j], name, len) == 0)
                                return &p->opts[i];
                }
        }
        return NULL;
}

static int stage_value(staged *st, const nvct_cli_opt *opt, const char *value, nvct_error **err) {
        st->set = true;
        if (opt->kind == NVCT_CLI_STRING) {
                st->s = (opt->flags & NVCT_CLI_EMPTY_IS_NULL) && value[0] == '\0' ? NULL : value;
                return 0;
        }
        if (!(opt->flags & NVCT_CLI_SPLIT_COMMAS))
                return push_value(&st->v, value, strlen(value), err);
        for (const char *s = value;;) {
                const char *comma = strchr(s, ',');
                size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
                if (push_value(&st->v, s, len, err) < 0)
                        return -1;
                if (comma == NULL)
                        return 0;
                s = comma + 1;
        }
}

/* One flag argument, argv[*i], whose name starts at `name`. */
static int parse_flag(parser *p, int argc, char *const *argv, int *i, const char *name,
                      bool *ret_help, nvct_error **err) {
        const char *arg = argv[*i];
        const char *eq = strchr(name, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        (*i)++;

        if ((name_len == 1 && name[0] == 'h') || (name_len == 4 && memcmp(name, "help", 4) == 0)) {
                *ret_help = true;
                return 0;
        }
        const nvct_cli_opt *opt = find_opt(p, name, name_len);
        if (opt == NULL) {
                if (p->collect_unknown) {
                        p->unknown.set = true;
                        return push_value(&p->unknown.v, arg, strlen(arg), err);
                }
                _cleanup_free_ char *q = shown(p->style, name, name_len);
                return nvct_error_make(err, 0, "flag provided but not defined: -%s",
                                       nvct_quoted(q));
        }
        staged *st = &p->st[opt - p->opts];
        if (opt->kind == NVCT_CLI_BOOL) {
                bool value = true;
                if (eq != NULL && !nvct_go_parse_bool(eq + 1, strlen(eq + 1), &value)) {
                        _cleanup_free_ char *qv = shown_bool(p->style, eq + 1);
                        _cleanup_free_ char *qn = shown(p->style, name, name_len);
                        return nvct_error_make(err, 0, "invalid boolean value %s for -%s",
                                               nvct_quoted(qv), nvct_quoted(qn));
                }
                st->set = true;
                st->b = value;
                return 0;
        }
        const char *value;
        if (eq != NULL) {
                value = eq + 1;
        } else if (*i < argc) {
                value = argv[(*i)++]; /* whatever it looks like: "-config -debug" */
        } else {
                _cleanup_free_ char *qn = shown(p->style, name, name_len);
                return nvct_error_make(err, 0, "flag needs an argument: -%s", nvct_quoted(qn));
        }
        return stage_value(st, opt, value, err);
}

/* The flags of argv[first..argc) into p's staging area. */
static int parse_all(parser *p, int argc, char *const *argv, int first, bool *ret_help,
                     int *ret_next, nvct_error **err) {
        int i = first;
        while (i < argc) {
                const char *arg = argv[i];
                if (arg[0] != '-' || arg[1] == '\0')
                        break;
                if (strcmp(arg, "--") == 0) {
                        i++;
                        break;
                }
                const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
                if (*name == '-' || *name == '=') {
                        _cleanup_free_ char *q = shown(p->style, arg, strlen(arg));
                        return nvct_error_make(err, 0, "bad flag syntax: %s", nvct_quoted(q));
                }
                if (parse_flag(p, argc, argv, &i, name, ret_help, err) < 0)
                        return -1;
                if (*ret_help)
                        break;
        }
        *ret_next = i;
        return 0;
}

/* A vector holding `to`'s strings and then `from`'s, allocated now so that
 * storing it cannot fail. */
static char **merge_prepare(const nvct_strv *to, const nvct_strv *from) {
        return calloc(to->n + from->n + 1, sizeof(char *));
}

/* Moves `from`'s strings after `to`'s into `merged`; cannot fail. */
static void merge_commit(nvct_strv *to, nvct_strv *from, char **merged) {
        if (to->n > 0)
                memcpy(merged, to->v, to->n * sizeof(char *));
        memcpy(merged + to->n, from->v, from->n * sizeof(char *));
        free(to->v);
        free(from->v);
        to->n += from->n;
        to->cap = to->n + 1;
        to->v = merged;
        to->v[to->n] = NULL;
        *from = (nvct_strv){ 0 };
}

static void staged_clear(staged *st) {
        nvct_strv_clear(&st->v);
        free(st->merged);
        st->merged = NULL;
}

int nvct_cli_parse(nvct_cli_style style, int argc, char *const *argv, int first,
                   const nvct_cli_opt *opts, size_t n_opts, nvct_strv *ret_unknown, bool *ret_help,
                   int *ret_next, nvct_error **err) {
        if (n_opts > NVCT_CLI_MAX_OPTS)
                return nvct_error_make(err, 0, "more than %d options", NVCT_CLI_MAX_OPTS);
        _cleanup_free_ parser *p = calloc(1, sizeof(*p));
        if (p == NULL)
                return nvct_error_make(err, ENOMEM, "cannot parse the command line");
        *p = (parser){
                .style = style,
                .opts = opts,
                .n_opts = n_opts,
                .collect_unknown = ret_unknown != NULL,
        };
        bool help = false;
        int next = first, r = -1;

        if (parse_all(p, argc, argv, first, &help, &next, err) < 0)
                goto out;
        /* Every allocation happens before the first value is stored. */
        for (size_t k = 0; k < n_opts; k++) {
                if (opts[k].kind == NVCT_CLI_STRINGS && p->st[k].set &&
                    (p->st[k].merged = merge_prepare(opts[k].ret_strings, &p->st[k].v)) == NULL)
                        goto oom;
        }
        if (p->unknown.set &&
            (p->unknown.merged = merge_prepare(ret_unknown, &p->unknown.v)) == NULL)
                goto oom;

        for (size_t k = 0; k < n_opts; k++) {
                staged *st = &p->st[k];
                if (!st->set)
                        continue;
                if (opts[k].kind == NVCT_CLI_BOOL)
                        *opts[k].ret_bool = st->b;
                else if (opts[k].kind == NVCT_CLI_STRING)
                        *opts[k].ret_string = st->s;
                else
                        merge_commit(opts[k].ret_strings, &st->v, TAKE_PTR(st->merged));
        }
        if (p->unknown.set)
                merge_commit(ret_unknown, &p->unknown.v, TAKE_PTR(p->unknown.merged));
        *ret_help = help;
        *ret_next = next;
        r = 0;
        goto out;
oom:
        nvct_error_make(err, ENOMEM, "cannot store a flag value");
out:
        for (size_t k = 0; k < n_opts; k++)
                staged_clear(&p->st[k]);
        staged_clear(&p->unknown);
        return r;
}

/* ---- help ---- */

static void write_indented(FILE *f, const char *text, const char *indent) {
        for (const char *s = text; *s != '\0'; s++) {
                fputc(*s, f);
                if (*s == '\n' && s[1] != '\0')
                        fputs(indent, f);
        }
}

/* Go's flag.PrintDefaults, as the hook prints it. */
static void help_go(const nvct_cli_call *call, const nvct_cli_command *cmd, FILE *f) {
        const char *argv0 = call->argc > 0 ? call->argv[0] : call->program->name;
        fprintf(f, "Usage of %s:\n", argv0);
        if (cmd->description != NULL)
                fprintf(f, "%s\n", cmd->description);
        for (size_t i = 0; i < cmd->n_options; i++) {
                const nvct_cli_opt *o = &cmd->options[i];
                fprintf(f, "  -%s%s%s\n        ", o->name, o->value_name ? " " : "",
                        o->value_name ? o->value_name : "");
                write_indented(f, o->usage, "        ");
                fputc('\n', f);
        }
        if (cmd->subcommands == NULL)
                return;
        fputs("\nCommands:\n", f);
        for (const nvct_cli_command *const *s = cmd->subcommands; *s != NULL; s++)
                fprintf(f, "  %s\n        %s\n", (*s)->name, (*s)->summary);
}

/* The commands under cmd, each a leaf named by its path from cmd ("cdi
 * generate"), in a column `width` wide; or, without f, that width. */
static size_t list_commands(FILE *f, const nvct_cli_command *cmd, const char *prefix, size_t depth,
                            size_t width) {
        size_t widest = 0;
        for (const nvct_cli_command *const *s = cmd->subcommands; s && *s != NULL; s++) {
                char path[128];
                snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? " " : "", (*s)->name);
                size_t w = strlen(path);
                if ((*s)->subcommands != NULL && depth + 1 < NVCT_CLI_MAX_DEPTH)
                        w = list_commands(f, *s, path, depth + 1, width);
                else if (f != NULL)
                        fprintf(f, "   %-*s   %s\n", (int)width, path, (*s)->summary);
                widest = w > widest ? w : widest;
        }
        return widest;
}

static void option_table(FILE *f, const nvct_cli_opt *opts, size_t n_opts) {
        for (size_t i = 0; i < n_opts; i++) {
                const nvct_cli_opt *o = &opts[i];
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
                fprintf(f, "   %-36s ", left);
                write_indented(f, o->usage, "   ");
                fprintf(f, "%s\n", o->kind == NVCT_CLI_STRINGS ? " (repeatable)" : "");
        }
        fprintf(f, "   %-36s %s\n", "--help, -h", "show help");
}

static void help_urfave(const nvct_cli_call *call, const nvct_cli_command *cmd, const char *path,
                        FILE *f) {
        const char *name = call->program->name;
        const char *sep = path[0] ? " " : "";
        const char *synopsis = cmd->synopsis;
        if (synopsis == NULL)
                synopsis = cmd->subcommands != NULL ? "COMMAND [options]" : "[options]";
        fprintf(f, "Usage: %s%s%s %s\n", name, sep, path, synopsis);
        const char *text = cmd->description != NULL ? cmd->description : cmd->summary;
        if (text != NULL)
                fprintf(f, "\n%s\n", text);
        if (cmd->subcommands != NULL) {
                fputs("\nCommands:\n", f);
                list_commands(f, cmd, "", 0, list_commands(NULL, cmd, "", 0, 0));
        }
        fputs("\nOptions:\n", f);
        option_table(f, cmd->options, cmd->n_options);
        if (cmd->subcommands != NULL)
                fprintf(f, "\n'%s%s%s COMMAND --help' describes a command's options.\n", name, sep,
                        path);
}

static void write_help(const nvct_cli_call *call, FILE *f) {
        if (call->program->style == NVCT_CLI_GO)
                help_go(call, call->command, f);
        else
                help_urfave(call, call->command, call->path, f);
}

/* ---- what commands print ---- */

int nvct_cli_fail(const nvct_cli_call *call, nvct_error **err) {
        fprintf(call->err, "%s: %s\n", call->program->name,
                *err != NULL ? (*err)->msg : "unknown error");
        nvct_error_free(err);
        return EXIT_FAILURE;
}

int nvct_cli_usage_error(const nvct_cli_call *call, nvct_error **err) {
        const char *name = call->program->name;
        fprintf(call->err, "%s: %s\n", name, *err != NULL ? (*err)->msg : "usage error");
        nvct_error_free(err);
        if (call->program->style == NVCT_CLI_GO)
                write_help(call, call->err);
        else
                fprintf(call->err, "Run '%s%s%s --help' for usage.\n", name,
                        call->path[0] ? " " : "", call->path);
        return NVCT_CLI_EXIT_USAGE;
}

/* ---- dispatch ---- */

static const nvct_cli_command *find_command(const nvct_cli_command *cmd, const char *name) {
        for (const nvct_cli_command *const *s = cmd->subcommands; s && *s != NULL; s++)
                if (strcmp((*s)->name, name) == 0)
                        return *s;
        return NULL;
}

static void enter(nvct_cli_call *call, const nvct_cli_command *sub) {
        size_t len = strlen(call->path);
        snprintf(call->path + len, sizeof(call->path) - len, "%s%s", len ? " " : "", sub->name);
        call->command = sub;
}

static int unknown_command(nvct_cli_call *call, const char *name) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *q = nvct_quote(name, strlen(name));
        nvct_error_make(&err, 0, "unknown %s%scommand%s%s", call->path, call->path[0] ? " " : "",
                        nvct_cli_sep(call), nvct_quoted(q));
        return nvct_cli_usage_error(call, &err);
}

/* urfave/cli's "help [COMMAND...]": the help of the command it names. */
static int help_command(nvct_cli_call *call) {
        for (int i = call->next + 1; i < call->argc; i++) {
                const nvct_cli_command *sub = find_command(call->command, call->argv[i]);
                if (sub == NULL)
                        return unknown_command(call, call->argv[i]);
                enter(call, sub);
        }
        write_help(call, call->out);
        return EXIT_SUCCESS;
}

/* One level: its flags, then its command or the subcommand's level. Returns
 * the exit status, or NVCT_CLI_CONTINUE after entering the subcommand. */
static int run_level(nvct_cli_call *call, nvct_strv *unknown) {
        _cleanup_error_ nvct_error *err = NULL;
        const nvct_cli_command *cmd = call->command;
        const nvct_cli_style style = call->program->style;

        if (cmd->args == NVCT_CLI_RAW_ARGS)
                return cmd->run(call);
        bool help = false;
        int next = call->next;
        if (nvct_cli_parse(style, call->argc, call->argv, call->next, cmd->options, cmd->n_options,
                           cmd->collect_unknown ? unknown : NULL, &help, &next, &err) < 0)
                return nvct_cli_usage_error(call, &err);
        if (help) {
                write_help(call, call->out);
                return EXIT_SUCCESS;
        }
        call->next = next;
        if (cmd->subcommands == NULL) {
                if (cmd->args == NVCT_CLI_NO_ARGS && next < call->argc) {
                        const char *arg = call->argv[next];
                        _cleanup_free_ char *q = nvct_quote(arg, strlen(arg));
                        nvct_error_make(&err, 0, "unexpected argument%s%s", nvct_cli_sep(call),
                                        nvct_quoted(q));
                        return nvct_cli_usage_error(call, &err);
                }
                return cmd->run(call);
        }
        if (cmd->run != NULL) {
                int r = cmd->run(call);
                if (r != NVCT_CLI_CONTINUE)
                        return r;
        }
        if (next >= call->argc) {
                nvct_error_make(&err, 0, "no command given");
                return nvct_cli_usage_error(call, &err);
        }
        const char *name = call->argv[next];
        const nvct_cli_command *sub = find_command(cmd, name);
        if (sub == NULL && style == NVCT_CLI_URFAVE && strcmp(name, "help") == 0)
                return help_command(call);
        if (sub == NULL)
                return unknown_command(call, name);
        enter(call, sub);
        call->next = next + 1;
        return NVCT_CLI_CONTINUE;
}

static void free_values(const nvct_cli_command *cmd) {
        for (size_t i = 0; i < cmd->n_options; i++)
                if (cmd->options[i].kind == NVCT_CLI_STRINGS)
                        nvct_strv_clear(cmd->options[i].ret_strings);
}

int nvct_cli_run(const nvct_cli_program *program, int argc, char *const *argv, FILE *out,
                 FILE *err) {
        nvct_strv unknown = { 0 };
        nvct_cli_call call = {
                .program = program,
                .command = program->root,
                .argc = argc,
                .argv = argv,
                .next = 1,
                .unknown = &unknown,
                .out = out,
                .err = err,
        };
        const nvct_cli_command *levels[NVCT_CLI_MAX_DEPTH];
        size_t depth = 0;
        int status = NVCT_CLI_CONTINUE;

        while (status == NVCT_CLI_CONTINUE) {
                if (depth == NVCT_CLI_MAX_DEPTH) {
                        _cleanup_error_ nvct_error *e = NULL;
                        nvct_error_make(&e, 0, "commands nest deeper than %d", NVCT_CLI_MAX_DEPTH);
                        status = nvct_cli_fail(&call, &e);
                        break;
                }
                levels[depth++] = call.command;
                status = run_level(&call, &unknown);
        }
        for (size_t i = 0; i < depth; i++)
                free_values(levels[i]);
        nvct_strv_clear(&unknown);
        return status;
}

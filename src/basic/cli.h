/* SPDX-License-Identifier: Apache-2.0 */
/* The command line of every program. Flags are parsed as Go's flag package
 * parses them (the OCI hook's reference) and as urfave/cli, built on it,
 * parses NVIDIA's nvidia-ctk and nvidia-cdi-hook (and runc's):
 *   - flags come before the arguments, with one or two leading dashes, as
 *     "-name=value" or "-name value"; a boolean only as "-name" or
 *     "-name=BOOL" (strconv.ParseBool's spellings), never taking the next
 *     argument;
 *   - parsing stops at the first argument that is not a flag ("" and "-"
 *     are arguments), or after "--", which is consumed;
 *   - "-h" or "-help" (either dash count, any "=value") asks for help and
 *     stops parsing: what follows is not examined;
 *   - urfave/cli's additions: an alias per flag, a string flag given twice
 *     keeps the last value, a repeatable flag collects every value, split on
 *     commas where the flag says so.
 * A program is a table of commands (nvct_cli_command): nvct_cli_run parses
 * each level's flags, dispatches to the subcommand the next argument names,
 * and prints help and usage errors the one way every program does. It never
 * exits, and writes only to the streams it is given. */
#ifndef NVCT_CLI_H
#define NVCT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "strv.h"

/* A usage error's exit status; a failure's is EXIT_FAILURE (1). */
#define NVCT_CLI_EXIT_USAGE 2
/* The most options one command may have (the parser stages values for each
 * on the stack) and the deepest command path. */
#define NVCT_CLI_MAX_OPTS 64
#define NVCT_CLI_MAX_DEPTH 8

typedef enum nvct_cli_kind {
        NVCT_CLI_BOOL,
        NVCT_CLI_STRING,
        NVCT_CLI_STRINGS, /* repeatable: every value is collected */
} nvct_cli_kind;

/* nvct_cli_opt.flags */
enum {
        /* NVCT_CLI_STRINGS: "a,b" is two values, "a,,b" three (urfave/cli's
         * StringSliceFlag). */
        NVCT_CLI_SPLIT_COMMAS = 1u << 0,
        /* NVCT_CLI_STRING: an empty value stores NULL, as if the flag had not
         * been given (the hook's reference treats -config="" so). */
        NVCT_CLI_EMPTY_IS_NULL = 1u << 1,
};

typedef struct nvct_cli_opt {
        const char *name;  /* "output" */
        const char *alias; /* "o", or NULL */
        nvct_cli_kind kind;
        /* In the help text: "FILE" after the flag's name; NULL for booleans.
         * The Go style shows Go's type name here ("string"). */
        const char *value_name;
        const char *usage; /* may span lines ("\n") */
        unsigned flags;
        /* Where the value goes, by kind. Written only when parsing
         * succeeds. A string points into argv; repeatable values are copies,
         * appended. */
        bool *ret_bool;
        const char **ret_string;
        nvct_strv *ret_strings;
} nvct_cli_opt;

typedef enum nvct_cli_style {
        /* urfave/cli's programs: a usage error is the message and a pointer
         * to --help; help is "Usage: PROGRAM COMMAND ..." with a table of
         * options; text from the command line is quoted in messages where
         * it is not plain; a "help" command shows help. */
        NVCT_CLI_URFAVE,
        /* Go's flag package, as the OCI hook prints it: a usage error is
         * the message and the whole usage; help is "Usage of ARGV0:" with
         * Go's flag list; messages show the command line's text as Go does,
         * raw. */
        NVCT_CLI_GO,
} nvct_cli_style;

/* Parses the flags in argv[first..argc) against `opts` (at most
 * NVCT_CLI_MAX_OPTS). On success stores every value through the options'
 * ret_* pointers, sets *ret_help when -h/-help stopped parsing, and
 * *ret_next to the index of the first argument left. When ret_unknown is not
 * NULL, a flag that no option names is appended to it, as written ("--x" or
 * "--x=v"), instead of failing; it takes no value of its own, so that in
 * "--x v" "v" is the first argument left: a caller collecting flags it
 * passes through (the runc wrapper) declares every flag whose value is a
 * separate argument. Fails (a usage error) on an unknown flag, bad syntax
 * ("---x", "-=x"), a missing value, a bad boolean; the message names the
 * flag, as Go's does. On failure nothing is written: not the options'
 * values, *ret_unknown, *ret_help nor *ret_next. */
int nvct_cli_parse(nvct_cli_style style, int argc, char *const *argv, int first,
                   const nvct_cli_opt *opts, size_t n_opts, nvct_strv *ret_unknown, bool *ret_help,
                   int *ret_next, nvct_error **err);

typedef struct nvct_cli_call nvct_cli_call;
typedef struct nvct_cli_command nvct_cli_command;

/* What a command takes after its flags. */
typedef enum nvct_cli_args {
        NVCT_CLI_NO_ARGS, /* nothing: an argument left is a usage error */
        NVCT_CLI_ARGS,    /* arguments: the command reads argv[next..argc) */
        /* Its flags are not parsed: the command gets every argument after
         * its name as is (the OCI hook's commands, whose reference ignores
         * them). */
        NVCT_CLI_RAW_ARGS,
} nvct_cli_args;

/* A command's run() returns this to go on to the subcommand. */
#define NVCT_CLI_CONTINUE (-1)

struct nvct_cli_command {
        const char *name;        /* NULL for the program's own (root) command */
        const char *summary;     /* one line, in the parent's list of commands */
        const char *synopsis;    /* after "Usage: PROGRAM PATH "; NULL: generated */
        const char *description; /* its help's paragraph; NULL: the summary */
        const nvct_cli_opt *options;
        size_t n_options;
        nvct_cli_args args;
        /* Collect unknown flags in nvct_cli_call.unknown instead of failing
         * (see nvct_cli_parse). */
        bool collect_unknown;
        /* Runs the command and returns the exit status; required unless
         * the command has subcommands, which may have one too: it runs once its own flags are
         * parsed (to act on them: --version), and returns NVCT_CLI_CONTINUE
         * to go on to the subcommand. */
        int (*run)(const nvct_cli_call *call);
        const nvct_cli_command *const *subcommands; /* NULL-terminated, or NULL */
};

typedef struct nvct_cli_program {
        const char *name; /* every message's prefix, and the help's */
        nvct_cli_style style;
        /* Messages that name a value put ": " before it ("unknown command:
         * \"x\""), else a space ("unknown command \"x\""): nvidia-ctk's and
         * the hooks' spellings, which scripts match, differ. */
        bool colon_before_value;
        const nvct_cli_command *root;
} nvct_cli_program;

struct nvct_cli_call {
        const nvct_cli_program *program;
        const nvct_cli_command *command;
        /* The names from the program to the command, space-separated: "cdi
         * generate"; "" for the root. */
        char path[128];
        int argc;
        char *const *argv;
        int next;                 /* argv[next..argc): the arguments left */
        const nvct_strv *unknown; /* collect_unknown: the flags collected */
        FILE *out;                /* help; the command's output */
        FILE *err;                /* errors */
};

/* Runs the program: parses each level's flags, shows help (-h, --help, and
 * in the urfave style a "help" command), dispatches to the subcommand, and
 * returns the exit status: the command's, 0 after help, 2 after a usage
 * error. Frees the values of repeatable options it stored once the command
 * returns. */
int nvct_cli_run(const nvct_cli_program *program, int argc, char *const *argv, FILE *out,
                 FILE *err);

/* For commands: print "PROGRAM: MESSAGE" on call->err, free *err and return
 * EXIT_FAILURE; or print the usage error the program's style prints (with a
 * pointer to this command's --help, or its whole usage) and return
 * NVCT_CLI_EXIT_USAGE. */
int nvct_cli_fail(const nvct_cli_call *call, nvct_error **err);
int nvct_cli_usage_error(const nvct_cli_call *call, nvct_error **err);

/* The separator before a value in this program's messages: ": " or " ". */
static inline const char *nvct_cli_sep(const nvct_cli_call *call) {
        return call->program->colon_before_value ? ": " : " ";
}

#endif

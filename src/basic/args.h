/* SPDX-License-Identifier: Apache-2.0 */
/* Command lines of nvidia-ctk and nvidia-cdi-hook, parsed as NVIDIA's
 * (urfave/cli on Go's flag package) are: "--name value", "--name=value",
 * one dash as good as two, booleans as "--name" or "--name=BOOL", a string
 * flag given twice keeps the last, a repeatable flag collects every value
 * (split on commas where the flag says so), and parsing stops at the first
 * argument that is not a flag, or after "--". */
#ifndef NVCT_ARGS_H
#define NVCT_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strv.h"

typedef enum nvct_opt_kind {
        NVCT_OPT_BOOL,
        NVCT_OPT_STRING,
        NVCT_OPT_STRINGS, /* repeatable */
} nvct_opt_kind;

typedef struct nvct_opt {
        const char *name;  /* "output" */
        const char *alias; /* "o", or NULL */
        nvct_opt_kind kind;
        const char *value_name;  /* "FILE" in the help text; NULL for booleans */
        const char *usage;       /* one line */
        bool split_commas;       /* NVCT_OPT_STRINGS: "a,b" is two values */
        bool *ret_bool;          /* NVCT_OPT_BOOL */
        const char **ret_string; /* NVCT_OPT_STRING: last value wins */
        nvct_strv *ret_strings;  /* NVCT_OPT_STRINGS: values appended */
} nvct_opt;

/* Parses argv[first..argc). "-h"/"--help" sets *ret_help and stops. A value
 * holding a NUL cannot occur (argv); an empty value is kept as "". Fails (a
 * usage error) on an unknown flag, a missing value, a bad boolean; the
 * message names the flag. *ret_next is the index of the first argument left. */
int nvct_args_parse(int argc, char **argv, int first, const nvct_opt *opts, size_t n_opts,
                    bool *ret_help, int *ret_next, nvct_error **err);

/* The option table as help text ("   --output FILE, -o FILE   usage\n"...),
 * malloc'd; NULL on allocation failure. */
char *nvct_args_help(const nvct_opt *opts, size_t n_opts);

#endif

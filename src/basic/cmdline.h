/* SPDX-License-Identifier: Apache-2.0 */
/* The hook's command line, parsed by the rules of Go's `flag` package (the
 * reference's): flags before the command, one or two leading dashes,
 * "-flag=value" or "-flag value" (booleans only "-flag" or "-flag=BOOL"),
 * parsing stops at the first non-flag argument or after "--". */
#ifndef NVCT_CMDLINE_H
#define NVCT_CMDLINE_H

#include <stdbool.h>

#include "error.h"

typedef struct nvct_cmdline {
        bool debug;
        bool dry_run;
        bool version;
        bool help;          /* -h or -help */
        const char *config; /* -config; NULL when not given (or given empty) */
        int first_arg;      /* index in argv of the first non-flag argument */
} nvct_cmdline;

/* Fails (a usage error: exit status 2) on an unknown flag, bad syntax, a
 * missing value or an invalid boolean. */
int nvct_cmdline_parse(int argc, char *const *argv, nvct_cmdline *ret_cmdline, nvct_error **err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* What nvidia-ctk and nvidia-cdi-hook print, the same way: one error line
 * prefixed with the program's name (exit 1), a usage error that points at
 * --help (exit 2), and help text from the option table. Each program defines
 * PROGRAM before including this. */
#ifndef NVCT_CMD_CLI_H
#define NVCT_CMD_CLI_H

#include <stdio.h>
#include <stdlib.h>

#include "basic/args.h"
#include "basic/cleanup.h"
#include "basic/error.h"

#ifndef PROGRAM
#error "define PROGRAM before including cli.h"
#endif

/* Exit statuses: 1 for a failure, 2 for a usage error. */
#define EXIT_USAGE 2

static inline int fail(nvct_error **err) {
        fprintf(stderr, PROGRAM ": %s\n", (*err)->msg);
        nvct_error_free(err);
        return EXIT_FAILURE;
}

/* `command` is the subcommand the --help hint names ("" for none). */
static inline int usage_error(const char *command, nvct_error **err) {
        fprintf(stderr, PROGRAM ": %s\nRun '" PROGRAM "%s%s --help' for usage.\n", (*err)->msg,
                command[0] ? " " : "", command);
        nvct_error_free(err);
        return EXIT_USAGE;
}

static inline int help(const char *synopsis, const char *description, const nvct_opt *opts,
                       size_t n_opts) {
        _cleanup_free_ char *table = nvct_args_help(opts, n_opts);
        printf("Usage: " PROGRAM " %s\n\n%s\n\nOptions:\n%s", synopsis, description,
               table ? table : "");
        return EXIT_SUCCESS;
}

#endif

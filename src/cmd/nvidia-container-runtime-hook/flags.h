/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI hook's flags, as its reference (Go's flag package) defines them:
 * one table for the hook, its unit tests and its fuzz harness, so that what
 * they check is what the hook parses. */
#ifndef NVCT_CMD_HOOK_FLAGS_H
#define NVCT_CMD_HOOK_FLAGS_H

#include <stdbool.h>

#include "basic/cli.h"

typedef struct hook_flags {
        bool debug;
        bool dry_run;
        bool version;
        const char *config; /* NULL when not given, or given empty */
} hook_flags;

/* The option table storing into the hook_flags *f, in the order Go's
 * flag.PrintDefaults lists them (sorted). */
#define HOOK_FLAGS_OPTIONS(f)                                                                      \
        {                                                                                          \
                { "config",                                                                        \
                  NULL,                                                                            \
                  NVCT_CLI_STRING,                                                                 \
                  "string",                                                                        \
                  "configuration file",                                                            \
                  .flags = NVCT_CLI_EMPTY_IS_NULL,                                                 \
                  .ret_string = &(f)->config },                                                    \
                        { "debug",                                                                 \
                          NULL,                                                                    \
                          NVCT_CLI_BOOL,                                                           \
                          NULL,                                                                    \
                          "enable debug output",                                                   \
                          .ret_bool = &(f)->debug },                                               \
                        { "dry-run",                                                               \
                          NULL,                                                                    \
                          NVCT_CLI_BOOL,                                                           \
                          NULL,                                                                    \
                          "resolve everything prestart would, print it and what would be\n"        \
                          "executed, and execute nothing",                                         \
                          .ret_bool = &(f)->dry_run },                                             \
                        { "version",                                                               \
                          NULL,                                                                    \
                          NVCT_CLI_BOOL,                                                           \
                          NULL,                                                                    \
                          "print the version and exit",                                            \
                          .ret_bool = &(f)->version },                                             \
        }

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk config default: the default config.toml, every key the hook
 * and the runtime read (config/default.h), on stdout or into --output. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "config/default.h"

#include "ctk.h"

static const char *arg_output;

static const nvct_cli_opt default_options[] = {
        { "output", "o", NVCT_CLI_STRING, "FILE",
          "write to FILE (atomically: the old file or the new, never a part); "
          "default or empty: stdout",
          .ret_string = &arg_output },
};

static int config_default(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;

        if (nvct_config_write_default(&data, &len, &err) < 0)
                return nvct_cli_fail(call, &err);
        /* NVIDIA's command writes to stdout for an empty --output too. */
        if (arg_output == NULL || arg_output[0] == '\0') {
                int r = nvct_write_all(STDOUT_FILENO, data, len);
                if (r < 0) {
                        nvct_error_make(&err, -r, "cannot write the config to stdout");
                        return nvct_cli_fail(call, &err);
                }
                return EXIT_SUCCESS;
        }
        if (nvct_write_file_atomic(arg_output, data, len, 0644, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (!ctk_quiet) {
                _cleanup_free_ char *qo = nvct_quote_path(arg_output);
                fprintf(stderr, PROGRAM ": wrote %s\n", nvct_quoted(qo));
        }
        return EXIT_SUCCESS;
}

static const nvct_cli_command config_default_command = {
        .name = "default",
        .summary = "print the default config.toml",
        .description = "Print the default NVIDIA Container Toolkit config.toml: every key the "
                       "hook,\nthe runtime and nvidia-ctk read, with its documentation; keys "
                       "unset by default\nare commented out.",
        .options = default_options,
        .n_options = ARRAY_SIZE(default_options),
        .run = config_default,
};

/* NVIDIA's aliases of `default`, for the scripts that use them (the command
 * table has no aliases: the same command under each name). */
static const nvct_cli_command config_create_default_command = {
        .name = "create-default",
        .summary = "the same as default",
        .description = "The same as `" PROGRAM " config default` (NVIDIA's alias).",
        .options = default_options,
        .n_options = ARRAY_SIZE(default_options),
        .run = config_default,
};
static const nvct_cli_command config_generate_default_command = {
        .name = "generate-default",
        .summary = "the same as default",
        .description = "The same as `" PROGRAM " config default` (NVIDIA's alias).",
        .options = default_options,
        .n_options = ARRAY_SIZE(default_options),
        .run = config_default,
};

static const nvct_cli_command *const config_commands[] = {
        &config_default_command,
        &config_create_default_command,
        &config_generate_default_command,
        NULL,
};

const nvct_cli_command ctk_config = {
        .name = "config",
        .summary = "the NVIDIA Container Toolkit's config.toml",
        .subcommands = config_commands,
};

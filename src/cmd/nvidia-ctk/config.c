/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk config default: the default config.toml, every key the hook
 * and the runtime read (config/default.h), on stdout or into --output.
 * nvidia-ctk config [--set KEY[=VALUE]]...: the config file with keys set
 * (config/set.h), comments and untouched bytes kept, on stdout, into
 * --output, or back into the file with --in-place. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "config/config.h"
#include "config/default.h"
#include "config/set.h"
#include "engines/file.h"

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

static const char *arg_config_file, *arg_set_output, *arg_list_separator;
static bool arg_in_place;
static nvct_strv arg_sets;

/* NVIDIA's flags of the config command itself (its --config-file has two
 * aliases; the table takes one, so --config is an entry of its own). --set is not
 * split on commas, so that a list's value keeps them for
 * --set-list-separator to split. */
static const nvct_cli_opt config_options[] = {
        { "config-file", "c", NVCT_CLI_STRING, "FILE",
          "the config file to modify; a missing one starts from the default config "
          "(default: $NVIDIA_CTK_CONFIG_FILE_PATH, else "
          "$XDG_CONFIG_HOME/nvidia-container-runtime/config.toml, else /etc's)",
          .ret_string = &arg_config_file },
        { "config", NULL, NVCT_CLI_STRING, "FILE", "the same as --config-file",
          .ret_string = &arg_config_file },
        { "set", NULL, NVCT_CLI_STRINGS, "KEY[=VALUE]",
          "set a config key by its dotted path, in order; a boolean key alone means true; "
          "a list's VALUE is split on the list separator",
          .ret_strings = &arg_sets },
        { "set-list-separator", NULL, NVCT_CLI_STRING, "SEP",
          "what splits a list's VALUE in --set (default \",\")",
          .ret_string = &arg_list_separator },
        { "in-place", "i", NVCT_CLI_BOOL, NULL,
          "write the result back into the config file (atomically, keeping its mode and owner; "
          "not at all when nothing changed)",
          .ret_bool = &arg_in_place },
        { "output", "o", NVCT_CLI_STRING, "FILE", "write to FILE (atomically); default: stdout",
          .ret_string = &arg_set_output },
};

/* Writes `data` where the flags say: stdout, --output, or the file itself. */
static int write_result(const nvct_cli_call *call, const char *path, const nvct_engine_file *old,
                        const char *data, size_t len) {
        _cleanup_error_ nvct_error *err = NULL;
        const char *target = arg_in_place ? path : arg_set_output;
        if (target == NULL || target[0] == '\0') {
                int r = nvct_write_all(STDOUT_FILENO, data, len);
                if (r < 0) {
                        nvct_error_make(&err, -r, "cannot write the config to stdout");
                        return nvct_cli_fail(call, &err);
                }
                return EXIT_SUCCESS;
        }
        nvct_engine_file out = { 0 };
        bool changed = false;
        int r = 0;
        if (arg_in_place)
                out = *old; /* borrowed: not cleared here */
        else
                r = nvct_engine_file_read(target, "output file", NVCT_CONFIG_MAX_SIZE, &out, &err);
        if (r == 0)
                r = nvct_engine_file_update(target, &out, data, len, &changed, &err);
        if (!arg_in_place)
                nvct_engine_file_clear(&out);
        if (r < 0)
                return nvct_cli_fail(call, &err);
        if (!ctk_quiet) {
                _cleanup_free_ char *q = nvct_quote_path(target);
                fprintf(call->err, PROGRAM ": %s %s\n",
                        changed ? "wrote" : "unchanged:", nvct_quoted(q));
        }
        return EXIT_SUCCESS;
}

static int config_set(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        /* An argument left is the subcommand (default and its aliases). */
        if (call->next < call->argc)
                return NVCT_CLI_CONTINUE;
        if (arg_in_place && arg_set_output != NULL && arg_set_output[0] != '\0') {
                nvct_error_make(&err, 0, "cannot specify both --in-place and --output");
                return nvct_cli_usage_error(call, &err);
        }
        _cleanup_free_ char *default_path = NULL;
        const char *path = arg_config_file;
        if (path == NULL) {
                default_path = nvct_config_toolkit_path();
                if (default_path == NULL) {
                        nvct_error_make(&err, ENOMEM, "config file path");
                        return nvct_cli_fail(call, &err);
                }
                path = default_path;
        }
        if (path[0] == '\0' && arg_in_place) {
                nvct_error_make(&err, 0, "--in-place needs a config file");
                return nvct_cli_usage_error(call, &err);
        }

        nvct_engine_file old = { 0 };
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = 0;
        /* NVIDIA: an empty path or a missing file is the default config. */
        if (path[0] != '\0')
                r = nvct_engine_file_read(path, "config file", NVCT_CONFIG_MAX_SIZE, &old, &err);
        if (r == 0 && old.exists)
                r = nvct_config_set_text(old.data, old.len, path, (const char *const *)arg_sets.v,
                                         arg_sets.n, arg_list_separator, &data, &len, &err);
        else if (r == 0) {
                _cleanup_free_ char *def = NULL;
                size_t def_len = 0;
                r = nvct_config_write_default(&def, &def_len, &err);
                if (r == 0)
                        r = nvct_config_set_text(def, def_len, path,
                                                 (const char *const *)arg_sets.v, arg_sets.n,
                                                 arg_list_separator, &data, &len, &err);
        }
        if (r == 0)
                r = write_result(call, path, &old, data, len);
        else
                r = nvct_cli_fail(call, &err);
        nvct_engine_file_clear(&old);
        return r;
}

const nvct_cli_command ctk_config = {
        .name = "config",
        .summary = "the NVIDIA Container Toolkit's config.toml",
        .synopsis = "[options] | COMMAND [options]",
        .description = "With no command: the config file, with the keys --set names set, on "
                       "stdout,\ninto --output, or back into the file (--in-place). Comments, "
                       "blank lines\nand every value not set stay byte for byte.",
        .options = config_options,
        .n_options = ARRAY_SIZE(config_options),
        .run = config_set,
        .subcommands = config_commands,
};

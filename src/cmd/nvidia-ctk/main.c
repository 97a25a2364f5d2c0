/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk: `cdi generate` writes a CDI spec for this host's GPUs, `cdi
 * list` shows the devices the CDI spec directories define. Names and flags
 * are NVIDIA's, so that existing docs and scripts work. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "basic/cleanup.h"
#include "basic/cli.h"

#include "ctk.h"

#ifndef NVCT_VERSION
#define NVCT_VERSION "unknown"
#endif

bool ctk_quiet;
static bool arg_debug, arg_version;

static const nvct_cli_opt options[] = {
        { "quiet", "q", NVCT_CLI_BOOL, NULL, "print only errors", .ret_bool = &ctk_quiet },
        { "debug", "d", NVCT_CLI_BOOL, NULL, "accepted for compatibility", .ret_bool = &arg_debug },
        { "version", "v", NVCT_CLI_BOOL, NULL, "print the version", .ret_bool = &arg_version },
};

static int check_version(const nvct_cli_call *call) {
        if (!arg_version)
                return NVCT_CLI_CONTINUE;
        fprintf(call->out, PROGRAM " version " NVCT_VERSION " (nvct)\n");
        return EXIT_SUCCESS;
}

static const nvct_cli_command *const cdi_commands[] = { &ctk_cdi_generate, &ctk_cdi_list, NULL };
static const nvct_cli_command cdi = {
        .name = "cdi",
        .summary = "Container Device Interface specs",
        .subcommands = cdi_commands,
};
static const nvct_cli_command *const runtime_commands[] = { &ctk_runtime_configure, NULL };
static const nvct_cli_command runtime = {
        .name = "runtime",
        .summary = "container engines' configuration for the NVIDIA runtime",
        .subcommands = runtime_commands,
};
static const nvct_cli_command *const system_commands[] = { &ctk_system_create_device_nodes, NULL };
static const nvct_cli_command system_ = {
        .name = "system",
        .summary = "the host's NVIDIA device nodes",
        .subcommands = system_commands,
};
static const nvct_cli_command *const commands[] = { &cdi,     &runtime,    &ctk_config, &ctk_hook,
                                                    &system_, &ctk_doctor, NULL };
static const nvct_cli_command root = {
        .synopsis = "[--quiet] [--debug] COMMAND [options]",
        .description = "The NVIDIA Container Toolkit's CLI: CDI specs for this host's GPUs.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = check_version,
        .subcommands = commands,
};
static const nvct_cli_program program = { PROGRAM, NVCT_CLI_URFAVE, .colon_before_value = true,
                                          .root = &root };

int main(int argc, char **argv) {
        return nvct_cli_run(&program, argc, argv, stdout, stderr);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk hook: nvidia-cdi-hook's subcommands, the same code (compiled
 * into both programs from src/cmd/nvidia-cdi-hook/), under the name NVIDIA
 * specs before nvidia-cdi-hook called them by: `nvidia-ctk hook
 * create-symlinks ...`, and what a spec generated with
 * --nvidia-cdi-hook-path=.../nvidia-ctk calls. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "basic/cli.h"
#include "cmd/nvidia-cdi-hook/cdi-hook.h"

#include "ctk.h"

/* --debug lines then say which program runs the hook. */
static int hook_prefix(const nvct_cli_call *call) {
        (void)call;
        cdi_hook_program = "nvidia-ctk";
        return NVCT_CLI_CONTINUE;
}

const nvct_cli_command ctk_hook = {
        .name = "hook",
        .summary = "the createContainer hooks of CDI specs (as nvidia-cdi-hook)",
        .description = "The hooks a CDI spec's createContainer entries run, as nvidia-cdi-hook "
                       "runs them.",
        .run = hook_prefix,
        .subcommands = cdi_hook_commands,
};

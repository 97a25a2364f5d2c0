/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook: the createContainer hooks a CDI spec from `nvidia-ctk cdi
 * generate` names (commands.c has the table, shared with `nvidia-ctk
 * hook`). `create-symlinks` makes the driver's symlinks in the container,
 * `update-ldcache` runs the host's ldconfig with the container's root as
 * "/", `chmod`, `enable-cuda-compat`, `disable-device-node-modification`
 * and `update-application-profile` do what NVIDIA's do. The runtime runs them as root, with the
 * container state on stdin, against a root filesystem the image's author built: all the work inside
 * it goes through rootfs.h, which never lets a path leave it. Names and flags are NVIDIA's, so that
 * specs it generated work unchanged. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"

#include "cdi-hook.h"

#define PROGRAM CDI_HOOK_PROGRAM

#ifndef NVCT_VERSION
#define NVCT_VERSION "unknown"
#endif

/* ---- the command table ---- */

static bool arg_quiet, arg_version;

static const nvct_cli_opt options[] = {
        { "debug", "d", NVCT_CLI_BOOL, NULL, "print what the hook does on stderr",
          .ret_bool = &cdi_hook_debug },
        { "quiet", NULL, NVCT_CLI_BOOL, NULL,
          "accepted for compatibility: only errors are printed anyway", .ret_bool = &arg_quiet },
        { "version", "v", NVCT_CLI_BOOL, NULL, "print the version and exit",
          .ret_bool = &arg_version },
};

static int check_version(const nvct_cli_call *call) {
        if (!arg_version)
                return NVCT_CLI_CONTINUE;
        fprintf(call->out, PROGRAM " (nvct) %s\n", NVCT_VERSION);
        return EXIT_SUCCESS;
}

static const nvct_cli_command root = {
        .synopsis = "[--debug] COMMAND [OPTIONS]",
        .description = "The createContainer hooks of NVIDIA CDI specs.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = check_version,
        .subcommands = cdi_hook_commands,
};
static const nvct_cli_program program = { PROGRAM, NVCT_CLI_URFAVE, .root = &root };

int main(int argc, char **argv) {
        /* The runtime may start us with SIGCHLD ignored; ldconfig's exit
         * status would then be lost to the kernel's auto-reaping. Nothing
         * else of the environment is used: no variable is read, and
         * ldconfig gets an empty environment. */
        signal(SIGCHLD, SIG_DFL);
        return nvct_cli_run(&program, argc, argv, stdout, stderr);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-container-runtime-hook: the OCI prestart hook that hands a
 * container its GPUs through nvidia-container-cli. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "hook/command.h"
#include "policy/decision.h"
#include "basic/error.h"
#include "basic/gocompat.h"
#include "config/hookconfig.h"
#include "oci/bundle.h"
#include "oci/oci.h"
#include "policy/specfilter.h"
#include "basic/quote.h"
#include "hook/report.h"

#include "flags.h"

#ifndef NVCT_VERSION
#define NVCT_VERSION "unknown"
#endif

#define PROGRAM "nvidia-container-runtime-hook"

extern char **environ;

static hook_flags flags;
static const nvct_cli_opt options[] = HOOK_FLAGS_OPTIONS(&flags);

static int prestart(const nvct_cli_call *call) {
        const hook_flags *opts = &flags;
        _cleanup_error_ nvct_error *err = NULL;
        nvct_hook_config config;
        nvct_state state = { 0 };
        nvct_spec spec = { 0 };
        nvct_request req = { 0 };
        nvct_command cmd = { 0 };
        _cleanup_free_ char *spec_path = NULL;
        _cleanup_free_ char *rootfs = NULL;
        int status = 1;

        nvct_hook_config_from config_from = NVCT_HOOK_CONFIG_FROM_SEARCH;
        nvct_hook_config_init_defaults(&config);
        if (nvct_hook_config_locate_and_load(opts->config, nvct_default_config_paths, getenv,
                                             &config, &config_from, &err) < 0) {
                nvct_error_prefix(&err, "could not load the hook configuration");
                goto out;
        }

        if (nvct_state_read(STDIN_FILENO, &state, &err) < 0) {
                nvct_error_prefix(&err, "could not decode the container state on stdin");
                goto out;
        }
        if (nvct_bundle_spec_path(&state, false, &spec_path, &err) < 0)
                goto out;
        /* Keep only what the decision reads: memory stays flat however
         * large the image's environment or the mount list. */
        nvct_spec_filter filter = nvct_decision_spec_filter(&config);
        if (nvct_spec_load(spec_path, &filter, &spec, &err) < 0) {
                nvct_error_prefix(&err, "could not load the OCI spec");
                goto out;
        }

        bool privileged = false;
        if (nvct_spec_is_privileged(&spec, spec_path, &privileged, &err) < 0)
                goto out;

        nvct_decision_input din = {
                .config = &config,
                .env = &spec.env,
                .dev_null_mounts = spec.dev_null_mounts,
                .dev_null_mount_lens = spec.dev_null_mount_lens,
                .n_dev_null_mounts = spec.n_dev_null_mounts,
                .privileged = privileged,
                .hook = true,
        };
        if (nvct_decide(&din, &req, &err) < 0)
                goto out;

        if (req.gpu_container) {
                if (nvct_rootfs_path(spec.root_path, spec.root_path_len, &rootfs, &err) < 0)
                        goto out;
                nvct_command_input cin = {
                        .config = &config,
                        .request = &req,
                        .pid = state.pid,
                        .rootfs = rootfs,
                        .debug = opts->debug,
                        .environ = environ,
                };
                if (nvct_command_build(&cin, &cmd, &err) < 0)
                        goto out;
        }

        if (opts->dry_run) {
                nvct_report_input rin = {
                        .config = &config,
                        .config_origin = nvct_hook_config_from_name(config_from),
                        .spec_path = spec_path,
                        .pid = state.pid,
                        .request = &req,
                        .rootfs = rootfs,
                        .command = req.gpu_container ? &cmd : NULL,
                };
                if (nvct_report_write(&rin, stdout, &err) < 0)
                        goto out;
                if (fflush(stdout) != 0) {
                        nvct_error_make(&err, errno, "could not write the report");
                        goto out;
                }
                status = 0;
                goto out;
        }

        if (!req.gpu_container) {
                status = 0; /* not a GPU container: nothing to do */
                goto out;
        }
        fflush(NULL);
        nvct_command_exec(&cmd, &err);

out:
        if (err != NULL)
                status = nvct_cli_fail(call, &err);
        nvct_command_clear(&cmd);
        nvct_request_clear(&req);
        nvct_spec_clear(&spec);
        nvct_state_clear(&state);
        nvct_hook_config_clear(&config);
        return status;
}

static int no_op(const nvct_cli_call *call) {
        (void)call;
        return EXIT_SUCCESS;
}

/* -version, once the flags are parsed: before the command, as the
 * reference checks it. */
static int check_version(const nvct_cli_call *call) {
        if (!flags.version)
                return NVCT_CLI_CONTINUE;
        fprintf(call->out, PROGRAM " (nvct) %s\n", NVCT_VERSION);
        return EXIT_SUCCESS;
}

/* The reference ignores whatever follows the command. */
static const nvct_cli_command cmd_prestart = { "prestart", "run the prestart hook",
                                               .args = NVCT_CLI_RAW_ARGS, .run = prestart };
static const nvct_cli_command cmd_poststart = { "poststart", "no-op", .args = NVCT_CLI_RAW_ARGS,
                                                .run = no_op };
static const nvct_cli_command cmd_poststop = { "poststop", "no-op", .args = NVCT_CLI_RAW_ARGS,
                                               .run = no_op };
static const nvct_cli_command *const commands[] = { &cmd_prestart, &cmd_poststart, &cmd_poststop,
                                                    NULL };
static const nvct_cli_command root = {
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = check_version,
        .subcommands = commands,
};
static const nvct_cli_program program = { PROGRAM, NVCT_CLI_GO, .root = &root };

int main(int argc, char **argv) {
        return nvct_cli_run(&program, argc, argv, stdout, stderr);
}

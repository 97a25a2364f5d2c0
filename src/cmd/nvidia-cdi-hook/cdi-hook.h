/* SPDX-License-Identifier: Apache-2.0 */
/* What nvidia-cdi-hook's commands share: the container's root from the
 * state, --debug, and the command table's entries (also nvidia-ctk hook's). */
#ifndef NVCT_CMD_CDI_HOOK_H
#define NVCT_CMD_CDI_HOOK_H

#include <stdbool.h>
#include <string.h>

#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"

#define CDI_HOOK_PROGRAM "nvidia-cdi-hook"

/* --debug: say what the hook does on stderr. */
extern bool cdi_hook_debug;
/* The prefix of --debug's lines: PROGRAM, or "nvidia-ctk" under its `hook`. */
extern const char *cdi_hook_program;

void debugf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline char *quote(const char *s) {
        return nvct_quote(s, strlen(s));
}

/* NVIDIA's --container-spec, which every subcommand takes (a file holding
 * the state, for tests; '-' or empty: stdin), as a command table entry
 * storing into `dest`. */
#define CDI_HOOK_CONTAINER_SPEC_OPTION(dest)                                                       \
        {                                                                                          \
                "container-spec", NULL, NVCT_CLI_STRING, "PATH",                                   \
                        "read the container state from PATH instead of stdin ('-': stdin)",        \
                        .ret_string = &(dest)                                                      \
        }

/* The container's root on the host, from the state on stdin or in
 * `state_path` (--container-spec; "-" or "" for stdin). */
int load_rootfs(const char *state_path, char **ret_rootfs, nvct_error **err);

/* nvct_warn_fn for the library's debug messages: debugf's line. */
void debug_warn(void *userdata, const char *message);

/* The subcommands, NULL-terminated: nvidia-cdi-hook's commands and
 * nvidia-ctk hook's. */
extern const nvct_cli_command *const cdi_hook_commands[];

extern const nvct_cli_command cmd_create_symlinks;
extern const nvct_cli_command cmd_update_ldcache;
extern const nvct_cli_command cmd_chmod;
extern const nvct_cli_command cmd_enable_cuda_compat;
extern const nvct_cli_command cmd_disable_device_node_modification;
extern const nvct_cli_command cmd_update_application_profile;

#endif

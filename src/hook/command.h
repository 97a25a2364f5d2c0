/* SPDX-License-Identifier: Apache-2.0 */
/* Turning a decision into the nvidia-container-cli command line the
 * reference would exec: locating the binary, the argument order, the
 * environment (the hook's own plus the config's; never the container's). */
#ifndef NVCT_COMMAND_H
#define NVCT_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/bundle.h" /* nvct_rootfs_path: the rootfs argument */
#include "policy/decision.h"
#include "basic/error.h"
#include "basic/gocompat.h" /* nvct_find_executable, which moved there */
#include "config/hookconfig.h"

#define NVCT_CLI_NAME "nvidia-container-cli"
#define NVCT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct nvct_command {
        char **argv; /* NULL-terminated */
        size_t argc;
        char **envp; /* NULL-terminated */
        size_t envc;
        /* The PATH searched for the CLI and handed to it; NULL when the
         * config's `path` names the CLI. */
        char *search_path;
} nvct_command;

typedef struct nvct_command_input {
        const nvct_hook_config *config;
        const nvct_request *request;
        int64_t pid;
        const char *rootfs;   /* absolute */
        bool debug;           /* -debug: --debug=/dev/stderr */
        char *const *environ; /* the hook's own environment */
} nvct_command_input;

/* The PATH the reference searches: with `root` set, each directory of the
 * rest prefixed with it; then the hook's PATH; then NVCT_DEFAULT_PATH. */
char *nvct_cli_search_path(const char *root, const char *hook_path);

int nvct_command_build(const nvct_command_input *in, nvct_command *ret_command, nvct_error **err);
void nvct_command_clear(nvct_command *cmd);

/* Replaces the process with the command. Returns only on failure. */
int nvct_command_exec(const nvct_command *cmd, nvct_error **err);

#endif

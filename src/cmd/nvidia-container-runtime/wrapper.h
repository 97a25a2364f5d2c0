/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-container-runtime's own declarations, shared by its files. */
#ifndef NVCT_WRAPPER_H
#define NVCT_WRAPPER_H

#include "basic/error.h"
#include "config/config.h"
#include "runtime/argv.h"
#include "runtime/log.h"

#define PROGRAM "nvidia-container-runtime"

typedef struct wrapper {
        const char *argv0;
        nvct_config config;
        nvct_runtime_argv args;
        nvct_runtime_log *log;
} wrapper;

/* `create`: edits the bundle's config.json for the container's GPUs, as the
 * mode says; leaves it untouched for any other container. */
int wrapper_create(wrapper *w, nvct_error **err);

/* A program the wrapper hands to runc (the OCI hook, nvidia-cdi-hook):
 * `configured` when it is a path (it must be absolute), else `name` next
 * to the wrapper's own executable, else in PATH and the standard
 * directories. */
int wrapper_find_program(const char *configured, const char *name, char **ret_path,
                         nvct_error **err);

#endif

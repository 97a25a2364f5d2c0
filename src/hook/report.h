/* SPDX-License-Identifier: Apache-2.0 */
/* The -dry-run report: what the hook resolved and what it would exec, in
 * the stable line format documented in docs/dry-run.md. */
#ifndef NVCT_REPORT_H
#define NVCT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "command.h"
#include "policy/decision.h"
#include "basic/error.h"
#include "config/hookconfig.h"

typedef struct nvct_report_input {
        const nvct_hook_config *config;
        /* Where the config path came from when not 1.3.0's ways
         * (nvct_hook_config_from_name); NULL: shown as before. */
        const char *config_origin;
        const char *spec_path;
        int64_t pid;
        const nvct_request *request;
        const char *rootfs;          /* NULL when not a GPU container */
        const nvct_command *command; /* NULL when not a GPU container */
} nvct_report_input;

/* Writes the report to f, holding no copy of it: its values may be
 * megabytes (see NVCT_SPEC_MAX_KEPT). A failed write is an error. */
int nvct_report_write(const nvct_report_input *in, FILE *f, nvct_error **err);

/* The same into a newly allocated string (tests, the fuzzer). */
int nvct_report_render(const nvct_report_input *in, char **ret_text, nvct_error **err);

#endif

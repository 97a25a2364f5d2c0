/* SPDX-License-Identifier: Apache-2.0 */
/* The -dry-run report: what the hook resolved and what it would exec, in
 * the stable line format documented in docs/dry-run.md. */
#ifndef NVCT_REPORT_H
#define NVCT_REPORT_H

#include <stdint.h>

#include "command.h"
#include "decision.h"
#include "error.h"
#include "hookconfig.h"

typedef struct nvct_report_input {
        const nvct_hook_config *config;
        const char *spec_path;
        int64_t pid;
        const nvct_request *request;
        const char *rootfs;          /* NULL when not a GPU container */
        const nvct_command *command; /* NULL when not a GPU container */
} nvct_report_input;

/* Renders the report into a newly allocated string. */
int nvct_report_render(const nvct_report_input *in, char **ret_text, nvct_error **err);

#endif

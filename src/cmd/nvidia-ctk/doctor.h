/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk doctor: what its check groups share. Each group adds findings
 * to the context; the command prints them, one line each. */
#ifndef NVCT_CMD_CTK_DOCTOR_H
#define NVCT_CMD_CTK_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/strv.h"
#include "config/config.h"
#include "driver/nvml.h"

typedef enum doctor_status {
        DOCTOR_OK,
        DOCTOR_FAIL,
        DOCTOR_SKIP, /* not checked, for a reason another finding names */
} doctor_status;

typedef struct doctor_finding {
        const char *check; /* "driver", "nodes", ... (static) */
        doctor_status status;
        char *message;
        char *fix; /* the command that fixes it; NULL for ok */
} doctor_finding;

/* A program a spec, the config or an engine names, to be checked. */
typedef struct doctor_program {
        char *path; /* as named: absolute, or a bare name looked up in PATH */
        char *by;   /* who names it, for the message: "spec \"/etc/cdi/x.yaml\"" */
        char *fix;  /* what to run when it is missing */
} doctor_program;

typedef struct doctor_ctx {
        /* From the command line (defaults applied). */
        const char *driver_root, *dev_root;
        bool dev_root_given, driver_root_given;
        const char *const *spec_dirs;
        const char *config_path;
        const char *docker_config, *containerd_config, *crio_config;
        const char *const *hooks_dirs;
        const char *search_path; /* PATH, for bare program names */
        /* What the checks learnt. */
        bool nvml_ok;
        nvct_nvml_info nvml;
        nvct_config config;
        bool config_ok;
        bool config_exists; /* false: config holds the defaults */
        doctor_program *programs;
        size_t n_programs;
        /* The numbers the kernel (/proc/devices) and NVML give the control
         * and GPU nodes, by name in /dev: what the nodes check compares the
         * dev root's nodes with, and the CDI check a spec's. */
        struct doctor_node {
                char name[32];
                unsigned major, minor;
        } * expected_nodes;
        size_t n_expected_nodes;
        doctor_finding *findings;
        size_t n_findings;
        bool oom;
} doctor_ctx;

/* Adds a finding (the message and fix formatted; fix may be NULL). Out of
 * memory sets ctx->oom, which the command reports once. */
void doctor_add(doctor_ctx *ctx, const char *check, doctor_status status, const char *fix,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Remembers a program to check (copies). */
void doctor_add_program(doctor_ctx *ctx, const char *path, const char *by, const char *fix);

/* A word for a shell command line: as is when plain, else single-quoted
 * ('\'' inside); bytes that are not printable are shown as nvct_quote
 * shows them (not runnable, but never a forged line). Malloc'ed; NULL on
 * OOM. */
char *doctor_shell_word(const char *s);
/* " --driver-root=X --dev-root=Y" for the flags the user gave doctor, so
 * that a fix names the same host; "" when none. Malloc'ed. */
char *doctor_root_flags(const doctor_ctx *ctx, bool dev_root_too);

/* The node /dev/NAME should be (the kernel's and NVML's numbers); NULL
 * when the nodes check knows none of that name. */
const struct doctor_node *doctor_expected_node(const doctor_ctx *ctx, const char *name);

void doctor_check_cdi(doctor_ctx *ctx);
void doctor_check_engines(doctor_ctx *ctx);
void doctor_check_programs(doctor_ctx *ctx);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"

/* One "name: value" line; the value is quoted unless it is plain. Written
 * straight to f: a value may be megabytes (a device list, a requirement),
 * and the report must not hold copies of it. Write errors show in
 * ferror(f). */
static void field(FILE *f, const char *name, const char *value, size_t len, const char *origin) {
        fprintf(f, "%s: ", name);
        if (nvct_is_plain(value, len))
                fwrite(value, 1, len, f);
        else
                (void)nvct_quote_write(f, value, len);
        if (origin != NULL)
                fprintf(f, " (%s)", origin);
        fputc('\n', f);
}

static void field_str(FILE *f, const char *name, const char *value, const char *origin) {
        field(f, name, value, strlen(value), origin);
}

/* The requirement's origin (a variable name): as is when printable. */
static void requirement(FILE *f, const nvct_requirement *r) {
        fputs("requirement: ", f);
        if (nvct_is_plain(r->value, r->value_len))
                fwrite(r->value, 1, r->value_len, f);
        else
                (void)nvct_quote_write(f, r->value, r->value_len);
        fputs(" (", f);
        if (nvct_is_printable(r->origin, r->origin_len))
                fwrite(r->origin, 1, r->origin_len, f);
        else
                (void)nvct_quote_write(f, r->origin, r->origin_len);
        fputs(")\n", f);
}

int nvct_report_write(const nvct_report_input *in, FILE *f, nvct_error **err) {
        const nvct_request *req = in->request;
        const nvct_hook_config *config = in->config;

        fputs("# nvidia-container-runtime-hook -dry-run\n", f);
        if (config->source != NULL)
                field_str(f, "config", config->source, in->config_origin);
        else
                fputs("config: none (built-in defaults)\n", f);
        field_str(f, "spec", in->spec_path, NULL);
        fprintf(f, "pid: %" PRIu64 "\n", (uint64_t)in->pid);
        fprintf(f, "privileged: %s\n",
                req->privileged ? "yes (CAP_SYS_ADMIN in process.capabilities)"
                                : "no (CAP_SYS_ADMIN not in process.capabilities)");
        fprintf(f, "legacy-image: %s\n",
                req->legacy_image ? "yes (CUDA_VERSION set, NVIDIA_REQUIRE_CUDA unset or empty)"
                                  : "no");
        if (!req->gpu_container) {
                fprintf(f, "gpu-container: no (%s)\n",
                        req->devices_origin ? req->devices_origin : "");
                fputs("exec: none\n", f);
                goto done;
        }
        fputs("gpu-container: yes\n", f);
        if (req->devices_len == 0)
                fprintf(f, "devices: none (%s)\n", req->devices_origin);
        else
                field(f, "devices", req->devices, req->devices_len, req->devices_origin);
        if (req->mig_config_devices_len > 0)
                field(f, "mig-config", req->mig_config_devices, req->mig_config_devices_len,
                      "NVIDIA_MIG_CONFIG_DEVICES");
        if (req->mig_monitor_devices_len > 0)
                field(f, "mig-monitor", req->mig_monitor_devices, req->mig_monitor_devices_len,
                      "NVIDIA_MIG_MONITOR_DEVICES");
        if (req->imex_channels_origin != NULL) {
                if (req->imex_channels_len == 0)
                        fprintf(f, "imex-channels: none (%s)\n", req->imex_channels_origin);
                else
                        field(f, "imex-channels", req->imex_channels, req->imex_channels_len,
                              req->imex_channels_origin);
        }
        if (config->features.disable_imex_channel_creation)
                fputs("imex-channel-creation: no (features.disable-imex-channel-creation = "
                      "true)\n",
                      f);
        field(f, "capabilities", req->driver_capabilities, req->driver_capabilities_len,
              req->driver_capabilities_origin);
        for (size_t i = 0; i < req->n_requirements; i++)
                requirement(f, &req->requirements[i]);
        if (config->disable_require)
                fputs("requirements-checked: no (disable-require = true in the config)\n", f);
        else if (req->disable_require)
                fputs("requirements-checked: no (NVIDIA_DISABLE_REQUIRE)\n", f);
        else
                fputs("requirements-checked: yes\n", f);
        if (req->runtime_mode_origin != NULL)
                fprintf(f, "runtime-mode: %s\n", req->runtime_mode_origin);
        if (req->cuda_compat_mode != NULL)
                fprintf(f, "cuda-compat-mode: %s (%s)\n", req->cuda_compat_mode,
                        req->cuda_compat_mode_origin);
        for (size_t i = 0; i < req->dropped.n; i++)
                fprintf(f, "dropped: %s\n", req->dropped.v[i]);
        field_str(f, "rootfs", in->rootfs, NULL);

        const nvct_command *cmd = in->command;
        if (cmd->search_path != NULL)
                field_str(f, "cli", cmd->argv[0], "found in PATH");
        else
                field_str(f, "cli", cmd->argv[0], "path in the config");
        for (size_t i = 0; i < cmd->argc; i++) {
                char name[32];
                snprintf(name, sizeof(name), "argv[%zu]", i);
                field_str(f, name, cmd->argv[i], NULL);
        }
        if (cmd->search_path != NULL) {
                _cleanup_free_ char *path_entry = NULL;
                if (asprintf(&path_entry, "PATH=%s", cmd->search_path) < 0)
                        return nvct_error_make(err, 0, "out of memory");
                field_str(f, "env", path_entry, "the PATH searched for the CLI");
        }
        for (size_t i = 0; i < config->cli.n_environment; i++)
                field_str(f, "env", config->cli.environment[i], "nvidia-container-cli.environment");
        fputs("exec: yes\n", f);
done:
        if (ferror(f))
                return nvct_error_make(err, 0, "could not write the report");
        return 0;
}

int nvct_report_render(const nvct_report_input *in, char **ret_text, nvct_error **err) {
        char *text = NULL;
        size_t text_len = 0;
        FILE *f = open_memstream(&text, &text_len);
        if (f == NULL)
                return nvct_error_make(err, 0, "out of memory");
        int r = nvct_report_write(in, f, err);
        if (fclose(f) != 0 && r == 0)
                r = nvct_error_make(err, 0, "out of memory");
        if (r < 0) {
                free(text);
                return r;
        }
        *ret_text = text;
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk cdi generate: writes a CDI spec for this host's GPUs (or those
 * of --driver-root). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "basic/strv.h"
#include "cdi/cdi.h"
#include "cdi/cdigen.h"
#include "driver/nvml.h"

#include "ctk.h"

#ifndef NVCT_BINDIR
#define NVCT_BINDIR "/usr/local/bin"
#endif

static const char *arg_output, *arg_format;
static const char *arg_driver_root = "/", *arg_dev_root;
static const char *arg_vendor = "nvidia.com", *arg_class_name = "gpu";
static const char *arg_hook_path = NVCT_BINDIR "/nvidia-cdi-hook";
static const char *arg_ldconfig_path = "/sbin/ldconfig";
static nvct_strv arg_strategies, arg_search_paths;

static const nvct_cli_opt options[] = {
        { "output", NULL, NVCT_CLI_STRING, "FILE",
          "write the spec to FILE, atomically, mode 0644 (default: stdout)",
          .ret_string = &arg_output },
        { "format", NULL, NVCT_CLI_STRING, "FORMAT",
          "json or yaml (default: from the output's extension; yaml on stdout)",
          .ret_string = &arg_format },
        { "driver-root", NULL, NVCT_CLI_STRING, "DIR", "where the driver's files are (default: /)",
          .ret_string = &arg_driver_root },
        { "dev-root", NULL, NVCT_CLI_STRING, "DIR",
          "where the device nodes are (default: the driver root)", .ret_string = &arg_dev_root },
        { "vendor", "cdi-vendor", NVCT_CLI_STRING, "VENDOR",
          "the vendor of the CDI kind (default: nvidia.com)", .ret_string = &arg_vendor },
        { "class", "cdi-class", NVCT_CLI_STRING, "CLASS",
          "the class of the CDI kind (default: gpu)", .ret_string = &arg_class_name },
        { "device-name-strategy", NULL, NVCT_CLI_STRINGS, "STRATEGY",
          "index, uuid or type-index (default: index and uuid)", .flags = NVCT_CLI_SPLIT_COMMAS,
          .ret_strings = &arg_strategies },
        { "nvidia-cdi-hook-path", NULL, NVCT_CLI_STRING, "PATH",
          "the nvidia-cdi-hook the spec's hooks run (default: " NVCT_BINDIR "/nvidia-cdi-hook)",
          .ret_string = &arg_hook_path },
        { "ldconfig-path", NULL, NVCT_CLI_STRING, "PATH",
          "the host's ldconfig, for update-ldcache (default: /sbin/ldconfig)",
          .ret_string = &arg_ldconfig_path },
        { "library-search-path", NULL, NVCT_CLI_STRINGS, "DIR",
          "also look for the driver's libraries in DIR of the driver root",
          .ret_strings = &arg_search_paths },
};

static void warn(void *userdata, const char *message) {
        (void)userdata;
        if (!ctk_quiet)
                fprintf(stderr, PROGRAM ": warning: %s\n", message);
}

/* --format, else the output's extension, else YAML (for stdout). A format
 * that contradicts the extension is refused: CDI readers decide the format
 * by the file name. */
static int output_format(const char *format, const char *output, nvct_cdi_format *ret,
                         nvct_error **err) {
        nvct_cdi_format from_name = 0;
        if (output != NULL && nvct_cdi_format_of_path(output, &from_name, err) < 0)
                return -1;
        if (format != NULL) {
                nvct_cdi_format f;
                if (nvct_cdi_format_parse(format, &f, err) < 0)
                        return nvct_error_prefix(err, "--format");
                if (output != NULL && from_name != f) {
                        _cleanup_free_ char *qf = nvct_quote(format, strlen(format));
                        _cleanup_free_ char *qo = nvct_quote_path(output);
                        return nvct_error_make(err, 0,
                                               "--format %s does not match the output file %s: "
                                               "CDI readers take the format from the extension "
                                               "(.json, .yaml or .yml)",
                                               nvct_quoted(qf), nvct_quoted(qo));
                }
                *ret = f;
                return 0;
        }
        if (output != NULL && from_name == 0) {
                _cleanup_free_ char *qo = nvct_quote_path(output);
                return nvct_error_make(err, 0,
                                       "cannot tell the format of %s from its extension: name it "
                                       ".json, .yaml or .yml, or give --format",
                                       nvct_quoted(qo));
        }
        *ret = output != NULL ? from_name : NVCT_CDI_YAML;
        return 0;
}

static void summarize(const nvct_nvml_info *info, const nvct_cdi_spec *spec) {
        if (ctk_quiet)
                return;
        char cuda[32] = "?";
        if (info->cuda_driver_version > 0)
                snprintf(cuda, sizeof(cuda), "%d.%d", info->cuda_driver_version / 1000,
                         info->cuda_driver_version % 1000 / 10);
        fprintf(stderr, PROGRAM ": driver %s, CUDA %s, %zu GPU%s\n", info->driver_version, cuda,
                info->n_gpus, info->n_gpus == 1 ? "" : "s");
        for (size_t i = 0; i < info->n_gpus; i++) {
                const nvct_gpu_info *g = &info->gpus[i];
                char cc[32] = "?";
                if (g->cc_major >= 0)
                        snprintf(cc, sizeof(cc), "%d.%d", g->cc_major, g->cc_minor);
                fprintf(stderr,
                        PROGRAM ": GPU %u: %s (%s, compute %s) %s, bus %s, /dev/nvidia%u, MIG %s",
                        g->index, g->name[0] ? g->name : "unknown name",
                        nvct_nvml_brand_name(g->brand), cc, g->uuid,
                        g->pci_bus_id[0] ? g->pci_bus_id : "?", g->minor,
                        !g->mig_capable  ? "unsupported"
                        : g->mig_enabled ? "enabled"
                                         : "disabled");
                if (g->mig_enabled)
                        fprintf(stderr, ", %zu MIG device%s", g->n_migs, g->n_migs == 1 ? "" : "s");
                fputc('\n', stderr);
                for (size_t m = 0; g->mig_enabled && m < g->n_migs; m++)
                        fprintf(stderr,
                                PROGRAM ":   MIG %u:%u: GPU instance %u, compute instance %u, %s\n",
                                g->index, g->migs[m].index, g->migs[m].gi_id, g->migs[m].ci_id,
                                g->migs[m].uuid);
        }
        fprintf(stderr, PROGRAM ": %zu CDI devices of kind %s, cdiVersion %s\n", spec->n_devices,
                spec->kind, nvct_cdi_minimum_version(spec));
}

static int cdi_generate(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        int status = EXIT_FAILURE;
        nvct_cdi_spec spec = { 0 };
        nvct_nvml_info info = { 0 };
        _cleanup_free_ char *data = NULL;
        size_t len;
        nvct_cdi_format fmt = NVCT_CDI_YAML;

        unsigned strategy_bits = 0;
        for (size_t i = 0; i < arg_strategies.n; i++) {
                unsigned bit;
                if (nvct_cdigen_strategy_parse(arg_strategies.v[i], &bit, &err) < 0) {
                        nvct_error_prefix(&err, "--device-name-strategy");
                        status = nvct_cli_usage_error(call, &err);
                        goto out;
                }
                strategy_bits |= bit;
        }
        if (arg_output != NULL && arg_output[0] == '\0') {
                nvct_error_make(&err, 0, "--output must not be empty");
                status = nvct_cli_usage_error(call, &err);
                goto out;
        }
        if (output_format(arg_format, arg_output, &fmt, &err) < 0) {
                status = nvct_cli_usage_error(call, &err);
                goto out;
        }

        const nvct_cdigen_options gen = {
                .driver_root = arg_driver_root,
                .dev_root = arg_dev_root,
                .vendor = arg_vendor,
                .class_name = arg_class_name,
                .strategies = strategy_bits,
                .hook_path = arg_hook_path,
                .ldconfig_path = arg_ldconfig_path,
                .library_search_paths = (const char *const *)arg_search_paths.v,
                .warn = warn,
        };
        if (nvct_cdigen_generate(&gen, &spec, &info, &err) < 0 ||
            nvct_cdi_spec_write(&spec, fmt, &data, &len, &err) < 0) {
                nvct_error_prefix(&err, "cannot generate a CDI spec");
                status = nvct_cli_fail(call, &err);
                goto out;
        }
        summarize(&info, &spec);
        if (arg_output == NULL) {
                int r = nvct_write_all(STDOUT_FILENO, data, len);
                if (r < 0) {
                        nvct_error_make(&err, -r, "cannot write the spec to stdout");
                        status = nvct_cli_fail(call, &err);
                        goto out;
                }
        } else {
                if (nvct_write_file_atomic(arg_output, data, len, 0644, &err) < 0) {
                        status = nvct_cli_fail(call, &err);
                        goto out;
                }
                if (!ctk_quiet) {
                        _cleanup_free_ char *qo = nvct_quote_path(arg_output);
                        fprintf(stderr, PROGRAM ": wrote %s\n", nvct_quoted(qo));
                }
        }
        status = EXIT_SUCCESS;
out:
        nvct_cdi_spec_clear(&spec);
        nvct_nvml_info_clear(&info);
        return status;
}

const nvct_cli_command ctk_cdi_generate = {
        .name = "generate",
        .summary = "generate a CDI spec for this host's GPUs",
        .description = "Generate a CDI spec for the GPUs of this host (or of --driver-root).",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = cdi_generate,
};

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

static const char *arg_output, *arg_format, *arg_mode;
static const char *arg_driver_root, *arg_dev_root;
static const char *arg_vendor, *arg_class_name;
static const char *arg_hook_path, *arg_ldconfig_path;
static nvct_strv arg_strategies, arg_search_paths, arg_disabled_hooks, arg_enabled_hooks,
        arg_feature_flags, arg_device_ids;
static bool arg_no_all_device;

static const nvct_cli_opt options[] = {
        { "output", NULL, NVCT_CLI_STRING, "FILE",
          "write the spec to FILE, atomically, mode 0644 (default: stdout) "
          "[$NVIDIA_CTK_CDI_OUTPUT_FILE_PATH]",
          .ret_string = &arg_output },
        { "format", NULL, NVCT_CLI_STRING, "FORMAT",
          "json or yaml (default: from the output's extension; yaml on stdout) "
          "[$NVIDIA_CTK_CDI_GENERATE_OUTPUT_FORMAT]",
          .ret_string = &arg_format },
        { "mode", "discovery-mode", NVCT_CLI_STRING, "MODE",
          "auto or nvml (devices from NVML), or management (one \"all\" device with every "
          "NVIDIA node; no NVML) (default: auto) [$NVIDIA_CTK_CDI_GENERATE_MODE]",
          .ret_string = &arg_mode },
        { "driver-root", NULL, NVCT_CLI_STRING, "DIR",
          "where the driver's files are (default: /) [$NVIDIA_CTK_DRIVER_ROOT]",
          .ret_string = &arg_driver_root },
        { "dev-root", NULL, NVCT_CLI_STRING, "DIR",
          "where the device nodes are (default: the driver root) [$NVIDIA_CTK_DEV_ROOT]",
          .ret_string = &arg_dev_root },
        { "vendor", "cdi-vendor", NVCT_CLI_STRING, "VENDOR",
          "the vendor of the CDI kind (default: nvidia.com) [$NVIDIA_CTK_CDI_GENERATE_VENDOR]",
          .ret_string = &arg_vendor },
        { "class", "cdi-class", NVCT_CLI_STRING, "CLASS",
          "the class of the CDI kind (default: gpu) [$NVIDIA_CTK_CDI_GENERATE_CLASS]",
          .ret_string = &arg_class_name },
        { "device-name-strategy", NULL, NVCT_CLI_STRINGS, "STRATEGY",
          "index, uuid or type-index (default: index and uuid) "
          "[$NVIDIA_CTK_CDI_GENERATE_DEVICE_NAME_STRATEGIES]",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_strategies },
        { "device-id", "device-ids", NVCT_CLI_STRINGS, "ID",
          "devices only for these GPUs and MIG devices: an index (0, 0:1), a UUID, all or "
          "none (default: all) [$NVIDIA_CTK_CDI_GENERATE_DEVICE_IDS]",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_device_ids },
        { "device", "devices", NVCT_CLI_STRINGS, "ID", "the same as --device-id",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_device_ids },
        { "no-all-device", NULL, NVCT_CLI_BOOL, NULL,
          "no \"all\" device [$NVIDIA_CTK_CDI_GENERATE_NO_ALL_DEVICE]",
          .ret_bool = &arg_no_all_device },
        { "nvidia-cdi-hook-path", "nvidia-ctk-path", NVCT_CLI_STRING, "PATH",
          "the program the spec's hooks run: nvidia-cdi-hook, or nvidia-ctk (then its hook "
          "command) (default: " NVCT_BINDIR "/nvidia-cdi-hook) [$NVIDIA_CTK_CDI_HOOK_PATH]",
          .ret_string = &arg_hook_path },
        { "disable-hook", "disable-hooks", NVCT_CLI_STRINGS, "HOOK",
          "leave hook HOOK out of the spec; all: every hook "
          "[$NVIDIA_CTK_CDI_GENERATE_DISABLED_HOOKS]",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_disabled_hooks },
        { "enable-hook", "enable-hooks", NVCT_CLI_STRINGS, "HOOK",
          "put hook HOOK in the spec even when disabled (chmod is off by default) "
          "[$NVIDIA_CTK_CDI_GENERATE_ENABLED_HOOKS]",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_enabled_hooks },
        { "feature-flag", "feature-flags", NVCT_CLI_STRINGS, "FLAG",
          "NVIDIA's generator feature flags: accepted, none changes nvct's spec "
          "[$NVIDIA_CTK_CDI_GENERATE_FEATURE_FLAGS]",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_feature_flags },
        { "ldconfig-path", NULL, NVCT_CLI_STRING, "PATH",
          "the host's ldconfig, for update-ldcache (default: /sbin/ldconfig) "
          "[$NVIDIA_CTK_CDI_GENERATE_LDCONFIG_PATH]",
          .ret_string = &arg_ldconfig_path },
        { "library-search-path", NULL, NVCT_CLI_STRINGS, "DIR",
          "also look for the driver's libraries in DIR of the driver root "
          "[$NVIDIA_CTK_CDI_GENERATE_LIBRARY_SEARCH_PATHS]",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_search_paths },
};

/* A flag's value, else its environment variable's (NVIDIA's names), else
 * the default: a flag given on the command line wins. *ret_env names the
 * variable when it was used, for messages. */
static const char *flag_or_env(const char *flag, const char *env, const char *def,
                               const char **ret_env) {
        if (flag != NULL)
                return flag;
        const char *v = getenv(env);
        if (v != NULL && v[0] != '\0') {
                if (ret_env != NULL)
                        *ret_env = env;
                return v;
        }
        return def;
}

/* A repeatable flag's values, else its variable's, split on commas as
 * urfave/cli splits them. */
static int strings_or_env(nvct_strv *values, const char *env, nvct_error **err) {
        if (values->n > 0)
                return 0;
        const char *v = getenv(env);
        if (v == NULL || v[0] == '\0')
                return 0;
        for (const char *p = v;;) {
                size_t len = strcspn(p, ",");
                _cleanup_free_ char *item = nvct_memdup0(p, len);
                if (item == NULL || nvct_strv_add(values, item) < 0)
                        return nvct_error_make(err, ENOMEM, "out of memory");
                if (p[len] == '\0')
                        break;
                p += len + 1;
        }
        return 0;
}

/* Go's strconv.ParseBool, for NVIDIA_CTK_CDI_GENERATE_NO_ALL_DEVICE. */
static int parse_bool_env(const char *env, bool *ret, nvct_error **err) {
        const char *v = getenv(env);
        if (v == NULL || v[0] == '\0')
                return 0;
        static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
        for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
                if (strcmp(v, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcmp(v, no[i]) == 0)
                        return 0;
        }
        _cleanup_free_ char *q = nvct_quote(v, strlen(v));
        return nvct_error_make(err, 0, "%s=%s: not a boolean", env, nvct_quoted(q));
}

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

/* The hooks named by --disable-hook and --enable-hook, as bits. */
static int hook_bits(const nvct_strv *names, const char *flag, bool all_ok, unsigned *ret,
                     nvct_error **err) {
        unsigned bits = 0;
        for (size_t i = 0; i < names->n; i++) {
                unsigned bit;
                if (nvct_cdigen_hook_parse(names->v[i], all_ok, &bit, err) < 0)
                        return nvct_error_prefix(err, "%s", flag);
                bits |= bit;
        }
        *ret = bits;
        return 0;
}

/* Every flag with its variable applied, checked: a usage error names the
 * flag or the variable at fault. */
static int resolve_flags(nvct_cdigen_options *gen, const char **ret_format, nvct_error **err) {
        static const struct {
                nvct_strv *values;
                const char *env;
        } lists[] = {
                { &arg_strategies, "NVIDIA_CTK_CDI_GENERATE_DEVICE_NAME_STRATEGIES" },
                { &arg_search_paths, "NVIDIA_CTK_CDI_GENERATE_LIBRARY_SEARCH_PATHS" },
                { &arg_disabled_hooks, "NVIDIA_CTK_CDI_GENERATE_DISABLED_HOOKS" },
                { &arg_enabled_hooks, "NVIDIA_CTK_CDI_GENERATE_ENABLED_HOOKS" },
                { &arg_feature_flags, "NVIDIA_CTK_CDI_GENERATE_FEATURE_FLAGS" },
                { &arg_device_ids, "NVIDIA_CTK_CDI_GENERATE_DEVICE_IDS" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
                if (strings_or_env(lists[i].values, lists[i].env, err) < 0)
                        return -1;
        if (!arg_no_all_device &&
            parse_bool_env("NVIDIA_CTK_CDI_GENERATE_NO_ALL_DEVICE", &arg_no_all_device, err) < 0)
                return -1;
        for (size_t i = 0; i < arg_strategies.n; i++) {
                unsigned bit;
                if (nvct_cdigen_strategy_parse(arg_strategies.v[i], &bit, err) < 0)
                        return nvct_error_prefix(err, "--device-name-strategy");
                gen->strategies |= bit;
        }
        if (hook_bits(&arg_disabled_hooks, "--disable-hook", true, &gen->disabled_hooks, err) < 0 ||
            hook_bits(&arg_enabled_hooks, "--enable-hook", false, &gen->enabled_hooks, err) < 0)
                return -1;
        const char *mode_env = NULL;
        const char *mode = flag_or_env(arg_mode, "NVIDIA_CTK_CDI_GENERATE_MODE", "auto", &mode_env);
        if (nvct_cdigen_mode_parse(mode, &gen->mode, err) < 0)
                return nvct_error_prefix(err, "%s", mode_env ? mode_env : "--mode");
        for (size_t i = 0; i < arg_feature_flags.n; i++) {
                /* NVIDIA's generator ignores a flag it does not know; none
                 * of its flags has a meaning for nvct's spec. */
                _cleanup_free_ char *q =
                        nvct_quote(arg_feature_flags.v[i], strlen(arg_feature_flags.v[i]));
                if (!ctk_quiet)
                        fprintf(stderr,
                                PROGRAM ": warning: feature flag %s has no effect: nvct's spec "
                                        "is the same without it\n",
                                nvct_quoted(q));
        }
        gen->driver_root = flag_or_env(arg_driver_root, "NVIDIA_CTK_DRIVER_ROOT", "/", NULL);
        gen->dev_root = flag_or_env(arg_dev_root, "NVIDIA_CTK_DEV_ROOT", NULL, NULL);
        gen->vendor = flag_or_env(arg_vendor, "NVIDIA_CTK_CDI_GENERATE_VENDOR", "nvidia.com", NULL);
        gen->class_name = flag_or_env(arg_class_name, "NVIDIA_CTK_CDI_GENERATE_CLASS", "gpu", NULL);
        gen->hook_path = flag_or_env(arg_hook_path, "NVIDIA_CTK_CDI_HOOK_PATH",
                                     NVCT_BINDIR "/nvidia-cdi-hook", NULL);
        gen->ldconfig_path = flag_or_env(arg_ldconfig_path, "NVIDIA_CTK_CDI_GENERATE_LDCONFIG_PATH",
                                         "/sbin/ldconfig", NULL);
        gen->library_search_paths = (const char *const *)arg_search_paths.v;
        gen->device_ids = arg_device_ids.n > 0 ? (const char *const *)arg_device_ids.v : NULL;
        gen->no_all_device = arg_no_all_device;
        arg_output = flag_or_env(arg_output, "NVIDIA_CTK_CDI_OUTPUT_FILE_PATH", NULL, NULL);
        *ret_format = flag_or_env(arg_format, "NVIDIA_CTK_CDI_GENERATE_OUTPUT_FORMAT", NULL, NULL);
        return 0;
}

static int cdi_generate(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        int status = EXIT_FAILURE;
        nvct_cdi_spec spec = { 0 };
        nvct_nvml_info info = { 0 };
        _cleanup_free_ char *data = NULL;
        size_t len;
        nvct_cdi_format fmt = NVCT_CDI_YAML;
        nvct_cdigen_options gen = { .warn = warn };
        const char *format = NULL;

        if (resolve_flags(&gen, &format, &err) < 0) {
                status = nvct_cli_usage_error(call, &err);
                goto out;
        }
        if (arg_output != NULL && arg_output[0] == '\0') {
                nvct_error_make(&err, 0, "--output must not be empty");
                status = nvct_cli_usage_error(call, &err);
                goto out;
        }
        if (output_format(format, arg_output, &fmt, &err) < 0) {
                status = nvct_cli_usage_error(call, &err);
                goto out;
        }

        if (nvct_cdigen_generate(&gen, &spec, &info, &err) < 0 ||
            nvct_cdi_spec_write(&spec, fmt, &data, &len, &err) < 0) {
                nvct_error_prefix(&err, "cannot generate a CDI spec");
                status = nvct_cli_fail(call, &err);
                goto out;
        }
        if (gen.mode == NVCT_CDIGEN_MODE_NVML)
                summarize(&info, &spec);
        else if (!ctk_quiet)
                fprintf(stderr, PROGRAM ": management mode: %zu device nodes, cdiVersion %s\n",
                        spec.n_devices > 0 ? spec.devices[0].edits.n_device_nodes : 0,
                        nvct_cdi_minimum_version(&spec));
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

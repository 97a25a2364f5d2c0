/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk: `cdi generate` writes a CDI spec for this host's GPUs, `cdi
 * list` shows the devices the CDI spec directories define. Names and flags
 * are NVIDIA's, so that existing docs and scripts work. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/args.h"
#include "cdi/cdi.h"
#include "cdi/cdigen.h"
#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/file.h"
#include "driver/nvml.h"
#include "basic/quote.h"

#ifndef NVCT_VERSION
#define NVCT_VERSION "unknown"
#endif
#ifndef NVCT_BINDIR
#define NVCT_BINDIR "/usr/local/bin"
#endif

#define PROGRAM "nvidia-ctk"
#include "cmd/cli.h"

static bool quiet;

static void warn(void *userdata, const char *message) {
        (void)userdata;
        if (!quiet)
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
        if (quiet)
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

static int cdi_generate(int argc, char **argv, int first) {
        _cleanup_error_ nvct_error *err = NULL;
        const char *output = NULL, *format = NULL;
        const char *driver_root = "/", *dev_root = NULL;
        const char *vendor = "nvidia.com", *class_name = "gpu";
        const char *hook_path = NVCT_BINDIR "/nvidia-cdi-hook";
        const char *ldconfig_path = "/sbin/ldconfig";
        nvct_strv strategies = { 0 }, search_paths = { 0 };
        const nvct_opt opts[] = {
                { "output", NULL, NVCT_OPT_STRING, "FILE",
                  "write the spec to FILE, atomically, mode 0644 (default: stdout)",
                  .ret_string = &output },
                { "format", NULL, NVCT_OPT_STRING, "FORMAT",
                  "json or yaml (default: from the output's extension; yaml on stdout)",
                  .ret_string = &format },
                { "driver-root", NULL, NVCT_OPT_STRING, "DIR",
                  "where the driver's files are (default: /)", .ret_string = &driver_root },
                { "dev-root", NULL, NVCT_OPT_STRING, "DIR",
                  "where the device nodes are (default: the driver root)",
                  .ret_string = &dev_root },
                { "vendor", "cdi-vendor", NVCT_OPT_STRING, "VENDOR",
                  "the vendor of the CDI kind (default: nvidia.com)", .ret_string = &vendor },
                { "class", "cdi-class", NVCT_OPT_STRING, "CLASS",
                  "the class of the CDI kind (default: gpu)", .ret_string = &class_name },
                { "device-name-strategy", NULL, NVCT_OPT_STRINGS, "STRATEGY",
                  "index, uuid or type-index (default: index and uuid)", .split_commas = true,
                  .ret_strings = &strategies },
                { "nvidia-cdi-hook-path", NULL, NVCT_OPT_STRING, "PATH",
                  "the nvidia-cdi-hook the spec's hooks run (default: " NVCT_BINDIR
                  "/nvidia-cdi-hook)",
                  .ret_string = &hook_path },
                { "ldconfig-path", NULL, NVCT_OPT_STRING, "PATH",
                  "the host's ldconfig, for update-ldcache (default: /sbin/ldconfig)",
                  .ret_string = &ldconfig_path },
                { "library-search-path", NULL, NVCT_OPT_STRINGS, "DIR",
                  "also look for the driver's libraries in DIR of the driver root",
                  .ret_strings = &search_paths },
        };
        bool want_help;
        int next, status = EXIT_FAILURE;
        nvct_cdi_spec spec = { 0 };
        nvct_nvml_info info = { 0 };
        _cleanup_free_ char *data = NULL;
        size_t len;
        nvct_cdi_format fmt = NVCT_CDI_YAML;

        if (nvct_args_parse(argc, argv, first, opts, ARRAY_SIZE(opts), &want_help, &next, &err) <
            0) {
                status = usage_error("cdi generate", &err);
                goto out;
        }
        if (want_help) {
                status =
                        help("cdi generate [options]",
                             "Generate a CDI spec for the GPUs of this host (or of --driver-root).",
                             opts, ARRAY_SIZE(opts));
                goto out;
        }
        if (next < argc) {
                _cleanup_free_ char *qa = nvct_quote(argv[next], strlen(argv[next]));
                nvct_error_make(&err, 0, "unexpected argument: %s", nvct_quoted(qa));
                status = usage_error("cdi generate", &err);
                goto out;
        }
        unsigned strategy_bits = 0;
        for (size_t i = 0; i < strategies.n; i++) {
                unsigned bit;
                if (nvct_cdigen_strategy_parse(strategies.v[i], &bit, &err) < 0) {
                        nvct_error_prefix(&err, "--device-name-strategy");
                        status = usage_error("cdi generate", &err);
                        goto out;
                }
                strategy_bits |= bit;
        }
        if (output != NULL && output[0] == '\0') {
                nvct_error_make(&err, 0, "--output must not be empty");
                status = usage_error("cdi generate", &err);
                goto out;
        }
        if (output_format(format, output, &fmt, &err) < 0) {
                status = usage_error("cdi generate", &err);
                goto out;
        }

        const nvct_cdigen_options gen = {
                .driver_root = driver_root,
                .dev_root = dev_root,
                .vendor = vendor,
                .class_name = class_name,
                .strategies = strategy_bits,
                .hook_path = hook_path,
                .ldconfig_path = ldconfig_path,
                .library_search_paths = (const char *const *)search_paths.v,
                .warn = warn,
        };
        if (nvct_cdigen_generate(&gen, &spec, &info, &err) < 0 ||
            nvct_cdi_spec_write(&spec, fmt, &data, &len, &err) < 0) {
                nvct_error_prefix(&err, "cannot generate a CDI spec");
                status = fail(&err);
                goto out;
        }
        summarize(&info, &spec);
        if (output == NULL) {
                int r = nvct_write_all(STDOUT_FILENO, data, len);
                if (r < 0) {
                        nvct_error_make(&err, -r, "cannot write the spec to stdout");
                        status = fail(&err);
                        goto out;
                }
        } else {
                if (nvct_write_file_atomic(output, data, len, 0644, &err) < 0) {
                        status = fail(&err);
                        goto out;
                }
                if (!quiet) {
                        _cleanup_free_ char *qo = nvct_quote_path(output);
                        fprintf(stderr, PROGRAM ": wrote %s\n", nvct_quoted(qo));
                }
        }
        status = EXIT_SUCCESS;
out:
        nvct_cdi_spec_clear(&spec);
        nvct_nvml_info_clear(&info);
        nvct_strv_free(&strategies);
        nvct_strv_free(&search_paths);
        return status;
}

static int cdi_list(int argc, char **argv, int first) {
        _cleanup_error_ nvct_error *err = NULL;
        nvct_strv dirs = { 0 };
        const nvct_opt opts[] = {
                { "spec-dir", NULL, NVCT_OPT_STRINGS, "DIR",
                  "a CDI spec directory (default: /etc/cdi and /var/run/cdi)",
                  .ret_strings = &dirs },
        };
        static const char *const default_dirs[] = { "/etc/cdi", "/var/run/cdi", NULL };
        bool want_help;
        int next, status = EXIT_FAILURE;
        nvct_cdi_listing listing = { 0 };

        if (nvct_args_parse(argc, argv, first, opts, ARRAY_SIZE(opts), &want_help, &next, &err) <
            0) {
                status = usage_error("cdi list", &err);
                goto out;
        }
        if (want_help) {
                status = help("cdi list [options]",
                              "List the fully qualified names of the CDI devices the spec "
                              "directories define;\nreport every spec file that cannot be used. "
                              "Exits 1 when there is one.",
                              opts, ARRAY_SIZE(opts));
                goto out;
        }
        if (next < argc) {
                _cleanup_free_ char *qa = nvct_quote(argv[next], strlen(argv[next]));
                nvct_error_make(&err, 0, "unexpected argument: %s", nvct_quoted(qa));
                status = usage_error("cdi list", &err);
                goto out;
        }
        const char *const *search = dirs.n ? (const char *const *)dirs.v : default_dirs;
        if (nvct_cdi_list(search, &listing, &err) < 0) {
                status = fail(&err);
                goto out;
        }
        for (size_t i = 0; i < listing.n_devices; i++)
                printf("%s\n", listing.devices[i].qualified_name);
        for (size_t i = 0; i < listing.n_problems; i++) {
                /* Security: a spec file's name is chosen by whoever can write
                 * a spec directory; quoted, it cannot forge a line of its own
                 * (the reason is one line, its paths and values quoted). */
                _cleanup_free_ char *qp = nvct_quote_path(listing.problems[i].path);
                fprintf(stderr, PROGRAM ": %s: %s\n", nvct_quoted(qp), listing.problems[i].reason);
        }
        if (fflush(stdout) != 0) {
                nvct_error_make(&err, errno, "cannot write the list");
                status = fail(&err);
                goto out;
        }
        status = listing.n_problems > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
out:
        nvct_cdi_listing_clear(&listing);
        nvct_strv_free(&dirs);
        return status;
}

static void usage(void) {
        printf("Usage: " PROGRAM " [--quiet] [--debug] COMMAND [options]\n"
               "\n"
               "Commands:\n"
               "   cdi generate   generate a CDI spec for this host's GPUs\n"
               "   cdi list       list the CDI devices of the spec directories\n"
               "\n"
               "Options:\n"
               "   --quiet, -q    print only errors\n"
               "   --debug, -d    accepted for compatibility\n"
               "   --version, -v  print the version\n"
               "   --help, -h     show help\n"
               "\n"
               "'" PROGRAM " COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv) {
        _cleanup_error_ nvct_error *err = NULL;
        bool debug = false, version = false, want_help = false;
        const nvct_opt opts[] = {
                { "quiet", "q", NVCT_OPT_BOOL, NULL, "print only errors", .ret_bool = &quiet },
                { "debug", "d", NVCT_OPT_BOOL, NULL, "accepted", .ret_bool = &debug },
                { "version", "v", NVCT_OPT_BOOL, NULL, "print the version", .ret_bool = &version },
        };
        int next;
        if (nvct_args_parse(argc, argv, 1, opts, ARRAY_SIZE(opts), &want_help, &next, &err) < 0)
                return usage_error("", &err);
        if (version) {
                printf(PROGRAM " version " NVCT_VERSION " (nvct)\n");
                return EXIT_SUCCESS;
        }
        if (want_help || next == argc) {
                usage();
                return want_help ? EXIT_SUCCESS : EXIT_USAGE;
        }
        if (strcmp(argv[next], "cdi") != 0) {
                _cleanup_free_ char *qc = nvct_quote(argv[next], strlen(argv[next]));
                nvct_error_make(&err, 0, "unknown command: %s", nvct_quoted(qc));
                return usage_error("", &err);
        }
        next++;
        if (next == argc || strcmp(argv[next], "--help") == 0 || strcmp(argv[next], "-h") == 0) {
                usage();
                return next == argc ? EXIT_USAGE : EXIT_SUCCESS;
        }
        if (strcmp(argv[next], "generate") == 0)
                return cdi_generate(argc, argv, next + 1);
        if (strcmp(argv[next], "list") == 0)
                return cdi_list(argc, argv, next + 1);
        _cleanup_free_ char *qc = nvct_quote(argv[next], strlen(argv[next]));
        nvct_error_make(&err, 0, "unknown cdi command: %s", nvct_quoted(qc));
        return usage_error("cdi", &err);
}

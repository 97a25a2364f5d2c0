/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk doctor: what is wrong with this host's GPU container stack,
 * one line per finding, each problem with the command that fixes it. The
 * checks: the driver (NVML), the device nodes, the CDI specs
 * (doctor-cdi.c), the programs specs and configs name, the engines
 * (doctor-engines.c), config.toml. Exits 0 when every check passes, 1
 * otherwise, 2 on a usage error. Reads only: it changes nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/quote.h"
#include "cdi/cdigen.h"
#include "config/config.h"
#include "driver/devnodes.h"
#include "driver/root.h"

#include "ctk.h"
#include "doctor.h"

static const char *arg_driver_root, *arg_dev_root, *arg_format, *arg_config;
static const char *arg_docker_config, *arg_containerd_config, *arg_crio_config;
static nvct_strv arg_spec_dirs, arg_checks, arg_hooks_dirs;

static const nvct_cli_opt options[] = {
        { "driver-root", NULL, NVCT_CLI_STRING, "DIR", "where the driver's files are (default: /)",
          .ret_string = &arg_driver_root },
        { "dev-root", NULL, NVCT_CLI_STRING, "DIR",
          "where /dev/nvidia* are (default: the driver root)", .ret_string = &arg_dev_root },
        { "spec-dir", NULL, NVCT_CLI_STRINGS, "DIR",
          "a CDI spec directory (repeatable; default: config.toml's\n"
          "nvidia-container-runtime.modes.cdi.spec-dirs, /etc/cdi and /var/run/cdi)",
          .ret_strings = &arg_spec_dirs },
        { "check", NULL, NVCT_CLI_STRINGS, "LIST",
          "the checks to run: driver, nodes, cdi, programs, engines, config\n"
          "(comma separated or repeated; default: all)",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_checks },
        { "format", NULL, NVCT_CLI_STRING, "FORMAT", "text (default) or json",
          .ret_string = &arg_format },
        { "config", NULL, NVCT_CLI_STRING, "FILE",
          "config.toml (default: $NVIDIA_CTK_CONFIG_FILE_PATH, else the XDG or /etc one)",
          .ret_string = &arg_config },
        { "docker-config", NULL, NVCT_CLI_STRING, "FILE",
          "docker's daemon.json (default: /etc/docker/daemon.json)",
          .ret_string = &arg_docker_config },
        { "containerd-config", NULL, NVCT_CLI_STRING, "FILE",
          "containerd's config.toml (default: /etc/containerd/config.toml)",
          .ret_string = &arg_containerd_config },
        { "crio-config", NULL, NVCT_CLI_STRING, "FILE",
          "CRI-O's crio.conf, its drop-ins beside it in crio.conf.d\n"
          "(default: /etc/crio/crio.conf)",
          .ret_string = &arg_crio_config },
        { "hooks-dir", NULL, NVCT_CLI_STRINGS, "DIR",
          "an OCI hooks.d directory of podman and CRI-O (repeatable; default:\n"
          "/usr/share/containers/oci/hooks.d and /etc/containers/oci/hooks.d)",
          .ret_strings = &arg_hooks_dirs },
};

/* The groups, in the order findings are printed. */
static const char *const groups[] = { "driver", "nodes", "cdi", "programs", "engines", "config" };
#define N_GROUPS ARRAY_SIZE(groups)
static bool enabled[N_GROUPS];

static int group_index(const char *check) {
        for (size_t i = 0; i < N_GROUPS; i++)
                if (strcmp(groups[i], check) == 0)
                        return (int)i;
        return -1;
}

void doctor_add(doctor_ctx *ctx, const char *check, doctor_status status, const char *fix,
                const char *fmt, ...) {
        int g = group_index(check);
        /* A group that was not asked for still runs when another needs what
         * it learns (the programs the specs name): its findings are dropped. */
        if (g < 0 || !enabled[g])
                return;
        doctor_finding f = { check, status, NULL, NULL };
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&f.message, fmt, ap);
        va_end(ap);
        if (r < 0 || (fix != NULL && (f.fix = strdup(fix)) == NULL)) {
                if (r >= 0)
                        free(f.message);
                ctx->oom = true;
                return;
        }
        doctor_finding *grown = reallocarray(ctx->findings, ctx->n_findings + 1, sizeof(*grown));
        if (grown == NULL) {
                free(f.message);
                free(f.fix);
                ctx->oom = true;
                return;
        }
        ctx->findings = grown;
        ctx->findings[ctx->n_findings++] = f;
}

void doctor_add_program(doctor_ctx *ctx, const char *path, const char *by, const char *fix) {
        doctor_program p = { strdup(path), strdup(by), fix != NULL ? strdup(fix) : NULL };
        doctor_program *grown = reallocarray(ctx->programs, ctx->n_programs + 1, sizeof(*grown));
        if (p.path == NULL || p.by == NULL || (fix != NULL && p.fix == NULL) || grown == NULL) {
                free(p.path);
                free(p.by);
                free(p.fix);
                if (grown != NULL)
                        ctx->programs = grown;
                ctx->oom = true;
                return;
        }
        ctx->programs = grown;
        ctx->programs[ctx->n_programs++] = p;
}

char *doctor_shell_word(const char *s) {
        size_t len = strlen(s);
        bool plain = len > 0;
        for (size_t i = 0; i < len && plain; i++)
                plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "_-./=,:+@%",
                               s[i]) != NULL;
        if (plain)
                return strdup(s);
        if (!nvct_is_printable(s, len))
                return nvct_quote(s, len);
        /* Single quotes: nothing inside is special but the quote itself. */
        char *out = malloc(len * 4 + 3), *p = out;
        if (out == NULL)
                return NULL;
        *p++ = '\'';
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\'') {
                        memcpy(p, "'\\''", 4);
                        p += 4;
                } else
                        *p++ = s[i];
        }
        *p++ = '\'';
        *p = '\0';
        return out;
}

char *doctor_root_flags(const doctor_ctx *ctx, bool dev_root_too) {
        _cleanup_free_ char *driver = NULL, *dev = NULL;
        char *out = NULL;
        if (ctx->driver_root_given && (driver = doctor_shell_word(ctx->driver_root)) == NULL)
                return NULL;
        if (dev_root_too && ctx->dev_root_given && (dev = doctor_shell_word(ctx->dev_root)) == NULL)
                return NULL;
        if (asprintf(&out, "%s%s%s%s", driver ? " --driver-root=" : "", driver ? driver : "",
                     dev ? " --dev-root=" : "", dev ? dev : "") < 0)
                return NULL;
        return out;
}

/* The driver: NVML found under the driver root and loaded; its versions and
 * GPUs. What it learns (ctx->nvml) the nodes and CDI checks compare with. */
static void check_driver(doctor_ctx *ctx) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *lib = NULL;
        _cleanup_free_ char *qroot = nvct_quote_path(ctx->driver_root);
        const char *fix = "install the NVIDIA driver, or name its root: nvidia-ctk doctor "
                          "--driver-root=DIR";
        nvct_driver_root root = { .fd = -1 };

        if (nvct_driver_root_open(ctx->driver_root, NULL, &root, &err) < 0) {
                doctor_add(ctx, "driver", DOCTOR_FAIL, fix, "%s", err->msg);
                return;
        }
        int r = nvct_driver_root_find_soname(&root, "libnvidia-ml.so.1", &lib, &err);
        if (r == -ENOENT && err == NULL) {
                doctor_add(ctx, "driver", DOCTOR_FAIL, fix,
                           "no libnvidia-ml.so.1 (NVML) under the driver root %s (its "
                           "ld.so.cache, then its library directories)",
                           nvct_quoted(qroot));
                nvct_driver_root_clear(&root);
                return;
        }
        if (r >= 0 && nvct_cdigen_query_nvml_root(&root, &ctx->nvml, &err) >= 0)
                ctx->nvml_ok = true;
        nvct_driver_root_clear(&root);
        if (!ctx->nvml_ok) {
                doctor_add(ctx, "driver", DOCTOR_FAIL,
                           "load the driver's modules, then see nvidia-smi: modprobe nvidia",
                           "NVML does not load: %s", err != NULL ? err->msg : "unknown error");
                return;
        }
        const nvct_nvml_info *n = &ctx->nvml;
        char cuda[32] = "unknown";
        if (n->cuda_driver_version > 0)
                snprintf(cuda, sizeof(cuda), "%d.%d", n->cuda_driver_version / 1000,
                         n->cuda_driver_version % 1000 / 10);
        _cleanup_free_ char *qlib = nvct_quote_path(lib);
        doctor_add(ctx, "driver", DOCTOR_OK, NULL, "NVML %s: driver %s, CUDA %s, %zu GPU%s",
                   nvct_quoted(qlib), n->driver_version, cuda, n->n_gpus,
                   n->n_gpus == 1 ? "" : "s");
        if (n->n_gpus == 0)
                doctor_add(ctx, "driver", DOCTOR_FAIL, "nvidia-smi (and dmesg) say why",
                           "NVML reports no GPU");
        for (size_t i = 0; i < n->n_gpus; i++) {
                const nvct_gpu_info *g = &n->gpus[i];
                _cleanup_free_ char *qname = nvct_quote(g->name, strlen(g->name));
                _cleanup_free_ char *quuid = nvct_quote(g->uuid, strlen(g->uuid));
                char migs[48] = "";
                if (g->mig_enabled)
                        snprintf(migs, sizeof(migs), ", MIG on: %zu MIG device%s", g->n_migs,
                                 g->n_migs == 1 ? "" : "s");
                doctor_add(ctx, "driver", DOCTOR_OK, NULL, "GPU %u: %s %s, minor %u%s", g->index,
                           nvct_quoted(qname), nvct_quoted(quuid), g->minor, migs);
        }
}

const struct doctor_node *doctor_expected_node(const doctor_ctx *ctx, const char *name) {
        for (size_t i = 0; i < ctx->n_expected_nodes; i++)
                if (strcmp(ctx->expected_nodes[i].name, name) == 0)
                        return &ctx->expected_nodes[i];
        return NULL;
}

static void expect_node(doctor_ctx *ctx, const char *name, int maj, unsigned min) {
        struct doctor_node *grown =
                reallocarray(ctx->expected_nodes, ctx->n_expected_nodes + 1, sizeof(*grown));
        if (grown == NULL) {
                ctx->oom = true;
                return;
        }
        ctx->expected_nodes = grown;
        struct doctor_node *n = &grown[ctx->n_expected_nodes++];
        snprintf(n->name, sizeof(n->name), "%s", name);
        n->major = (unsigned)maj;
        n->minor = min;
}

/* One node: present, a character device, the numbers the kernel and NVML
 * say. */
static bool check_node(doctor_ctx *ctx, int dev_fd, const char *name, int maj, unsigned min,
                       const char *fix) {
        expect_node(ctx, name, maj, min);
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *path = NULL;
        nvct_devnode_state state;
        struct stat st;

        if (asprintf(&path, "%s/dev/%s", strcmp(ctx->dev_root, "/") == 0 ? "" : ctx->dev_root,
                     name) < 0) {
                ctx->oom = true;
                return false;
        }
        _cleanup_free_ char *qp = nvct_quote_path(path);
        if (nvct_devnode_inspect(dev_fd, name, (unsigned)maj, min, &state, &st, &err) < 0) {
                doctor_add(ctx, "nodes", DOCTOR_FAIL, fix, "%s", err->msg);
                return false;
        }
        switch (state) {
        case NVCT_DEVNODE_OK:
                return true;
        case NVCT_DEVNODE_MISSING:
                doctor_add(ctx, "nodes", DOCTOR_FAIL, fix, "%s is missing", nvct_quoted(qp));
                return false;
        case NVCT_DEVNODE_NOT_CHAR:
                doctor_add(ctx, "nodes", DOCTOR_FAIL, fix,
                           "%s is not a character device (remove it first)", nvct_quoted(qp));
                return false;
        case NVCT_DEVNODE_WRONG_NUMBERS:
        default:
                doctor_add(ctx, "nodes", DOCTOR_FAIL, fix,
                           "%s is c %u:%u, the kernel's is c %d:%u (remove it first)",
                           nvct_quoted(qp), major(st.st_rdev), minor(st.st_rdev), maj, min);
                return false;
        }
}

static void check_nodes(doctor_ctx *ctx) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_close_ int dev_fd = -1;
        _cleanup_free_ char *flags = doctor_root_flags(ctx, true);
        _cleanup_free_ char *fix_control = NULL, *fix_gpus = NULL;
        nvct_proc_devices devices;

        if (flags == NULL ||
            asprintf(&fix_control, "nvidia-ctk system create-device-nodes --control-devices%s",
                     flags) < 0 ||
            asprintf(&fix_gpus, "nvidia-ctk system create-device-nodes --gpu-devices%s", flags) <
                    0) {
                ctx->oom = true;
                return;
        }
        /* NVCT_PROC_ROOT, for the tests only, stands a directory holding a
         * `devices` file in for /proc (as for create-device-nodes). */
        if (nvct_proc_devices_read(getenv("NVCT_PROC_ROOT"), &devices, &err) < 0) {
                doctor_add(ctx, "nodes", DOCTOR_FAIL, "mount -t proc proc /proc", "%s", err->msg);
                return;
        }
        int r = nvct_devnode_open_dev(ctx->dev_root, false, &dev_fd, &err);
        if (r < 0) {
                _cleanup_free_ char *q = nvct_quote_path(ctx->dev_root);
                if (err == NULL)
                        doctor_add(ctx, "nodes", DOCTOR_FAIL, fix_control,
                                   "the dev root %s has no /dev", nvct_quoted(q));
                else
                        doctor_add(ctx, "nodes", DOCTOR_FAIL, NULL, "%s", err->msg);
                return;
        }
        size_t n_ok = 0, n_checked = 0;
        for (size_t i = 0; i < NVCT_DEVNODE_N_CONTROL; i++) {
                const nvct_devnode *node = &nvct_devnode_control[i];
                int major = nvct_devnode_major_number(&devices, node->major_of);
                if (major < 0) {
                        const char *driver =
                                node->major_of == NVCT_DEVNODE_MAJOR_UVM ? "nvidia-uvm" : "nvidia";
                        /* One finding per missing driver, not per node. */
                        if (i == 0 || (i == 2 && node->major_of == NVCT_DEVNODE_MAJOR_UVM)) {
                                _cleanup_free_ char *fix = NULL;
                                if (asprintf(&fix, "modprobe %s", driver) < 0)
                                        fix = NULL;
                                doctor_add(ctx, "nodes", DOCTOR_FAIL, fix,
                                           "the kernel lists no %s driver in /proc/devices: its "
                                           "module is not loaded",
                                           driver);
                        }
                        continue;
                }
                n_checked++;
                n_ok += check_node(ctx, dev_fd, node->name, major, node->minor, fix_control);
        }
        if (devices.nvidia >= 0 && ctx->nvml_ok) {
                for (size_t i = 0; i < ctx->nvml.n_gpus; i++) {
                        char name[32];
                        if (ctx->nvml.gpus[i].minor >= 254) { /* nvidia-modeset's, nvidiactl's */
                                doctor_add(ctx, "nodes", DOCTOR_FAIL,
                                           "nvidia-smi (and dmesg) say why",
                                           "NVML gives GPU %u the minor %u, which is no GPU's",
                                           ctx->nvml.gpus[i].index, ctx->nvml.gpus[i].minor);
                                continue;
                        }
                        snprintf(name, sizeof(name), "nvidia%u", ctx->nvml.gpus[i].minor);
                        n_checked++;
                        n_ok += check_node(ctx, dev_fd, name, devices.nvidia,
                                           ctx->nvml.gpus[i].minor, fix_gpus);
                }
        }
        if (n_checked > 0 && n_ok == n_checked)
                doctor_add(ctx, "nodes", DOCTOR_OK, NULL,
                           "%zu device node%s with the kernel's numbers", n_ok,
                           n_ok == 1 ? "" : "s");
        if (devices.nvidia >= 0 && !ctx->nvml_ok)
                doctor_add(ctx, "nodes", DOCTOR_SKIP, NULL,
                           "the GPUs' nodes are not checked: NVML did not load");
}

/* config.toml: parses with the toolkit's rules, and names only known keys.
 * Loaded whatever --check says: its spec-dirs are where the CDI check looks. */
static void check_config(doctor_ctx *ctx) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *data = NULL;
        _cleanup_free_ char *q = nvct_quote_path(ctx->config_path);
        _cleanup_free_ char *w = doctor_shell_word(ctx->config_path);
        _cleanup_free_ char *fix = NULL;
        nvct_strv unknown = { 0 };
        size_t len = 0;

        if (asprintf(&fix, "edit %s (every key, with its default: nvidia-ctk config default)",
                     w != NULL ? w : "the file") < 0)
                fix = NULL;
        int r = nvct_read_regular(ctx->config_path, "config file", NVCT_CONFIG_MAX_SIZE, true,
                                  &data, &len, &err);
        if (r == -ENOENT && err == NULL) {
                if (nvct_config_init_defaults(&ctx->config, NVCT_CONFIG_PROFILE_TOOLKIT, &err) < 0)
                        ctx->oom = true;
                else
                        ctx->config_ok = true;
                doctor_add(ctx, "config", DOCTOR_OK, NULL, "%s does not exist: the defaults",
                           nvct_quoted(q));
                return;
        }
        if (r < 0 || nvct_config_parse(data, len, ctx->config_path, NVCT_CONFIG_PROFILE_TOOLKIT,
                                       &ctx->config, &err) < 0) {
                doctor_add(ctx, "config", DOCTOR_FAIL, fix, "%s", err->msg);
                return;
        }
        ctx->config_ok = true;
        ctx->config_exists = true;
        if (nvct_config_unknown_keys(data, len, ctx->config_path, &unknown, &err) < 0) {
                doctor_add(ctx, "config", DOCTOR_FAIL, fix, "%s", err->msg);
                return;
        }
        for (size_t i = 0; i < unknown.n; i++) {
                _cleanup_free_ char *qk = nvct_quote(unknown.v[i], strlen(unknown.v[i]));
                doctor_add(ctx, "config", DOCTOR_FAIL, fix,
                           "%s: unknown key %s: no program reads it (a typo?)", nvct_quoted(q),
                           nvct_quoted(qk));
        }
        if (unknown.n == 0)
                doctor_add(ctx, "config", DOCTOR_OK, NULL, "%s parses; every key is known",
                           nvct_quoted(q));
        nvct_strv_clear(&unknown);
}

static void json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", f);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f); /* messages quote non-ASCII bytes already */
        }
        fputc('"', f);
}

static const char *status_name(doctor_status s) {
        return s == DOCTOR_OK ? "ok" : s == DOCTOR_FAIL ? "fail" : "skip";
}

static void print_findings(const doctor_ctx *ctx, bool json, size_t n_failed) {
        if (json)
                printf("{\"healthy\":%s,\"findings\":[", n_failed == 0 ? "true" : "false");
        bool first = true;
        for (size_t g = 0; g < N_GROUPS; g++)
                for (size_t i = 0; i < ctx->n_findings; i++) {
                        const doctor_finding *f = &ctx->findings[i];
                        if (strcmp(f->check, groups[g]) != 0)
                                continue;
                        if (!json) {
                                printf("%-4s %s: %s",
                                       f->status == DOCTOR_FAIL ? "FAIL" : status_name(f->status),
                                       f->check, f->message);
                                if (f->fix != NULL)
                                        printf("; fix: %s", f->fix);
                                putchar('\n');
                                continue;
                        }
                        printf("%s{\"check\":\"%s\",\"status\":\"%s\",\"message\":",
                               first ? "" : ",", f->check, status_name(f->status));
                        json_string(stdout, f->message);
                        if (f->fix != NULL) {
                                fputs(",\"fix\":", stdout);
                                json_string(stdout, f->fix);
                        }
                        putchar('}');
                        first = false;
                }
        if (json)
                puts("]}");
        else if (n_failed == 0)
                puts("healthy");
        else
                printf("%zu problem%s\n", n_failed, n_failed == 1 ? "" : "s");
}

static void ctx_clear(doctor_ctx *ctx) {
        for (size_t i = 0; i < ctx->n_findings; i++) {
                free(ctx->findings[i].message);
                free(ctx->findings[i].fix);
        }
        free(ctx->findings);
        for (size_t i = 0; i < ctx->n_programs; i++) {
                free(ctx->programs[i].path);
                free(ctx->programs[i].by);
                free(ctx->programs[i].fix);
        }
        free(ctx->programs);
        free(ctx->expected_nodes);
        nvct_nvml_info_clear(&ctx->nvml);
        nvct_config_clear(&ctx->config);
}

static int usage_error(const nvct_cli_call *call, const char *what, const char *value,
                       const char *after) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *q = nvct_quote(value, strlen(value));
        nvct_error_make(&err, 0, "%s %s%s", what, nvct_quoted(q), after);
        return nvct_cli_usage_error(call, &err);
}

/* The flags into ctx and `enabled`; a usage error's status, or 0. */
static int read_flags(const nvct_cli_call *call, doctor_ctx *ctx, char **ret_config_path) {
        for (size_t i = 0; i < arg_checks.n; i++) {
                int g = group_index(arg_checks.v[i]);
                if (g < 0)
                        return usage_error(call, "unknown check", arg_checks.v[i],
                                           " (driver, nodes, cdi, programs, engines, config)");
                enabled[g] = true;
        }
        for (size_t g = 0; g < N_GROUPS && arg_checks.n == 0; g++)
                enabled[g] = true;
        if (arg_format != NULL && strcmp(arg_format, "text") != 0 &&
            strcmp(arg_format, "json") != 0)
                return usage_error(call, "unknown --format", arg_format, " (text or json)");
        const char *roots[] = { arg_driver_root, arg_dev_root };
        for (size_t i = 0; i < 2; i++)
                if (roots[i] != NULL && roots[i][0] != '/')
                        return usage_error(call,
                                           i == 0 ? "--driver-root must be an absolute path, not"
                                                  : "--dev-root must be an absolute path, not",
                                           roots[i], "");
        ctx->driver_root = arg_driver_root != NULL ? arg_driver_root : "/";
        ctx->driver_root_given = arg_driver_root != NULL;
        ctx->dev_root = arg_dev_root != NULL ? arg_dev_root : ctx->driver_root;
        ctx->dev_root_given = arg_dev_root != NULL;
        if (arg_config != NULL)
                ctx->config_path = arg_config;
        else if ((ctx->config_path = *ret_config_path = nvct_config_toolkit_path()) == NULL)
                ctx->oom = true;
        ctx->docker_config = arg_docker_config;
        ctx->containerd_config = arg_containerd_config;
        ctx->crio_config = arg_crio_config;
        ctx->hooks_dirs = arg_hooks_dirs.n > 0 ? (const char *const *)arg_hooks_dirs.v : NULL;
        ctx->search_path = getenv("PATH");
        return 0;
}

static int doctor(const nvct_cli_call *call) {
        _cleanup_free_ char *config_path = NULL;
        doctor_ctx ctx = { 0 };
        int r = read_flags(call, &ctx, &config_path);
        if (r != 0)
                return r;

        bool json = arg_format != NULL && strcmp(arg_format, "json") == 0;
        check_config(&ctx);
        if (arg_spec_dirs.n > 0)
                ctx.spec_dirs = (const char *const *)arg_spec_dirs.v;
        else if (ctx.config_ok && ctx.config.runtime.cdi.spec_dirs.n > 0)
                ctx.spec_dirs = (const char *const *)ctx.config.runtime.cdi.spec_dirs.v;
        else {
                static const char *const default_dirs[] = { "/etc/cdi", "/var/run/cdi", NULL };
                ctx.spec_dirs = default_dirs;
        }
        check_driver(&ctx);
        check_nodes(&ctx); /* the CDI check compares specs with what it learns */
        bool programs = enabled[group_index("programs")];
        if (programs || enabled[group_index("cdi")])
                doctor_check_cdi(&ctx);
        if (programs || enabled[group_index("engines")])
                doctor_check_engines(&ctx);
        if (programs)
                doctor_check_programs(&ctx);

        size_t n_failed = 0;
        for (size_t i = 0; i < ctx.n_findings; i++)
                n_failed += ctx.findings[i].status == DOCTOR_FAIL;
        if (ctx.oom) {
                fprintf(call->err, PROGRAM ": out of memory: the findings are incomplete\n");
                n_failed++;
        }
        print_findings(&ctx, json, n_failed);
        ctx_clear(&ctx);
        if (fflush(stdout) != 0) {
                fprintf(call->err, PROGRAM ": cannot write the findings: %s\n", strerror(errno));
                return EXIT_FAILURE;
        }
        return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const nvct_cli_command ctk_doctor = {
        .name = "doctor",
        .summary = "check this host's GPU container stack and say how to fix it",
        .description =
                "Check the driver (NVML), the device nodes, the CDI specs (present, valid, made\n"
                "for this driver and these GPUs), the programs specs and configs name, the\n"
                "container engines' configuration and config.toml. One line per finding; each\n"
                "problem ends with the command that fixes it. Exits 0 when every check passes,\n"
                "1 otherwise. Changes nothing.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = doctor,
};

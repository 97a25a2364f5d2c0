/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-ctk runtime configure: adds the NVIDIA runtime to a container
 * engine's configuration (docker's daemon.json), or writes the hooks.d file
 * (--config-mode=oci-hook). Flags, defaults and warnings are NVIDIA's; the
 * edit keeps everything it did not have to change (engines/docker.h). The
 * engine is never restarted: the command says which restart is needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"
#include "engines/command.h"
#include "engines/containerd.h"
#include "engines/crio.h"
#include "engines/docker.h"
#include "engines/file.h"
#include "engines/ocihook.h"

#include "ctk.h"

#ifndef NVCT_BINDIR
#define NVCT_BINDIR "/usr/local/bin"
#endif

static bool arg_dry_run, arg_set_as_default, arg_cdi, arg_enable_cdi;
static const char *arg_runtime = "docker";
static const char *arg_config, *arg_drop_in, *arg_executable, *arg_mode, *arg_hook_file;
static const char *arg_source = "file";
static const char *arg_name = "nvidia";
static const char *arg_path = "nvidia-container-runtime";
static const char *arg_hook_path = NVCT_BINDIR "/nvidia-container-runtime-hook";

static const nvct_cli_opt options[] = {
        { "dry-run", NULL, NVCT_CLI_BOOL, NULL, "print the updated configuration; write nothing",
          .ret_bool = &arg_dry_run },
        { "runtime", NULL, NVCT_CLI_STRING, "ENGINE",
          "the engine to configure: docker, containerd or crio (default: docker)",
          .ret_string = &arg_runtime },
        { "config", NULL, NVCT_CLI_STRING, "FILE",
          "the engine's config file (default: /etc/docker/daemon.json, "
          "/etc/containerd/config.toml, /etc/crio/crio.conf)",
          .ret_string = &arg_config },
        { "drop-in-config", NULL, NVCT_CLI_STRING, "FILE",
          "the drop-in file to write (default: /etc/containerd/conf.d/99-nvidia.toml, "
          "/etc/crio/crio.conf.d/99-nvidia.toml; \"\" for containerd: edit config.toml; not "
          "for docker)",
          .ret_string = &arg_drop_in },
        { "executable-path", NULL, NVCT_CLI_STRING, "FILE",
          "the engine's executable, for --config-source=command (ignored for docker)",
          .ret_string = &arg_executable },
        { "config-mode", NULL, NVCT_CLI_STRING, "MODE",
          "config-file (default), or oci-hook to write a hooks.d file (deprecated)",
          .ret_string = &arg_mode },
        { "config-source", NULL, NVCT_CLI_STRING, "SOURCE",
          "where the current configuration is read: file (default) or command (containerd "
          "config dump, crio status config: only read, never written back)",
          .ret_string = &arg_source },
        { "oci-hook-path", NULL, NVCT_CLI_STRING, "FILE",
          "the hooks.d file --config-mode=oci-hook writes (default: standard output)",
          .ret_string = &arg_hook_file },
        { "nvidia-runtime-name", NULL, NVCT_CLI_STRING, "NAME",
          "the name of the runtime to add (default: nvidia)", .ret_string = &arg_name },
        { "nvidia-runtime-path", "runtime-path", NVCT_CLI_STRING, "FILE",
          "the runtime's executable (default: nvidia-container-runtime; for containerd and "
          "crio " NVCT_BINDIR "/nvidia-container-runtime)",
          .ret_string = &arg_path },
        { "nvidia-runtime-hook-path", NULL, NVCT_CLI_STRING, "FILE",
          "the hook --config-mode=oci-hook runs (default: " NVCT_BINDIR
          "/nvidia-container-runtime-hook)",
          .ret_string = &arg_hook_path },
        { "nvidia-set-as-default", "set-as-default", NVCT_CLI_BOOL, NULL,
          "make the NVIDIA runtime the default one", .ret_bool = &arg_set_as_default },
        { "cdi.enabled", "cdi.enable", NVCT_CLI_BOOL, NULL, "enable CDI in the engine",
          .ret_bool = &arg_cdi },
        { "enable-cdi", NULL, NVCT_CLI_BOOL, NULL, "the same as --cdi.enabled",
          .ret_bool = &arg_enable_cdi },
};

/* "PROGRAM: warning: BEFORE "VALUE"AFTER", unless --quiet. */
static void warn(const char *before, const char *value, const char *after) {
        if (ctk_quiet)
                return;
        _cleanup_free_ char *q = nvct_quote(value, strlen(value));
        fprintf(stderr, PROGRAM ": warning: %s%s%s\n", before, nvct_quoted(q), after);
}

/* Writes what a dry run shows; EXIT_SUCCESS or a failure. */
static int print_out(const nvct_cli_call *call, const char *data, size_t len) {
        _cleanup_error_ nvct_error *err = NULL;
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
                nvct_error_make(&err, errno, "cannot write to standard output");
                return nvct_cli_fail(call, &err);
        }
        return EXIT_SUCCESS;
}

static int configure_hook(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        warn("the ", arg_mode, " config-mode is deprecated");
        if (nvct_ocihook_generate(arg_hook_path, &data, &len, &err) < 0)
                return nvct_cli_usage_error(call, &err);
        if (arg_dry_run || arg_hook_file == NULL || arg_hook_file[0] == '\0')
                return print_out(call, data, len);
        nvct_engine_file old = { 0 };
        int r = nvct_engine_file_read(arg_hook_file, "OCI hook file", NVCT_DOCKER_MAX_SIZE, &old,
                                      &err);
        if (r == 0)
                r = nvct_engine_file_update(arg_hook_file, &old, data, len, NULL, &err);
        nvct_engine_file_clear(&old);
        return r < 0 ? nvct_cli_fail(call, &err) : EXIT_SUCCESS;
}

static int configure_docker(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        bool changed = false;
        const char *path = arg_config ? arg_config : "/etc/docker/daemon.json";
        const nvct_docker_options opts = {
                .runtime_name = arg_name,
                .runtime_path = arg_path,
                .set_as_default = arg_set_as_default,
                .enable_cdi = arg_cdi || arg_enable_cdi,
        };
        nvct_engine_file old = { 0 };
        int r = nvct_engine_file_read(path, "docker config", NVCT_DOCKER_MAX_SIZE, &old, &err);
        if (r == 0)
                r = nvct_docker_configure(old.data, old.len, path, &opts, &data, &len, &err);
        if (r == 0 && !arg_dry_run)
                r = nvct_engine_file_update(path, &old, data, len, &changed, &err);
        nvct_engine_file_clear(&old);
        if (r < 0)
                return nvct_cli_fail(call, &err);
        if (arg_dry_run)
                return print_out(call, data, len);
        if (!ctk_quiet) {
                _cleanup_free_ char *q = nvct_quote_path(path);
                fprintf(stderr, PROGRAM ": %s %s\n",
                        changed ? "wrote the updated config to" : "already configured, unchanged:",
                        nvct_quoted(q));
                fprintf(stderr, PROGRAM ": restart docker for the change to take effect: "
                                        "systemctl restart docker\n");
        }
        return EXIT_SUCCESS;
}

/* Reads one engine file; *ret filled only on success. */
static int read_file(const char *path, const char *what, nvct_engine_file *ret, nvct_error **err) {
        return nvct_engine_file_read(path, what, NVCT_CONTAINERD_MAX_SIZE, ret, err);
}

/* Writes what changed (drop-in first: the main file's import then never
 * names a file that is not there yet); "wrote"/"unchanged" per file. */
static int write_out(const char *path, const nvct_engine_file *old, const char *data, size_t len,
                     nvct_error **err) {
        bool changed = false;
        if (nvct_engine_file_update(path, old, data, len, &changed, err) < 0)
                return -1;
        if (!ctk_quiet) {
                _cleanup_free_ char *q = nvct_quote_path(path);
                fprintf(stderr, PROGRAM ": %s %s\n",
                        changed ? "wrote the updated config to" : "already configured, unchanged:",
                        nvct_quoted(q));
        }
        return 0;
}

static void restart_hint(const char *engine) {
        if (!ctk_quiet)
                fprintf(stderr,
                        PROGRAM ": restart %s for the change to take effect: "
                                "systemctl restart %s\n",
                        engine, engine);
}

/* --config-source=command: the engine's own view of its configuration,
 * read only (engines/command.h). containerd: EXE config dump; CRI-O: EXE
 * status config, else crio-status config, as NVIDIA. */
static int command_source(bool crio, char **ret, size_t *ret_len, char **ret_name,
                          nvct_error **err) {
        const char *exe = arg_executable && arg_executable[0] ? arg_executable
                          : crio                              ? "crio"
                                                              : "containerd";
        const char *argv[] = { exe, crio ? "status" : "config", crio ? "config" : "dump", NULL };
        int r = nvct_engine_command_output(argv, NVCT_CONTAINERD_MAX_SIZE, ret, ret_len, err);
        if (r < 0 && crio) {
                /* The first failure is the one to report when both fail. */
                _cleanup_error_ nvct_error *alt_err = NULL;
                const char *alt[] = { "crio-status", "config", NULL };
                r = nvct_engine_command_output(alt, NVCT_CONTAINERD_MAX_SIZE, ret, ret_len,
                                               &alt_err);
                if (r == 0) {
                        nvct_error_free(err);
                        exe = "crio-status";
                }
        }
        if (r < 0)
                return nvct_error_prefix(err, "--config-source=command");
        const char *args = !crio                             ? "config dump"
                           : strcmp(exe, "crio-status") == 0 ? "config"
                                                             : "status config";
        if (asprintf(ret_name, "%s %s", exe, args) < 0)
                return nvct_error_make(err, ENOMEM, "cannot name the command");
        return 0;
}

static int configure_containerd(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *main_data = NULL, *drop_data = NULL;
        size_t main_len = 0, drop_len = 0;
        const char *path = arg_config ? arg_config : "/etc/containerd/config.toml";
        nvct_containerd_options opts = {
                .runtime_name = arg_name,
                .runtime_path = arg_path,
                .set_as_default = arg_set_as_default,
                .enable_cdi = arg_cdi || arg_enable_cdi,
        };
        bool drop_in = arg_drop_in[0] != '\0';
        nvct_engine_file old = { 0 }, old_drop = { 0 };
        _cleanup_free_ char *source = NULL, *source_name = NULL;
        if (strcmp(arg_source, "command") == 0 &&
            command_source(false, &source, &opts.source_len, &source_name, &err) < 0)
                return nvct_cli_fail(call, &err);
        opts.source_data = source;
        opts.source_name = source_name;
        int r = read_file(path, "containerd config", &old, &err);
        if (r == 0 && drop_in)
                r = read_file(arg_drop_in, "containerd drop-in config", &old_drop, &err);
        if (r == 0 && drop_in)
                r = nvct_containerd_configure_drop_in(old.data, old.len, path, old_drop.data,
                                                      old_drop.len, arg_drop_in, &opts, &main_data,
                                                      &main_len, &drop_data, &drop_len, &err);
        else if (r == 0)
                r = nvct_containerd_configure(old.data, old.len, path, &opts, &main_data, &main_len,
                                              &err);
        if (r == 0 && !arg_dry_run && drop_in)
                r = write_out(arg_drop_in, &old_drop, drop_data, drop_len, &err);
        if (r == 0 && !arg_dry_run)
                r = write_out(path, &old, main_data, main_len, &err);
        /* A dry run in drop-in mode shows both files when config.toml
         * changes too (its imports), each after a TOML comment naming it. */
        bool main_changed = r == 0 && drop_in &&
                            (old.data == NULL || old.len != main_len ||
                             memcmp(old.data, main_data, main_len) != 0);
        nvct_engine_file_clear(&old);
        nvct_engine_file_clear(&old_drop);
        if (r < 0)
                return nvct_cli_fail(call, &err);
        if (arg_dry_run && main_changed) {
                printf("# %s\n", arg_drop_in);
                int status = print_out(call, drop_data, drop_len);
                if (status != EXIT_SUCCESS)
                        return status;
                printf("# %s\n", path);
                return print_out(call, main_data, main_len);
        }
        if (arg_dry_run)
                return drop_in ? print_out(call, drop_data, drop_len)
                               : print_out(call, main_data, main_len);
        restart_hint("containerd");
        return EXIT_SUCCESS;
}

/* crio.conf is only read: the runtime goes into the drop-in. */
static int configure_crio(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        const char *path = arg_config ? arg_config : "/etc/crio/crio.conf";
        nvct_crio_options opts = {
                .runtime_name = arg_name,
                .runtime_path = arg_path,
                .set_as_default = arg_set_as_default,
        };
        nvct_engine_file conf = { 0 }, old = { 0 };
        _cleanup_free_ char *source = NULL, *source_name = NULL;
        if (strcmp(arg_source, "command") == 0 &&
            command_source(true, &source, &opts.source_len, &source_name, &err) < 0)
                return nvct_cli_fail(call, &err);
        opts.source_data = source;
        opts.source_name = source_name;
        int r = read_file(path, "crio config", &conf, &err);
        if (r == 0)
                r = read_file(arg_drop_in, "crio drop-in config", &old, &err);
        if (r == 0)
                r = nvct_crio_configure(conf.data, conf.len, path, old.data, old.len, arg_drop_in,
                                        &opts, &data, &len, &err);
        if (r == 0 && !arg_dry_run)
                r = write_out(arg_drop_in, &old, data, len, &err);
        nvct_engine_file_clear(&conf);
        nvct_engine_file_clear(&old);
        if (r < 0)
                return nvct_cli_fail(call, &err);
        if (arg_dry_run)
                return print_out(call, data, len);
        restart_hint("crio");
        return EXIT_SUCCESS;
}

/* containerd's and CRI-O's flags, as NVIDIA checks them: an absolute
 * runtime path (the default one is the installed runtime's), an absolute
 * drop-in (by default the engine's own; "" edits containerd's main file),
 * CDI only for containerd. */
static int check_cri_flags(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        bool crio = strcmp(arg_runtime, "crio") == 0;
        if (strcmp(arg_path, "nvidia-container-runtime") == 0)
                arg_path = NVCT_BINDIR "/nvidia-container-runtime";
        if (arg_path[0] != '/') {
                _cleanup_free_ char *q = nvct_quote_path(arg_path);
                nvct_error_make(&err, 0, "the NVIDIA runtime path %s is not an absolute path",
                                nvct_quoted(q));
                return nvct_cli_usage_error(call, &err);
        }
        if (crio && (arg_cdi || arg_enable_cdi)) {
                warn("ignoring the cdi.enabled flag for ", arg_runtime, "");
                arg_cdi = arg_enable_cdi = false;
        }
        if (strcmp(arg_source, "command") != 0 && strcmp(arg_source, "file") != 0) {
                _cleanup_free_ char *q = nvct_quote(arg_source, strlen(arg_source));
                nvct_error_make(&err, 0, "unrecognized config source %s", nvct_quoted(q));
                return nvct_cli_usage_error(call, &err);
        }
        if (arg_drop_in == NULL)
                arg_drop_in = crio ? "/etc/crio/crio.conf.d/99-nvidia.toml"
                                   : "/etc/containerd/conf.d/99-nvidia.toml";
        if (crio && arg_drop_in[0] == '\0') {
                nvct_error_make(&err, 0,
                                "runtime crio needs a drop-in config: nvct never rewrites "
                                "crio.conf");
                return nvct_cli_usage_error(call, &err);
        }
        if (arg_drop_in[0] != '\0' && arg_drop_in[0] != '/') {
                _cleanup_free_ char *q = nvct_quote_path(arg_drop_in);
                nvct_error_make(&err, 0, "the drop-in-config path %s is not an absolute path",
                                nvct_quoted(q));
                return nvct_cli_usage_error(call, &err);
        }
        return 0;
}

/* NVIDIA's checks of the flags, in its order, with its warnings. */
static int check_flags(const nvct_cli_call *call, bool *ret_hook) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *q = NULL;
        if (arg_mode != NULL &&
            (strcmp(arg_mode, "oci-hook") == 0 || strcmp(arg_mode, "hook") == 0)) {
                *ret_hook = true;
                return 0;
        }
        if (arg_mode != NULL && arg_mode[0] != '\0' && strcmp(arg_mode, "config-file") != 0 &&
            strcmp(arg_mode, "config") != 0)
                warn("ignoring the unsupported config mode ", arg_mode, "");
        q = nvct_quote(arg_runtime, strlen(arg_runtime));
        if (strcmp(arg_runtime, "containerd") == 0 || strcmp(arg_runtime, "crio") == 0) {
                *ret_hook = false;
                return check_cri_flags(call);
        }
        if (strcmp(arg_runtime, "docker") != 0) {
                nvct_error_make(&err, 0, "unrecognized runtime %s", nvct_quoted(q));
                return nvct_cli_usage_error(call, &err);
        }
        if (arg_executable != NULL && arg_executable[0] != '\0')
                warn("ignoring --executable-path=", arg_executable, " for docker");
        if (strcmp(arg_source, "command") == 0) {
                /* docker has no command that prints its configuration. */
                warn("a ", arg_source, " config source is not supported for docker; using file");
        } else if (strcmp(arg_source, "file") != 0) {
                free(q);
                q = nvct_quote(arg_source, strlen(arg_source));
                nvct_error_make(&err, 0, "unrecognized config source %s", nvct_quoted(q));
                return nvct_cli_usage_error(call, &err);
        }
        if (arg_drop_in != NULL && arg_drop_in[0] != '\0') {
                nvct_error_make(&err, 0, "runtime docker does not support drop-in configs");
                return nvct_cli_usage_error(call, &err);
        }
        *ret_hook = false;
        return 0;
}

static int runtime_configure(const nvct_cli_call *call) {
        bool hook = false;
        int r = check_flags(call, &hook);
        if (r != 0)
                return r;
        if (hook)
                return configure_hook(call);
        if (strcmp(arg_runtime, "containerd") == 0)
                return configure_containerd(call);
        if (strcmp(arg_runtime, "crio") == 0)
                return configure_crio(call);
        return configure_docker(call);
}

const nvct_cli_command ctk_runtime_configure = {
        .name = "configure",
        .summary = "add the NVIDIA runtime to a container engine's configuration",
        .description = "Add the NVIDIA runtime to a container engine's config file, keeping every "
                       "other\nsetting, its order and the file's layout; the file is replaced "
                       "atomically with\nits mode and owner, and only when something changed. "
                       "The engine is not\nrestarted. --dry-run prints the file instead "
                       "(the drop-in, in drop-in mode).\nSupported: docker, containerd "
                       "(config versions 1, 2 and 3; by default through\nthe drop-in "
                       "/etc/containerd/conf.d/99-nvidia.toml, --drop-in-config=\"\" edits\n"
                       "config.toml) and crio (the drop-in /etc/crio/crio.conf.d/99-nvidia.toml).",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = runtime_configure,
};

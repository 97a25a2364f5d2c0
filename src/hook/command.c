/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "command.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/strv.h"

/* ---- PATH ---- */

char *nvct_cli_search_path(const char *root, const char *hook_path) {
        char *dirs = NULL;
        size_t dirs_len = 0;
        /* filepath.SplitList("") is no directory at all, not one empty one. */
        if (hook_path != NULL && hook_path[0] != '\0') {
                if (asprintf(&dirs, "%s:%s", hook_path, NVCT_DEFAULT_PATH) < 0)
                        return NULL;
        } else {
                dirs = strdup(NVCT_DEFAULT_PATH);
                if (dirs == NULL)
                        return NULL;
        }
        if (root == NULL)
                return dirs;

        char *out = NULL;
        FILE *f = open_memstream(&out, &dirs_len);
        if (f == NULL) {
                free(dirs);
                return NULL;
        }
        /* Directories under root first, then the same directories as is. */
        const char *p = dirs;
        for (;;) {
                const char *colon = strchr(p, ':');
                size_t n = colon ? (size_t)(colon - p) : strlen(p);
                _cleanup_free_ char *dir = strndup(p, n);
                _cleanup_free_ char *joined = dir ? nvct_go_join_path(root, dir) : NULL;
                if (joined == NULL) {
                        fclose(f);
                        free(out);
                        free(dirs);
                        return NULL;
                }
                fputs(joined, f);
                fputc(':', f);
                if (colon == NULL)
                        break;
                p = colon + 1;
        }
        fputs(dirs, f);
        free(dirs);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* ---- argv ---- */

/* "--flag=" + bytes that came from the container. A NUL cannot travel in an
 * argument: the reference's exec fails on it, and so do we, before exec. */
static int push_flag_bytes(nvct_strv *s, const char *flag, const char *value, size_t len,
                           const char *what, nvct_error **err) {
        if (memchr(value, '\0', len) != NULL)
                return nvct_error_make(err, 0, "%s contains a NUL character", what);
        nvct_strv_pushf(s, "%s=%s", flag, value);
        return 0;
}

static const char *capability_flag(const char *cap, size_t len) {
        static const char *const names[] = { "compute", "compat32", "graphics", "utility",
                                             "video",   "display",  "ngx" };
        static const char *const flags[] = { "--compute", "--compat32", "--graphics", "--utility",
                                             "--video",   "--display",  "--ngx" };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strlen(names[i]) == len && memcmp(names[i], cap, len) == 0)
                        return flags[i];
        return NULL;
}

static int push_capabilities(nvct_strv *s, const nvct_request *req, nvct_error **err) {
        const char *caps = req->driver_capabilities ? req->driver_capabilities : "";
        size_t len = req->driver_capabilities_len;
        size_t start = 0;
        while (start <= len) {
                const char *comma = memchr(caps + start, ',', len - start);
                size_t end = comma ? (size_t)(comma - caps) : len;
                /* The reference stops at the first empty element. */
                if (end == start)
                        break;
                const char *flag = capability_flag(caps + start, end - start);
                if (flag == NULL) {
                        _cleanup_free_ char *q = nvct_quote(caps + start, end - start);
                        return nvct_error_make(err, 0,
                                               "unknown driver capability %s in "
                                               "NVIDIA_DRIVER_CAPABILITIES (known: %s)",
                                               q ? q : "", NVCT_ALL_DRIVER_CAPABILITIES);
                }
                nvct_strv_add(s, flag);
                if (comma == NULL)
                        break;
                start = end + 1;
        }
        return 0;
}

/* The hook's environment as Go's os.Environ() hands it on: later duplicates
 * of a name dropped; with `path` set, as os.Setenv("PATH") leaves it (the
 * first PATH entry replaced, or one appended). */
static void push_environ(nvct_strv *s, char *const *environ, const char *path) {
        bool path_set = false;
        for (size_t i = 0; environ != NULL && environ[i] != NULL; i++) {
                const char *e = environ[i];
                const char *eq = strchr(e, '=');
                if (eq != NULL) {
                        size_t name_len = (size_t)(eq - e);
                        bool dup = false;
                        for (size_t j = 0; j < i && !dup; j++)
                                dup = strncmp(environ[j], e, name_len + 1) == 0;
                        if (dup)
                                continue;
                        if (path != NULL && name_len == 4 && memcmp(e, "PATH", 4) == 0) {
                                nvct_strv_pushf(s, "PATH=%s", path);
                                path_set = true;
                                continue;
                        }
                }
                nvct_strv_add(s, e);
        }
        if (path != NULL && !path_set)
                nvct_strv_pushf(s, "PATH=%s", path);
}

void nvct_command_clear(nvct_command *cmd) {
        nvct_strv_free_array(cmd->argv, cmd->argc);
        nvct_strv_free_array(cmd->envp, cmd->envc);
        free(cmd->search_path);
        *cmd = (nvct_command){ 0 };
}

int nvct_command_build(const nvct_command_input *in, nvct_command *ret_command, nvct_error **err) {
        const nvct_cli_config *cli = &in->config->cli;
        const nvct_request *req = in->request;
        nvct_strv argv = { 0 }, envp = { 0 };
        _cleanup_free_ char *search_path = NULL;
        _cleanup_free_ char *cli_path = NULL;

        if (cli->path != NULL) {
                cli_path = strdup(cli->path);
                if (cli_path == NULL)
                        return nvct_error_make(err, 0, "out of memory");
        } else {
                search_path = nvct_cli_search_path(cli->root, getenv("PATH"));
                if (search_path == NULL)
                        return nvct_error_make(err, 0, "out of memory");
                if (nvct_find_executable(NVCT_CLI_NAME, search_path, &cli_path, err) < 0)
                        return -1;
        }

        nvct_strv_push(&argv, TAKE_PTR(cli_path));
        if (cli->root != NULL)
                nvct_strv_pushf(&argv, "--root=%s", cli->root);
        if (cli->load_kmods)
                nvct_strv_pushf(&argv, "--load-kmods");
        /* Where NVIDIA's current hook puts it: a global flag. */
        if (in->config->features.disable_imex_channel_creation)
                nvct_strv_pushf(&argv, "--no-create-imex-channels");
        if (cli->no_pivot)
                nvct_strv_pushf(&argv, "--no-pivot");
        if (in->debug)
                nvct_strv_pushf(&argv, "--debug=/dev/stderr");
        else if (cli->debug != NULL)
                nvct_strv_pushf(&argv, "--debug=%s", cli->debug);
        if (cli->ldcache != NULL)
                nvct_strv_pushf(&argv, "--ldcache=%s", cli->ldcache);
        if (cli->user != NULL)
                nvct_strv_pushf(&argv, "--user=%s", cli->user);
        nvct_strv_pushf(&argv, "configure");
        if (req->cuda_compat_mode != NULL)
                nvct_strv_pushf(&argv, "--cuda-compat-mode=%s", req->cuda_compat_mode);
        if (cli->ldconfig != NULL)
                nvct_strv_pushf(&argv, "--ldconfig=%s", cli->ldconfig);
        if (cli->no_cgroups)
                nvct_strv_pushf(&argv, "--no-cgroups");

        int r = 0;
        if (req->devices_len > 0)
                r = push_flag_bytes(&argv, "--device", req->devices, req->devices_len,
                                    "the device list", err);
        if (r >= 0 && req->mig_config_devices_len > 0)
                r = push_flag_bytes(&argv, "--mig-config", req->mig_config_devices,
                                    req->mig_config_devices_len, "NVIDIA_MIG_CONFIG_DEVICES", err);
        if (r >= 0 && req->mig_monitor_devices_len > 0)
                r = push_flag_bytes(&argv, "--mig-monitor", req->mig_monitor_devices,
                                    req->mig_monitor_devices_len, "NVIDIA_MIG_MONITOR_DEVICES",
                                    err);
        if (r >= 0 && req->imex_channels_len > 0)
                r = push_flag_bytes(&argv, "--imex-channel", req->imex_channels,
                                    req->imex_channels_len, "the IMEX channel list", err);
        if (r >= 0)
                r = push_capabilities(&argv, req, err);
        if (r >= 0 && !in->config->disable_require && !req->disable_require) {
                for (size_t i = 0; i < req->n_requirements && r >= 0; i++) {
                        const nvct_requirement *q = &req->requirements[i];
                        r = push_flag_bytes(&argv, "--require", q->value, q->value_len,
                                            "a requirement (NVIDIA_REQUIRE_*)", err);
                }
        }
        if (r < 0)
                goto fail;
        /* Go's strconv.FormatUint(uint64(pid)): a negative pid wraps. */
        nvct_strv_pushf(&argv, "--pid=%" PRIu64, (uint64_t)in->pid);
        nvct_strv_add(&argv, in->rootfs);

        push_environ(&envp, in->environ, search_path);
        for (size_t i = 0; i < cli->n_environment; i++)
                nvct_strv_add(&envp, cli->environment[i]);
        if (argv.failed || envp.failed) {
                nvct_error_make(err, 0, "out of memory");
                goto fail;
        }
        *ret_command = (nvct_command){
                .argv = argv.v,
                .argc = argv.n,
                .envp = envp.v,
                .envc = envp.n,
                .search_path = TAKE_PTR(search_path),
        };
        return 0;
fail:
        nvct_strv_clear(&argv);
        nvct_strv_clear(&envp);
        return -1;
}

int nvct_command_exec(const nvct_command *cmd, nvct_error **err) {
        static char *const empty_env[] = { NULL };
        execve(cmd->argv[0], cmd->argv, cmd->envp ? cmd->envp : empty_env);
        int saved = errno;
        _cleanup_free_ char *q = nvct_quote(cmd->argv[0], strlen(cmd->argv[0]));
        const char *cli = q ? q : "nvidia-container-cli";
        switch (saved) {
        case E2BIG: {
                size_t bytes = 0;
                for (size_t i = 0; i < cmd->argc; i++)
                        bytes += strlen(cmd->argv[i]) + 1;
                for (size_t i = 0; i < cmd->envc; i++)
                        bytes += strlen(cmd->envp[i]) + 1;
                return nvct_error_make(err, saved,
                                       "cannot exec %s: %zu arguments and %zu environment "
                                       "entries (%zu bytes) exceed the kernel's limits "
                                       "(128 KiB per string); too many NVIDIA_REQUIRE_* variables "
                                       "or too long a value?",
                                       cli, cmd->argc, cmd->envc, bytes);
        }
        case ENOENT:
                return nvct_error_make(err, saved, "cannot exec %s: it does not exist", cli);
        case EACCES:
                return nvct_error_make(err, saved,
                                       "cannot exec %s: not an executable file, or not "
                                       "accessible",
                                       cli);
        case ENOEXEC:
                return nvct_error_make(err, saved, "cannot exec %s: not a valid executable", cli);
        default:
                return nvct_error_make(err, saved, "cannot exec %s", cli);
        }
}

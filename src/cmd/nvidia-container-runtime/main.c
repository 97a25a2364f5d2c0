/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-container-runtime: the runc wrapper. Every call is handed to the
 * low-level runtime (runc, crun) unchanged, by exec; only `create` first
 * edits the bundle's config.json so that the container gets its GPUs (see
 * create.c and the modes in policy/mode.h).
 *
 * It runs on every call an engine makes for every container, GPU or not:
 * the path to the exec reads config.toml and nothing else, and prints
 * nothing on stdout, which is the runtime's (`state`, `list`). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "runtime/lowlevel.h"
#include "wrapper.h"

#ifndef NVCT_VERSION
#define NVCT_VERSION "unknown"
#endif

/* One file only (nvct_config_toolkit_path); a missing one means the
 * defaults. */
static int load_config(nvct_config *ret_config, nvct_error **err) {
        _cleanup_free_ char *path = nvct_config_toolkit_path();
        if (path == NULL)
                return nvct_error_make(err, ENOMEM, "config");
        const char *const search[] = { path, NULL };
        return nvct_config_load(NULL, search, NVCT_CONFIG_PROFILE_TOOLKIT, ret_config, err);
}

/* runc's global -v/--version (Go's flag package takes one dash or two). */
static bool wants_version(int argc, char **argv, const nvct_runtime_argv *args) {
        int end = args->subcommand_index >= 0 ? args->subcommand_index : argc;
        for (int i = 1; i < end; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0)
                        break;
                if (a[0] == '-' && a[1] == '-')
                        a++;
                if (strcmp(a, "-v") == 0 || strcmp(a, "-version") == 0)
                        return true;
        }
        return false;
}

/* A warning in the log for each config.toml key nvct does not know (a typo
 * would otherwise go unnoticed): on create only, the call that reads the
 * rest of the config; every other call pays nothing for it. */
static void log_unknown_keys(wrapper *w) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        nvct_strv keys = { 0 };
        if (w->config.source == NULL ||
            nvct_read_regular(w->config.source, "config file", NVCT_CONFIG_MAX_SIZE, true, &data,
                              &len, NULL) < 0 ||
            nvct_config_unknown_keys(data, len, w->config.source, &keys, NULL) < 0)
                return;
        _cleanup_free_ char *file_q = nvct_quote_path(w->config.source);
        for (size_t i = 0; i < keys.n; i++) {
                _cleanup_free_ char *key_q = nvct_quote(keys.v[i], strlen(keys.v[i]));
                nvct_runtime_logf(w->log, NVCT_LOG_WARNING, "%s: unknown key %s ignored",
                                  nvct_quoted(file_q), nvct_quoted(key_q));
        }
        nvct_strv_clear(&keys);
}

static int fail(wrapper *w, nvct_error **err) {
        const char *msg = *err && (*err)->msg ? (*err)->msg : "unknown error";
        nvct_runtime_logf(w->log, NVCT_LOG_ERROR, "%s", msg);
        fprintf(stderr, PROGRAM ": %s\n", msg);
        return 1;
}

int main(int argc, char **argv) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *runtime = NULL;
        wrapper w = { .argv0 = argc > 0 ? argv[0] : PROGRAM };
        int status = 1;

        nvct_runtime_argv_scan(argc, argv, &w.args);
        int r = load_config(&w.config, &err);
        /* As NVIDIA's: no log file is created for --help or --version, and
         * runc's --debug raises the level to debug. */
        nvct_runtime_log_options log_opts = {
                .debug_path = r == 0 && !w.args.help ? w.config.runtime.debug : NULL,
                .level = w.args.debug ? "debug"
                         : r == 0     ? w.config.runtime.log_level
                                      : NULL,
                .runc_log_path = w.args.help ? NULL : w.args.log,
                .runc_log_format = w.args.log_format,
        };
        _cleanup_error_ nvct_error *log_err = NULL;
        if (nvct_runtime_log_open(&log_opts, &w.log, &log_err) < 0)
                w.log = NULL; /* out of memory: run without a log */
        if (r < 0)
                goto out;
        nvct_runtime_logf(w.log, NVCT_LOG_DEBUG, "running %s with %d arguments",
                          w.args.subcommand ? w.args.subcommand : "(no command)", argc - 1);

        if (nvct_runtime_find((const char *const *)w.config.runtime.runtimes.v,
                              w.config.runtime.runtimes.n, getenv("PATH"), &runtime, &err) < 0)
                goto out;
        if (wants_version(argc, argv, &w.args)) {
                printf("NVIDIA Container Runtime (nvct) version %s\n\n", NVCT_VERSION);
                if (fflush(stdout) != 0) {
                        nvct_error_make(&err, errno, "cannot write the version");
                        goto out;
                }
        }
        if (w.args.is_create) {
                log_unknown_keys(&w);
                if (wrapper_create(&w, &err) < 0)
                        goto out;
        }

        nvct_runtime_logf(w.log, NVCT_LOG_DEBUG, "exec %s", runtime);
        /* The log's fds are O_CLOEXEC: runc opens --log itself. */
        nvct_runtime_exec(runtime, argc, argv, &err);
out:
        if (err != NULL)
                status = fail(&w, &err);
        nvct_runtime_log_close(w.log);
        nvct_config_clear(&w.config);
        return status;
}

int wrapper_find_program(const char *configured, const char *name, char **ret_path,
                         nvct_error **err) {
        if (configured != NULL && strchr(configured, '/') != NULL) {
                _cleanup_free_ char *q = nvct_quote_path(configured);
                if (configured[0] != '/')
                        return nvct_error_make(err, 0, "%s must be an absolute path",
                                               nvct_quoted(q));
                if (access(configured, X_OK) < 0)
                        return nvct_error_make(err, errno, "%s", nvct_quoted(q));
                char *copy = strdup(configured);
                if (copy == NULL)
                        return nvct_error_make(err, ENOMEM, "%s", name);
                *ret_path = copy;
                return 0;
        }
        const char *want = configured && configured[0] ? configured : name;
        /* Next to the wrapper: a package installs its programs together.
         * The kernel's link names the executable's own path already
         * (readlink, not realpath, which would readlink each component). */
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = '\0';
        char *slash = n > 0 ? strrchr(self, '/') : NULL;
        if (slash != NULL) {
                *slash = '\0';
                char *found = NULL;
                if (nvct_find_executable(want, self, &found, NULL) == 0) {
                        *ret_path = found;
                        return 0;
                }
        }
        _cleanup_free_ char *search = nvct_runtime_search_path(getenv("PATH"));
        if (search == NULL)
                return nvct_error_make(err, ENOMEM, "%s", name);
        if (nvct_find_executable(want, search, ret_path, NULL) == 0)
                return 0;
        _cleanup_free_ char *q = nvct_quote(want, strlen(want));
        _cleanup_free_ char *sq = nvct_quote_path(search);
        return nvct_error_make(err, 0, "%s not found next to " PROGRAM " nor in %s", nvct_quoted(q),
                               nvct_quoted(sq));
}

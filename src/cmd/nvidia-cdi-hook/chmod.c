/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook chmod: gives paths in the container a mode (NVIDIA's
 * specs: `--mode 755 --path /dev/dri`), through cdihook/chmod.h, which
 * resolves each path inside the root. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"
#include "basic/rootfs.h"
#include "basic/strv.h"
#include "cdihook/chmod.h"

#include "cdi-hook.h"

static nvct_strv arg_paths;
static const char *arg_mode;
static const char *arg_container_spec;

static const nvct_cli_opt options[] = {
        { "path", NULL, NVCT_CLI_STRINGS, "PATH",
          "a path in the container to give the mode (symlinks resolve inside the container); "
          "a missing one is skipped",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_paths },
        { "mode", NULL, NVCT_CLI_STRING, "MODE", "the mode, in octal (0 to 777)",
          .ret_string = &arg_mode },
        CDI_HOOK_CONTAINER_SPEC_OPTION(arg_container_spec),
};

static const char *const result_text[] = {
        [NVCT_CHMOD_CHANGED] = "mode set",
        [NVCT_CHMOD_UNCHANGED] = "already that mode",
        [NVCT_CHMOD_MISSING] = "missing: skipped",
        [NVCT_CHMOD_DENIED] = "permission denied: ignored",
};

static bool blank(const char *s) {
        return s[strspn(s, " \t\n\v\f\r")] == '\0';
}

static int run_chmod(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int root_fd = -1;
        mode_t mode;

        /* Every argument is checked before anything is read or changed. */
        if (nvct_cdihook_parse_mode(arg_mode != NULL ? arg_mode : "", &mode, &err) < 0)
                return nvct_cli_usage_error(call, &err);
        for (size_t i = 0; i < arg_paths.n; i++) {
                if (blank(arg_paths.v[i])) {
                        nvct_error_make(&err, 0, "--path: paths must not be empty");
                        return nvct_cli_usage_error(call, &err);
                }
        }

        if (load_rootfs(arg_container_spec, &rootfs, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (arg_paths.n == 0) {
                debugf("no paths given");
                return EXIT_SUCCESS;
        }
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0)
                return nvct_cli_fail(call, &err);
        for (size_t i = 0; i < arg_paths.n; i++) {
                nvct_chmod_result result;
                if (nvct_cdihook_chmod(root_fd, arg_paths.v[i], mode, &result, &err) < 0)
                        return nvct_cli_fail(call, &err);
                if (cdi_hook_debug) {
                        _cleanup_free_ char *qp = nvct_quote_path(arg_paths.v[i]);
                        debugf("%s %04o: %s", nvct_quoted(qp), (unsigned)mode, result_text[result]);
                }
        }
        return EXIT_SUCCESS;
}

const nvct_cli_command cmd_chmod = {
        .name = "chmod",
        .summary = "set the mode of paths in the container",
        .synopsis = "--mode MODE [--path PATH]...",
        .description = "Sets the mode of each path in the container's root filesystem, resolved "
                       "inside it.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = run_chmod,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook enable-cuda-compat: when the container's CUDA forward
 * compatibility libraries are newer than the host's driver, a file in its
 * /etc/ld.so.conf.d puts their folder first (cdihook/cudacompat.h). The
 * update-ldcache hook, which runs after it, builds the cache from it. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/rootfs.h"
#include "cdihook/cudacompat.h"

#include "cdi-hook.h"

static const char *arg_host_driver_version;
static const char *arg_host_cuda_version;
static const char *arg_compat_root = NVCT_CUDA_COMPAT_DEFAULT_ROOT;
static const char *arg_container_spec;

static const nvct_cli_opt options[] = {
        { "host-driver-version", NULL, NVCT_CLI_STRING, "VERSION",
          "the host's driver version (570.86.15): compat libraries of a newer branch are used",
          .ret_string = &arg_host_driver_version },
        { "host-cuda-version", NULL, NVCT_CLI_STRING, "VERSION",
          "the CUDA version the host's driver supports (12.8), compared with the library's "
          "ELF note",
          .ret_string = &arg_host_cuda_version },
        { "cuda-compat-container-root", NULL, NVCT_CLI_STRING, "DIR",
          "the folder of the compat libraries in the container "
          "(default: " NVCT_CUDA_COMPAT_DEFAULT_ROOT ")",
          .ret_string = &arg_compat_root },
        CDI_HOOK_CONTAINER_SPEC_OPTION(arg_container_spec),
};

static bool empty(const char *s) {
        return s == NULL || s[0] == '\0';
}

static int run_enable_cuda_compat(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *rootfs = NULL, *folder = NULL, *conf = NULL;
        _cleanup_close_ int root_fd = -1;

        /* The folder becomes a line of ld.so.conf.d: one absolute path. */
        if (arg_compat_root[0] != '/' || strchr(arg_compat_root, '\n') != NULL ||
            strlen(arg_compat_root) >= PATH_MAX) {
                _cleanup_free_ char *qr = nvct_quote_path(arg_compat_root);
                nvct_error_make(&err, 0,
                                "--cuda-compat-container-root %s must be an absolute path in the "
                                "container",
                                nvct_quoted(qr));
                return nvct_cli_usage_error(call, &err);
        }
        /* Neither version: nothing to compare with, as NVIDIA's hook. */
        if (empty(arg_host_driver_version) && empty(arg_host_cuda_version)) {
                debugf("neither --host-driver-version nor --host-cuda-version: nothing to do");
                return EXIT_SUCCESS;
        }
        folder = nvct_go_clean_path(arg_compat_root, strlen(arg_compat_root), NULL);
        if (folder == NULL) {
                nvct_error_make(&err, ENOMEM, "enable-cuda-compat");
                return nvct_cli_fail(call, &err);
        }
        if (load_rootfs(arg_container_spec, &rootfs, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0)
                return nvct_cli_fail(call, &err);
        bool use;
        if (nvct_cuda_compat_check(root_fd, folder, arg_host_driver_version, arg_host_cuda_version,
                                   debug_warn, NULL, &use, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (!use)
                return EXIT_SUCCESS;
        if (nvct_cuda_compat_write_conf(root_fd, folder, &conf, &err) < 0)
                return nvct_cli_fail(call, &err);
        debugf("%s/%s lists %s", NVCT_LDSOCONFD, conf, folder);
        return EXIT_SUCCESS;
}

const nvct_cli_command cmd_enable_cuda_compat = {
        .name = "enable-cuda-compat",
        .summary = "put the container's CUDA compat libraries first when the host's driver is "
                   "older",
        .synopsis = "[--host-driver-version VERSION] [--host-cuda-version VERSION] "
                    "[--cuda-compat-container-root DIR]",
        .description = "When the container's CUDA forward compatibility libraries are newer than "
                       "the host's driver,\nwrites " NVCT_LDSOCONFD "/" NVCT_CUDA_COMPAT_CONF_PREFIX
                       "N" NVCT_LDSOCONF_SUFFIX " in the container, listing their folder.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = run_enable_cuda_compat,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook update-ldcache: runs the host's ldconfig with the
 * container's root as "/" (cdihook/ldconfig.h's sandbox). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"
#include "basic/strv.h"
#include "basic/rootfs.h"
#include "cdihook/ldconfig.h"
#include "cdihook/ldsoconf.h"

#include "cdi-hook.h"

#define DEFAULT_LDCONFIG "/sbin/ldconfig"

static nvct_strv arg_folders;
static const char *arg_ldconfig_path = DEFAULT_LDCONFIG;
static const char *arg_container_spec;

static const nvct_cli_opt options[] = {
        { "folder", NULL, NVCT_CLI_STRINGS, "DIR",
          "a folder in the container to add to the ld cache; skipped when missing",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_folders },
        { "ldconfig-path", NULL, NVCT_CLI_STRING, "PATH",
          "the host's ldconfig, a static executable (default: " DEFAULT_LDCONFIG
          "; PATH.real when it exists)",
          .ret_string = &arg_ldconfig_path },
        CDI_HOOK_CONTAINER_SPEC_OPTION(arg_container_spec),
};

/* NVIDIA's NormalizeLDConfigPath: a leading '@' marks a host path (all of
 * ours are), and where PATH.real exists it is the binary (Ubuntu's
 * /sbin/ldconfig is a shell script around /sbin/ldconfig.real). */
static char *ldconfig_binary(const char *path) {
        if (path[0] == '@')
                path++;
        size_t len = strlen(path);
        const char *suffix = ".real";
        size_t slen = strlen(suffix);
        if (len >= slen && strcmp(path + len - slen, suffix) == 0)
                len -= slen;
        char *real = NULL;
        if (asprintf(&real, "%.*s.real", (int)len, path) < 0)
                return NULL;
        struct stat st;
        if (stat(real, &st) == 0)
                return real;
        free(real);
        return nvct_memdup0(path, len);
}

static int update_ldcache(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_free_ char *ldconfig = NULL;

        /* A relative ldconfig path would be looked up from the working
         * directory: the bundle, which holds the image's root. */
        const char *bare = arg_ldconfig_path[0] == '@' ? arg_ldconfig_path + 1 : arg_ldconfig_path;
        if (bare[0] != '/') {
                _cleanup_free_ char *ql = quote(arg_ldconfig_path);
                nvct_error_make(&err, 0, "--ldconfig-path %s must be an absolute host path",
                                ql ? ql : "");
                return nvct_cli_usage_error(call, &err);
        }
        for (size_t i = 0; i < arg_folders.n; i++) {
                if (arg_folders.v[i][0] != '/') {
                        _cleanup_free_ char *qf = quote(arg_folders.v[i]);
                        nvct_error_make(&err, 0,
                                        "--folder %s must be an absolute path in the container",
                                        qf ? qf : "");
                        return nvct_cli_usage_error(call, &err);
                }
        }

        ldconfig = ldconfig_binary(arg_ldconfig_path);
        if (ldconfig == NULL) {
                nvct_error_make(&err, ENOMEM, "update-ldcache");
                return nvct_cli_fail(call, &err);
        }
        if (load_rootfs(arg_container_spec, &rootfs, &err) < 0)
                return nvct_cli_fail(call, &err);
        static const char *const none[] = { NULL };
        const char *const *folders = arg_folders.n > 0 ? (const char *const *)arg_folders.v : none;
        _cleanup_free_ const char **existing = NULL;
        _cleanup_free_ char *conf = NULL;
        _cleanup_close_ int root_fd = -1;
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0 ||
            nvct_ldconfig_existing_folders(root_fd, rootfs, folders, &existing, &err) < 0)
                return nvct_cli_fail(call, &err);
        /* As NVIDIA's hook: the folders go in /etc/ld.so.conf.d/00-nvcr-N.conf
         * when ldconfig reads that folder, so that the CUDA compat folder of
         * enable-cuda-compat (00-compat-N.conf) comes before them in the
         * cache; folders given to ldconfig as arguments come before every
         * configured one. Where the image's ld.so.conf does not include
         * ld.so.conf.d, they are arguments. */
        if (existing[0] != NULL && nvct_ldsoconf_includes_confd(root_fd)) {
                size_t n = 0;
                while (existing[n] != NULL)
                        n++;
                int r = nvct_ldsoconf_write(root_fd, NVCT_LDSOCONF_NVCR_PREFIX, existing, n, false,
                                            &conf, &err);
                if (r < 0 && r != -ENOENT)
                        return nvct_cli_fail(call, &err);
                if (r == 0) {
                        debugf("%s/%s lists the %zu folder(s)", NVCT_LDSOCONFD, conf, n);
                        folders = none;
                }
        }
        if (cdi_hook_debug) {
                _cleanup_free_ char *qr = nvct_quote_path(rootfs);
                _cleanup_free_ char *ql = nvct_quote_path(ldconfig);
                debugf("%s: running %s, %zu folder(s) as arguments", nvct_quoted(qr),
                       nvct_quoted(ql), folders == none ? 0 : arg_folders.n);
        }
        if (nvct_ldconfig_run(rootfs, ldconfig, folders, &err) < 0)
                return nvct_cli_fail(call, &err);
        return EXIT_SUCCESS;
}

const nvct_cli_command cmd_update_ldcache = {
        .name = "update-ldcache",
        .summary = "update the container's ld cache with ldconfig",
        .synopsis = "[--folder DIR]... [--ldconfig-path PATH]",
        .description = "Runs the host's ldconfig with the container's root as its root, so "
                       "that the container's\n/etc/ld.so.cache lists the libraries in the "
                       "given folders (listed in\n/etc/ld.so.conf.d/00-nvcr-N.conf when the "
                       "image's ld.so.conf includes that folder).",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = update_ldcache,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook create-symlinks: makes the driver's symlinks in the
 * container's root, through rootfs.h, which never lets a path leave it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/quote.h"
#include "basic/rootfs.h"
#include "basic/strv.h"

#include "cdi-hook.h"

static nvct_strv arg_links;
static const char *arg_container_spec;

static const nvct_cli_opt options[] = {
        { "link", NULL, NVCT_CLI_STRINGS, "TARGET::LINK",
          "make LINK (an absolute path in the container) a symlink to TARGET; an "
          "existing file or symlink there is replaced",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_links },
        { "container-spec", NULL, NVCT_CLI_STRING, "PATH",
          "read the container state from PATH instead of stdin ('-': stdin)",
          .ret_string = &arg_container_spec },
};

typedef struct link_spec {
        char *target; /* the symlink's content, as given */
        const char *link;
} link_spec;

/* "TARGET::LINK", split as NVIDIA's strings.Split(s, "::") with exactly two
 * parts. TARGET is what the link will hold (relative or absolute, resolved
 * later by the container); LINK is a path in the container. */
static int parse_link(const char *s, link_spec *ret, nvct_error **err) {
        _cleanup_free_ char *qs = quote(s);
        const char *sep = strstr(s, "::");
        if (sep == NULL || strstr(sep + 2, "::") != NULL)
                return nvct_error_make(err, 0, "invalid --link %s: expected TARGET::LINK",
                                       qs ? qs : "");
        const char *link = sep + 2;
        if (sep == s || link[0] == '\0')
                return nvct_error_make(err, 0, "invalid --link %s: empty TARGET or LINK",
                                       qs ? qs : "");
        if (link[0] != '/')
                return nvct_error_make(err, 0,
                                       "invalid --link %s: LINK must be an absolute path in the "
                                       "container",
                                       qs ? qs : "");
        char *target = nvct_memdup0(s, (size_t)(sep - s));
        if (target == NULL)
                return nvct_error_make(err, ENOMEM, "invalid --link");
        ret->target = target;
        ret->link = link;
        return 0;
}

static int create_symlinks(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ link_spec *specs = NULL;
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int root_fd = -1;
        int status = EXIT_FAILURE;
        size_t n_specs = 0;

        /* Every --link is checked before anything is read or changed. */
        specs = calloc(arg_links.n + 1, sizeof(*specs));
        if (specs == NULL) {
                nvct_error_make(&err, ENOMEM, "create-symlinks");
                return nvct_cli_fail(call, &err);
        }
        for (size_t i = 0; i < arg_links.n; i++) {
                if (parse_link(arg_links.v[i], &specs[i], &err) < 0) {
                        status = nvct_cli_usage_error(call, &err);
                        goto out;
                }
                n_specs++;
        }

        if (load_rootfs(arg_container_spec, &rootfs, &err) < 0)
                goto out;
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0)
                goto out;
        for (size_t i = 0; i < n_specs; i++) {
                if (nvct_rootfs_symlink(root_fd, specs[i].target, specs[i].link, &err) < 0)
                        goto out;
                if (cdi_hook_debug) {
                        _cleanup_free_ char *qr = nvct_quote_path(rootfs);
                        _cleanup_free_ char *ql = nvct_quote_path(specs[i].link);
                        _cleanup_free_ char *qt = nvct_quote_path(specs[i].target);
                        debugf("%s: %s -> %s", nvct_quoted(qr), nvct_quoted(ql), nvct_quoted(qt));
                }
        }
        status = EXIT_SUCCESS;
out:
        if (err != NULL)
                status = nvct_cli_fail(call, &err);
        for (size_t i = 0; i < n_specs; i++)
                free(specs[i].target);
        return status;
}

const nvct_cli_command cmd_create_symlinks = {
        .name = "create-symlinks",
        .summary = "create symlinks in the container",
        .synopsis = "[--link TARGET::LINK]...",
        .description = "Creates symlinks in the container's root filesystem.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = create_symlinks,
};

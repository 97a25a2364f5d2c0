/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook create-symlinks: makes the driver's symlinks in the
 * container's root, through rootfs.h, which never lets a path leave it. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "basic/quote.h"
#include "basic/rootfs.h"
#include "basic/strv.h"

#include "cdi-hook.h"

static nvct_strv arg_links;
static nvct_strv arg_csv_files;
static const char *arg_host_root;
static const char *arg_container_spec;

static const nvct_cli_opt options[] = {
        { "link", NULL, NVCT_CLI_STRINGS, "TARGET::LINK",
          "make LINK (an absolute path in the container) a symlink to TARGET; an "
          "existing file or symlink there is replaced",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_links },
        { "host-root", NULL, NVCT_CLI_STRING, "DIR",
          "the host's driver root (NVIDIA's 1.16 and older): a LINK or CSV path under it is "
          "taken relative to it",
          .ret_string = &arg_host_root },
        { "csv-filename", NULL, NVCT_CLI_STRINGS, "FILE",
          "a host CSV mount spec (NVIDIA's 1.16 and older, Tegra): each 'sym, PATH' line's "
          "symlink chain on the host is made in the container",
          .flags = NVCT_CLI_SPLIT_COMMAS, .ret_strings = &arg_csv_files },
        CDI_HOOK_CONTAINER_SPEC_OPTION(arg_container_spec),
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

/* --host-root: a path under it is that path in the container (NVIDIA's
 * changeRoot); any other path is taken as it is, inside the root. */
static const char *under_host_root(const char *path) {
        if (arg_host_root == NULL || arg_host_root[0] == '\0')
                return path;
        size_t len = strlen(arg_host_root);
        while (len > 1 && arg_host_root[len - 1] == '/')
                len--;
        if (len == 1) /* "/" */
                return path;
        if (strncmp(path, arg_host_root, len) == 0 && (path[len] == '/' || path[len] == '\0'))
                return path[len] == '\0' ? "/" : path + len;
        return path;
}

/* Lines of a CSV mount spec read, and bytes of one: NVIDIA's Tegra files
 * have a few hundred lines. */
#define CSV_MAX_SIZE (1u << 20)

/* One 'sym' entry: the chain of symlinks at PATH on the host (under
 * --host-root), each made in the container with the same content, as
 * NVIDIA's 1.16 hook does. Failures to read the host are skipped, as there;
 * a failure to make a link in the container is an error. */
static int csv_sym_chain(int root_fd, const char *path, nvct_error **err) {
        _cleanup_free_ char *cur = strdup(path);
        if (cur == NULL)
                return nvct_error_make(err, ENOMEM, "create-symlinks");
        const char *host_root = arg_host_root != NULL ? arg_host_root : "";
        for (int i = 0; i < NVCT_ROOTFS_MAX_SYMLINKS; i++) {
                _cleanup_free_ char *host_path = NULL;
                if (asprintf(&host_path, "%s%s", host_root, cur) < 0)
                        return nvct_error_make(err, ENOMEM, "create-symlinks");
                char target[PATH_MAX];
                ssize_t n = readlink(host_path, target, sizeof(target) - 1);
                if (n <= 0)
                        return 0; /* not a symlink (the chain's end), or unreadable */
                target[n] = '\0';
                if (nvct_rootfs_symlink(root_fd, target, cur, err) < 0)
                        return -1;
                debugf("%s -> %s (from a CSV file)", cur, target);
                _cleanup_free_ char *next = NULL;
                if (target[0] == '/') {
                        next = strdup(target);
                } else {
                        const char *slash = strrchr(cur, '/');
                        if (asprintf(&next, "%.*s/%s", (int)(slash - cur), cur, target) < 0)
                                next = NULL;
                }
                if (next == NULL)
                        return nvct_error_make(err, ENOMEM, "create-symlinks");
                free(cur);
                cur = nvct_go_clean_path(next, strlen(next), NULL);
                if (cur == NULL)
                        return nvct_error_make(err, ENOMEM, "create-symlinks");
        }
        return 0;
}

/* A CSV mount spec (the host's: named by the spec, written by the admin):
 * "TYPE, PATH" lines, '#' comments; only 'sym' lines make links. A missing
 * or unreadable file is skipped, as NVIDIA's hook skips it. */
static int csv_links(int root_fd, const char *file, nvct_error **err) {
        _cleanup_free_ char *data = NULL;
        _cleanup_error_ nvct_error *read_err = NULL;
        size_t len;
        if (nvct_read_regular(file, "CSV file", CSV_MAX_SIZE, false, &data, &len, &read_err) < 0) {
                debugf("skipping %s", read_err->msg);
                return 0;
        }
        for (char *line = data, *next; line != NULL && *line != '\0'; line = next) {
                next = strchr(line, '\n');
                if (next != NULL)
                        *next++ = '\0';
                char *comma = strchr(line, ',');
                if (comma == NULL)
                        continue;
                *comma = '\0';
                char *type = line + strspn(line, " \t\r"), *path = comma + 1;
                path += strspn(path, " \t\r");
                for (char *e = comma; e > type && strchr(" \t\r", e[-1]) != NULL; e--)
                        e[-1] = '\0';
                size_t plen = strlen(path);
                while (plen > 0 && strchr(" \t\r", path[plen - 1]) != NULL)
                        path[--plen] = '\0';
                if (type[0] == '#' || strcmp(type, "sym") != 0 || path[0] != '/')
                        continue;
                if (csv_sym_chain(root_fd, under_host_root(path), err) < 0)
                        return -1;
        }
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

        if (arg_host_root != NULL && arg_host_root[0] != '\0' && arg_host_root[0] != '/') {
                _cleanup_free_ char *qh = quote(arg_host_root);
                nvct_error_make(&err, 0, "--host-root %s must be an absolute host path",
                                qh ? qh : "");
                status = nvct_cli_usage_error(call, &err);
                goto out;
        }

        if (load_rootfs(arg_container_spec, &rootfs, &err) < 0)
                goto out;
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0)
                goto out;
        for (size_t i = 0; i < arg_csv_files.n; i++)
                if (csv_links(root_fd, arg_csv_files.v[i], &err) < 0)
                        goto out;
        for (size_t i = 0; i < n_specs; i++) {
                const char *link = under_host_root(specs[i].link);
                if (nvct_rootfs_symlink(root_fd, specs[i].target, link, &err) < 0)
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
        .synopsis = "[--link TARGET::LINK]... [--host-root DIR] [--csv-filename FILE]...",
        .description = "Creates symlinks in the container's root filesystem.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = create_symlinks,
};

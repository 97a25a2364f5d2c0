/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook: the createContainer hooks a CDI spec from `nvidia-ctk cdi
 * generate` names. `create-symlinks` makes the driver's symlinks in the
 * container, `update-ldcache` runs the host's ldconfig with the container's
 * root as "/". The runtime runs them as root, with the container state on
 * stdin, against a root filesystem the image's author built: all the work
 * inside it goes through rootfs.h, which never lets a path leave it. Names
 * and flags are NVIDIA's, so that specs it generated work unchanged. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/args.h"
#include "basic/cleanup.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/gocompat.h"
#include "oci/bundle.h"
#include "oci/oci.h"
#include "basic/quote.h"
#include "basic/rootfs.h"
#include "cdihook/ldconfig.h"

#ifndef NVCT_VERSION
#define NVCT_VERSION "unknown"
#endif

#define PROGRAM "nvidia-cdi-hook"
#include "cmd/cli.h"

#define DEFAULT_LDCONFIG "/sbin/ldconfig"

static bool debug;

static void debugf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void debugf(const char *fmt, ...) {
        if (!debug)
                return;
        va_list ap;
        va_start(ap, fmt);
        fputs(PROGRAM ": ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

static char *quote(const char *s) {
        return nvct_quote(s, strlen(s));
}

/* ---- the container's root ---- */

/* The container's root on the host: root.path of the bundle's config.json,
 * relative to the bundle unless absolute (as runc takes it). The state comes
 * from stdin, or from `state_path` (NVIDIA's --container-spec: a file
 * holding the state, "-" or "" for stdin). */
static int load_rootfs(const char *state_path, char **ret_rootfs, nvct_error **err) {
        _cleanup_close_ int file_fd = -1;
        int fd = STDIN_FILENO;
        const char *where = "on stdin";

        if (state_path != NULL && state_path[0] != '\0' && strcmp(state_path, "-") != 0) {
                size_t size;
                if (nvct_open_regular(state_path, "container state", NVCT_STATE_MAX_SIZE, false,
                                      &file_fd, &size, err) < 0)
                        return -1;
                fd = file_fd;
                where = "in the --container-spec file";
        }
        return nvct_bundle_read_rootfs(fd, where, ret_rootfs, err);
}

/* ---- create-symlinks ---- */

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

static int create_symlinks(int argc, char **argv, int first) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_(nvct_strv_free) nvct_strv links = { 0 };
        _cleanup_free_ link_spec *specs = NULL;
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int root_fd = -1;
        const char *container_spec = NULL;
        bool want_help = false;
        int next = 0;
        int status = EXIT_FAILURE;
        size_t n_specs = 0;
        const nvct_opt opts[] = {
                { "link", NULL, NVCT_OPT_STRINGS, "TARGET::LINK",
                  "make LINK (an absolute path in the container) a symlink to TARGET; an "
                  "existing file or symlink there is replaced",
                  .split_commas = true, .ret_strings = &links },
                { "container-spec", NULL, NVCT_OPT_STRING, "PATH",
                  "read the container state from PATH instead of stdin ('-': stdin)",
                  .ret_string = &container_spec },
        };

        if (nvct_args_parse(argc, argv, first, opts, ARRAY_SIZE(opts), &want_help, &next, &err) < 0)
                return usage_error("create-symlinks", &err);
        if (want_help)
                return help("create-symlinks [--link TARGET::LINK]...",
                            "Creates symlinks in the container's root filesystem.", opts,
                            ARRAY_SIZE(opts));
        if (next < argc) {
                _cleanup_free_ char *qa = quote(argv[next]);
                nvct_error_make(&err, 0, "unexpected argument %s", qa ? qa : "");
                return usage_error("create-symlinks", &err);
        }
        /* Every --link is checked before anything is read or changed. */
        specs = calloc(links.n + 1, sizeof(*specs));
        if (specs == NULL) {
                nvct_error_make(&err, ENOMEM, "create-symlinks");
                return fail(&err);
        }
        for (size_t i = 0; i < links.n; i++) {
                if (parse_link(links.v[i], &specs[i], &err) < 0) {
                        status = usage_error("create-symlinks", &err);
                        goto out;
                }
                n_specs++;
        }

        if (load_rootfs(container_spec, &rootfs, &err) < 0)
                goto out;
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0)
                goto out;
        for (size_t i = 0; i < n_specs; i++) {
                if (nvct_rootfs_symlink(root_fd, specs[i].target, specs[i].link, &err) < 0)
                        goto out;
                if (debug) {
                        _cleanup_free_ char *qr = nvct_quote_path(rootfs);
                        _cleanup_free_ char *ql = nvct_quote_path(specs[i].link);
                        _cleanup_free_ char *qt = nvct_quote_path(specs[i].target);
                        debugf("%s: %s -> %s", nvct_quoted(qr), nvct_quoted(ql), nvct_quoted(qt));
                }
        }
        status = EXIT_SUCCESS;
out:
        if (err != NULL)
                status = fail(&err);
        for (size_t i = 0; i < n_specs; i++)
                free(specs[i].target);
        return status;
}

/* ---- update-ldcache ---- */

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

static int update_ldcache(int argc, char **argv, int first) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_(nvct_strv_free) nvct_strv folders = { 0 };
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_free_ char *ldconfig = NULL;
        const char *ldconfig_path = DEFAULT_LDCONFIG;
        const char *container_spec = NULL;
        bool want_help = false;
        int next = 0;
        const nvct_opt opts[] = {
                { "folder", NULL, NVCT_OPT_STRINGS, "DIR",
                  "a folder in the container to add to the ld cache; skipped when missing",
                  .split_commas = true, .ret_strings = &folders },
                { "ldconfig-path", NULL, NVCT_OPT_STRING, "PATH",
                  "the host's ldconfig, a static executable (default: " DEFAULT_LDCONFIG
                  "; PATH.real when it exists)",
                  .ret_string = &ldconfig_path },
                { "container-spec", NULL, NVCT_OPT_STRING, "PATH",
                  "read the container state from PATH instead of stdin ('-': stdin)",
                  .ret_string = &container_spec },
        };

        if (nvct_args_parse(argc, argv, first, opts, ARRAY_SIZE(opts), &want_help, &next, &err) < 0)
                return usage_error("update-ldcache", &err);
        if (want_help)
                return help("update-ldcache [--folder DIR]... [--ldconfig-path PATH]",
                            "Runs the host's ldconfig with the container's root as its root, so "
                            "that the container's\n/etc/ld.so.cache lists the libraries in the "
                            "given folders.",
                            opts, ARRAY_SIZE(opts));
        if (next < argc) {
                _cleanup_free_ char *qa = quote(argv[next]);
                nvct_error_make(&err, 0, "unexpected argument %s", qa ? qa : "");
                return usage_error("update-ldcache", &err);
        }
        /* A relative ldconfig path would be looked up from the working
         * directory: the bundle, which holds the image's root. */
        const char *bare = ldconfig_path[0] == '@' ? ldconfig_path + 1 : ldconfig_path;
        if (bare[0] != '/') {
                _cleanup_free_ char *ql = quote(ldconfig_path);
                nvct_error_make(&err, 0, "--ldconfig-path %s must be an absolute host path",
                                ql ? ql : "");
                return usage_error("update-ldcache", &err);
        }
        for (size_t i = 0; i < folders.n; i++) {
                if (folders.v[i][0] != '/') {
                        _cleanup_free_ char *qf = quote(folders.v[i]);
                        nvct_error_make(&err, 0,
                                        "--folder %s must be an absolute path in the container",
                                        qf ? qf : "");
                        return usage_error("update-ldcache", &err);
                }
        }

        ldconfig = ldconfig_binary(ldconfig_path);
        if (ldconfig == NULL) {
                nvct_error_make(&err, ENOMEM, "update-ldcache");
                return fail(&err);
        }
        if (load_rootfs(container_spec, &rootfs, &err) < 0)
                return fail(&err);
        if (debug) {
                _cleanup_free_ char *qr = nvct_quote_path(rootfs);
                _cleanup_free_ char *ql = nvct_quote_path(ldconfig);
                debugf("%s: running %s for %zu folder(s)", nvct_quoted(qr), nvct_quoted(ql),
                       folders.n);
        }
        static const char *const none[] = { NULL };
        if (nvct_ldconfig_run(rootfs, ldconfig,
                              folders.n > 0 ? (const char *const *)folders.v : none, &err) < 0)
                return fail(&err);
        return EXIT_SUCCESS;
}

/* ---- main ---- */

static const char main_description[] =
        "The createContainer hooks of NVIDIA CDI specs. Commands:\n"
        "  create-symlinks   create symlinks in the container\n"
        "  update-ldcache    update the container's ld cache with ldconfig";

int main(int argc, char **argv) {
        _cleanup_error_ nvct_error *err = NULL;
        bool want_help = false, version = false, quiet = false;
        int next = 0;
        const nvct_opt opts[] = {
                { "debug", "d", NVCT_OPT_BOOL, NULL, "print what the hook does on stderr",
                  .ret_bool = &debug },
                { "quiet", NULL, NVCT_OPT_BOOL, NULL,
                  "accepted for compatibility: only errors are printed anyway",
                  .ret_bool = &quiet },
                { "version", "v", NVCT_OPT_BOOL, NULL, "print the version and exit",
                  .ret_bool = &version },
        };

        /* The runtime may start us with SIGCHLD ignored; ldconfig's exit
         * status would then be lost to the kernel's auto-reaping. Nothing
         * else of the environment is used: no variable is read, and
         * ldconfig gets an empty environment. */
        signal(SIGCHLD, SIG_DFL);

        if (nvct_args_parse(argc, argv, 1, opts, ARRAY_SIZE(opts), &want_help, &next, &err) < 0)
                return usage_error("", &err);
        if (want_help)
                return help("[--debug] COMMAND [OPTIONS]", main_description, opts,
                            ARRAY_SIZE(opts));
        if (version) {
                printf(PROGRAM " (nvct) %s\n", NVCT_VERSION);
                return EXIT_SUCCESS;
        }
        if (next >= argc) {
                nvct_error_make(&err, 0, "no command given");
                return usage_error("", &err);
        }
        const char *command = argv[next];
        if (strcmp(command, "create-symlinks") == 0)
                return create_symlinks(argc, argv, next + 1);
        if (strcmp(command, "update-ldcache") == 0)
                return update_ldcache(argc, argv, next + 1);
        if (strcmp(command, "help") == 0)
                return help("[--debug] COMMAND [OPTIONS]", main_description, opts,
                            ARRAY_SIZE(opts));
        _cleanup_free_ char *qc = quote(command);
        nvct_error_make(&err, 0, "unknown command %s", qc ? qc : "");
        return usage_error("", &err);
}

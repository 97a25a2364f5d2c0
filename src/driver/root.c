/* SPDX-License-Identifier: Apache-2.0 */
/* Where a driver root holds the driver's files. Every lookup resolves inside
 * the root (nvct_rootfs_open), so that an absolute symlink of a driver
 * container's tree points into that tree, never at the host's own files. */
#define _GNU_SOURCE
#include "root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/quote.h"
#include "basic/rootfs.h"

const char *const nvct_driver_libraries[] = {
        /* utility */
        "libnvidia-ml",
        "libnvidia-cfg",
        "libnvidia-nscq",
        /* compute */
        "libcuda",
        "libcudadebugger",
        "libnvidia-opencl",
        "libnvidia-gpucomp",
        "libnvidia-ptxjitcompiler",
        "libnvidia-fatbinaryloader",
        "libnvidia-allocator",
        "libnvidia-compiler",
        "libnvidia-pkcs11",
        "libnvidia-pkcs11-openssl3",
        "libnvidia-nvvm",
        /* video */
        "libvdpau_nvidia",
        "libnvidia-encode",
        "libnvidia-opticalflow",
        "libnvcuvid",
        /* graphics */
        "libnvidia-eglcore",
        "libnvidia-glcore",
        "libnvidia-tls",
        "libnvidia-glsi",
        "libnvidia-fbc",
        "libnvidia-ifr",
        "libnvidia-rtcore",
        "libnvoptix",
        "libGLX_nvidia",
        "libEGL_nvidia",
        "libGLESv2_nvidia",
        "libGLESv1_CM_nvidia",
        "libnvidia-glvkspirv",
        "libnvidia-cbl",
        /* ngx */
        "libnvidia-ngx",
        NULL,
};

const char *const nvct_driver_binaries[] = {
        "nvidia-smi",
        "nvidia-debugdump",
        "nvidia-persistenced",
        "nvidia-cuda-mps-control",
        "nvidia-cuda-mps-server",
        NULL,
};

/* Where binaries are looked for, first match wins. */
static const char *const binary_dirs[] = {
        "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin",
};

/* Library directories searched, after the caller's, when the root has no
 * ld.so.cache or a library is not in it. */
static const char *const default_library_dirs[] = {
        "/usr/lib64",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/lib64",
        "/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu",
        "/usr/lib",
        "/lib",
};

/* Sockets and pipe directories of the driver's daemons. */
static const struct {
        const char *path;
        mode_t type;
        const char *what;
} ipc_paths[] = {
        { "/run/nvidia-persistenced/socket", S_IFSOCK, "socket" },
        { "/run/nvidia-fabricmanager/socket", S_IFSOCK, "socket" },
        { "/tmp/nvidia-mps", S_IFDIR, "directory" },
};

static int oom(nvct_error **err) {
        return nvct_error_make(err, ENOMEM, "driver root");
}

/* Adds a copy of `s` to `list` unless it holds it already. */
static int add_unique(nvct_strv *list, const char *s, nvct_error **err) {
        if (nvct_strv_contains(list, s))
                return 0;
        return nvct_strv_add(list, s) < 0 ? oom(err) : 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

char *nvct_driver_root_host_path(const nvct_driver_root *root, const char *path) {
        char *s = NULL;
        if (asprintf(&s, "%s%s", root->prefix, path) < 0)
                return NULL;
        return s;
}

/* An error about `path` in the root: the host path, quoted. */
static int path_error(const nvct_driver_root *root, nvct_error **err, int errno_,
                      const char *before, const char *path, const char *after) {
        _cleanup_free_ char *host_path = nvct_driver_root_host_path(root, path);
        _cleanup_free_ char *q = host_path != NULL ? nvct_quote_path(host_path) : NULL;
        return nvct_error_make(err, errno_, "%s%s%s", before, nvct_quoted(q), after);
}

void nvct_driver_root_clear(nvct_driver_root *root) {
        free(root->path);
        free(root->prefix);
        if (root->fd >= 0)
                close(root->fd);
        free(root->real);
        if (root->have_cache)
                nvct_ldcache_clear(&root->cache);
        nvct_strv_clear(&root->library_dirs);
        *root = (nvct_driver_root){ .fd = -1 };
}

static int open_paths(nvct_driver_root *r, const char *root, nvct_error **err) {
        if (root == NULL || root[0] != '/') {
                _cleanup_free_ char *q = nvct_quote(root ? root : "", root ? strlen(root) : 0);
                return nvct_error_make(err, 0, "the driver root must be an absolute path, not %s",
                                       nvct_quoted(q));
        }
        size_t len = strlen(root);
        while (len > 0 && root[len - 1] == '/')
                len--;
        r->path = strdup(root);
        r->prefix = nvct_memdup0(root, len);
        if (r->path == NULL || r->prefix == NULL)
                return oom(err);
        if (nvct_rootfs_open_root(root, &r->fd, err) < 0)
                return nvct_error_prefix(err, "driver root");
        r->real = realpath(root, NULL);
        if (r->real == NULL) {
                _cleanup_free_ char *q = nvct_quote_path(root);
                return nvct_error_make(err, errno, "driver root %s", nvct_quoted(q));
        }
        return 0;
}

int nvct_driver_root_open(const char *root, const char *const *library_search_paths,
                          nvct_driver_root *ret_root, nvct_error **err) {
        nvct_driver_root r = { .fd = -1 };
        _cleanup_free_ char *cache_path = NULL;
        if (open_paths(&r, root, err) < 0)
                goto fail;
        cache_path = nvct_driver_root_host_path(&r, "/etc/ld.so.cache");
        if (cache_path == NULL) {
                oom(err);
                goto fail;
        }
        int c = nvct_ldcache_load(cache_path, true, &r.cache, err);
        if (c < 0 && c != -ENOENT)
                goto fail;
        r.have_cache = c == 0;
        for (const char *const *p = library_search_paths; p != NULL && *p != NULL; p++) {
                if ((*p)[0] != '/') {
                        _cleanup_free_ char *q = nvct_quote(*p, strlen(*p));
                        nvct_error_make(err, 0,
                                        "a library search path must be absolute (a path in the "
                                        "driver root), not %s",
                                        nvct_quoted(q));
                        goto fail;
                }
                if (add_unique(&r.library_dirs, *p, err) < 0)
                        goto fail;
        }
        for (size_t i = 0; i < ARRAY_SIZE(default_library_dirs); i++)
                if (add_unique(&r.library_dirs, default_library_dirs[i], err) < 0)
                        goto fail;
        *ret_root = r;
        return 0;
fail:
        nvct_driver_root_clear(&r);
        return -1;
}

int nvct_driver_root_resolve(const nvct_driver_root *root, const char *path, char **ret_path,
                             struct stat *ret_st, nvct_error **err) {
        _cleanup_close_ int fd = -1;
        _cleanup_error_ nvct_error *local = NULL;
        if (nvct_rootfs_open(root->fd, path, O_PATH, &fd, &local) < 0) {
                int status = local != NULL ? local->status : 0;
                if (status == ENOENT || status == ENOTDIR || status == ELOOP)
                        return -ENOENT;
                /* The first error wins: one already in *err stays, and a NULL
                 * err is allowed (this assigned *err unconditionally). */
                if (err != NULL && *err == NULL)
                        *err = TAKE_PTR(local);
                return -1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return path_error(root, err, errno, "cannot stat ", path, "");
        char proc[64], real[PATH_MAX];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, real, sizeof(real) - 1);
        if (n < 0)
                return path_error(root, err, errno, "cannot resolve ", path, "");
        real[n] = '\0';
        size_t rlen = strlen(root->real);
        const char *inside = real;
        if (rlen > 1) {
                if (strncmp(real, root->real, rlen) != 0 ||
                    (real[rlen] != '/' && real[rlen] != '\0'))
                        return path_error(root, err, 0, "", path,
                                          " resolves outside the driver root");
                inside = real + rlen;
        }
        char *p = strdup(inside[0] ? inside : "/");
        if (p == NULL)
                return oom(err);
        *ret_path = p;
        *ret_st = st;
        return 0;
}

/* `path` resolved, when it is a regular file: 0, or -ENOENT. */
static int resolve_regular(const nvct_driver_root *root, const char *path, char **ret_path,
                           nvct_error **err) {
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        int r = nvct_driver_root_resolve(root, path, &resolved, &st, err);
        if (r < 0)
                return r;
        if (!S_ISREG(st.st_mode))
                return -ENOENT;
        *ret_path = TAKE_PTR(resolved);
        return 0;
}

/* The first library directory holding the regular file `name`. */
static int find_in_library_dirs(const nvct_driver_root *root, const char *name, char **ret_path,
                                nvct_error **err) {
        for (size_t i = 0; i < root->library_dirs.n; i++) {
                _cleanup_free_ char *candidate = NULL;
                if (asprintf(&candidate, "%s/%s", root->library_dirs.v[i], name) < 0)
                        return oom(err);
                int r = resolve_regular(root, candidate, ret_path, err);
                if (r != -ENOENT)
                        return r;
        }
        return -ENOENT;
}

int nvct_driver_root_find_soname(const nvct_driver_root *root, const char *soname, char **ret_path,
                                 nvct_error **err) {
        const nvct_ldcache_entry *e =
                root->have_cache ? nvct_ldcache_lookup(&root->cache, soname) : NULL;
        if (e != NULL) {
                int r = resolve_regular(root, e->path, ret_path, err);
                if (r != -ENOENT)
                        return r;
        }
        return find_in_library_dirs(root, soname, ret_path, err);
}

/* Whether the cache entry is a native one named `lib`.so*. */
static bool is_library_entry(const nvct_ldcache_entry *e, const char *lib) {
        size_t lib_len = strlen(lib);
        return nvct_ldcache_entry_is_native(e) && strncmp(e->name, lib, lib_len) == 0 &&
               strncmp(e->name + lib_len, ".so", 3) == 0;
}

/* Whether `path`'s file name is `lib`.so.`version`. */
static bool is_versioned_library(const char *path, const char *lib, const char *version) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        size_t lib_len = strlen(lib);
        return strncmp(base, lib, lib_len) == 0 && strncmp(base + lib_len, ".so.", 4) == 0 &&
               strcmp(base + lib_len + 4, version) == 0;
}

int nvct_driver_root_find_library(const nvct_driver_root *root, const char *lib,
                                  const char *version, char **ret_path, nvct_error **err) {
        for (size_t i = 0; root->have_cache && i < root->cache.n_entries; i++) {
                const nvct_ldcache_entry *e = &root->cache.entries[i];
                if (!is_library_entry(e, lib))
                        continue;
                _cleanup_free_ char *resolved = NULL;
                int r = resolve_regular(root, e->path, &resolved, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                if (is_versioned_library(resolved, lib, version)) {
                        *ret_path = TAKE_PTR(resolved);
                        return 0;
                }
        }
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "%s.so.%s", lib, version) < 0)
                return oom(err);
        return find_in_library_dirs(root, name, ret_path, err);
}

int nvct_driver_root_library_link_names(const nvct_driver_root *root, const char *lib,
                                        nvct_strv *names, nvct_error **err) {
        for (size_t i = 0; root->have_cache && i < root->cache.n_entries; i++) {
                const nvct_ldcache_entry *e = &root->cache.entries[i];
                if (is_library_entry(e, lib) && strchr(e->name, '/') == NULL &&
                    add_unique(names, e->name, err) < 0)
                        return -1;
        }
        char name[NAME_MAX + 1];
        snprintf(name, sizeof(name), "%s.so.1", lib);
        if (add_unique(names, name, err) < 0)
                return -1;
        snprintf(name, sizeof(name), "%s.so", lib);
        return add_unique(names, name, err);
}

int nvct_driver_root_read_link(const nvct_driver_root *root, const char *path, char **ret_target,
                               char **ret_resolved, nvct_error **err) {
        _cleanup_free_ char *host_path = nvct_driver_root_host_path(root, path);
        if (host_path == NULL)
                return oom(err);
        char target[PATH_MAX];
        ssize_t n = readlink(host_path, target, sizeof(target) - 1);
        if (n <= 0)
                return -ENOENT;
        target[n] = '\0';
        _cleanup_free_ char *copy = strdup(target);
        if (copy == NULL)
                return oom(err);
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        /* A link that does not resolve (dangling, a loop, an error) still
         * has a target: the caller may warn about it. */
        _cleanup_error_ nvct_error *unresolved = NULL;
        if (nvct_driver_root_resolve(root, path, &resolved, &st, &unresolved) < 0)
                resolved = NULL;
        *ret_target = TAKE_PTR(copy);
        *ret_resolved = TAKE_PTR(resolved);
        return 0;
}

int nvct_driver_root_find_binary(const nvct_driver_root *root, const char *name, char **ret_path,
                                 nvct_error **err) {
        for (size_t d = 0; d < ARRAY_SIZE(binary_dirs); d++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", binary_dirs[d], name) < 0)
                        return oom(err);
                int r = resolve_regular(root, path, ret_path, err);
                if (r != -ENOENT)
                        return r;
        }
        return -ENOENT;
}

int nvct_driver_root_find_ipc(const nvct_driver_root *root, nvct_strv *paths, nvct_error **err) {
        for (size_t i = 0; i < ARRAY_SIZE(ipc_paths); i++) {
                _cleanup_free_ char *resolved = NULL;
                struct stat st;
                int r = nvct_driver_root_resolve(root, ipc_paths[i].path, &resolved, &st, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                if ((st.st_mode & S_IFMT) != ipc_paths[i].type) {
                        _cleanup_free_ char *host_path =
                                nvct_driver_root_host_path(root, ipc_paths[i].path);
                        _cleanup_free_ char *q = host_path ? nvct_quote_path(host_path) : NULL;
                        nvct_warnf(root->warn, root->userdata, "%s is not a %s: left out",
                                   nvct_quoted(q), ipc_paths[i].what);
                        continue;
                }
                if (add_unique(paths, resolved, err) < 0)
                        return -1;
        }
        return 0;
}

/* The gsp*.bin names of the open directory, sorted. */
static int firmware_names(const nvct_driver_root *root, int fd, const char *dir, nvct_strv *names,
                          nvct_error **err) {
        DIR *d = fdopendir(fd);
        if (d == NULL) {
                int saved = errno;
                close(fd);
                return path_error(root, err, saved, "cannot read ", dir, "");
        }
        struct dirent *de;
        int r = 0;
        while (r == 0 && (de = readdir(d)) != NULL) {
                size_t len = strlen(de->d_name);
                if (strncmp(de->d_name, "gsp", 3) == 0 && len >= 4 &&
                    strcmp(de->d_name + len - 4, ".bin") == 0)
                        r = add_unique(names, de->d_name, err);
        }
        closedir(d);
        if (r == 0 && names->n > 1)
                qsort(names->v, names->n, sizeof(*names->v), cmp_str);
        return r;
}

int nvct_driver_root_find_firmware(const nvct_driver_root *root, const char *version,
                                   nvct_strv *paths, nvct_strv *resolved, nvct_error **err) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "/lib/firmware/nvidia/%s", version) < 0)
                return oom(err);
        int fd = -1;
        _cleanup_error_ nvct_error *absent = NULL;
        if (nvct_rootfs_open(root->fd, dir, O_RDONLY | O_DIRECTORY, &fd, &absent) < 0)
                return 0;
        nvct_strv names = { 0 };
        int r = firmware_names(root, fd, dir, &names, err);
        for (size_t i = 0; r == 0 && i < names.n; i++) {
                _cleanup_free_ char *path = NULL, *real = NULL;
                if (asprintf(&path, "%s/%s", dir, names.v[i]) < 0) {
                        r = oom(err);
                        break;
                }
                int s = resolve_regular(root, path, &real, err);
                if (s == -ENOENT)
                        continue;
                if (s < 0)
                        r = -1;
                else if (nvct_strv_add(paths, path) < 0 || nvct_strv_add(resolved, real) < 0)
                        r = oom(err);
        }
        nvct_strv_clear(&names);
        return r;
}

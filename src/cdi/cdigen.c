/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "cdigen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "basic/cleanup.h"
#include "basic/file.h"
#include "driver/ldcache.h"
#include "basic/quote.h"
#include "basic/rootfs.h"
#include "basic/strv.h"
#include "cdihook/ldconfig.h"

/* The driver's user-space libraries, by capability, as libnvidia-container
 * groups them (utility, compute, video, graphics, ngx). */
static const char *const driver_libraries[] = {
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
};

static const char *const driver_binaries[] = {
        "nvidia-smi",
        "nvidia-debugdump",
        "nvidia-persistenced",
        "nvidia-cuda-mps-control",
        "nvidia-cuda-mps-server",
};

/* Where binaries are looked for, in the driver root, first match wins. */
static const char *const binary_dirs[] = {
        "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin",
};

/* Library directories searched, after --library-search-path, when the driver
 * root has no ld.so.cache or a library is not in it. */
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
} ipc_paths[] = {
        { "/run/nvidia-persistenced/socket", S_IFSOCK },
        { "/run/nvidia-fabricmanager/socket", S_IFSOCK },
        { "/tmp/nvidia-mps", S_IFDIR },
};

static const char *const mount_options[] = { "ro", "nosuid", "nodev", "bind", NULL };
/* Every hook gets an environment of its own: a runtime that gives a hook no
 * `env` may hand it the runtime's, and a container's LD_PRELOAD must never
 * reach a program that runs as root on the host. */
static const char *const hook_env[] = { "NVIDIA_CTK_DEBUG=false", NULL };
/* Every hook also gets a timeout (seconds) that the runtime enforces: a
 * hook that hangs on what an image holds must not hold the container's
 * start, and the runtime, forever. update-ldcache kills ldconfig itself
 * after NVCT_LDCONFIG_TIMEOUT_MS and reports it; this is the runtime's
 * bound, above ours, for anything else. */
#define HOOK_TIMEOUT_S 30
_Static_assert(HOOK_TIMEOUT_S * 1000 > 2 * NVCT_LDCONFIG_TIMEOUT_MS,
               "the runtime's hook timeout must leave update-ldcache time to report its own");

#define MIG_MINORS_PATH "/proc/driver/nvidia-caps/mig-minors"
#define MIG_MINORS_MAX_SIZE (4u << 20)

int nvct_cdigen_strategy_parse(const char *name, unsigned *ret_bit, nvct_error **err) {
        unsigned bit;
        if (strcmp(name, "index") == 0)
                bit = NVCT_CDI_NAME_INDEX;
        else if (strcmp(name, "uuid") == 0)
                bit = NVCT_CDI_NAME_UUID;
        else if (strcmp(name, "type-index") == 0)
                bit = NVCT_CDI_NAME_TYPE_INDEX;
        else {
                _cleanup_free_ char *q = nvct_quote(name, strlen(name));
                return nvct_error_make(
                        err, 0, "unknown device name strategy %s (index, uuid or type-index)",
                        q ? q : "?");
        }
        *ret_bit = bit;
        return 0;
}

/* Adds `s` (owned; freed when already there or on failure) to `list`
 * unless it holds it already. */
static int add_unique(nvct_strv *list, char *s, nvct_error **err) {
        if (s != NULL && nvct_strv_contains(list, s)) {
                free(s);
                return 0;
        }
        if (nvct_strv_push(list, s) < 0)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What the generator knows about the host while it builds the spec. */
typedef struct host {
        const nvct_cdigen_options *opt;
        char *driver_prefix; /* the driver root without a trailing '/'; "" for "/" */
        char *dev_prefix;
        int driver_root_fd;
        char *driver_root_real; /* its canonical path, to strip from resolved paths */
        nvct_ldcache cache;
        bool have_cache;
        const char *driver_version;
        nvct_strv library_dirs; /* search path: --library-search-path, then defaults */
        nvct_strv mounted;      /* container paths already mounted */
        nvct_strv links;        /* "TARGET::LINK" */
        nvct_strv folders;      /* library folders, container paths */
} host;

static void host_clear(host *h) {
        free(h->driver_prefix);
        free(h->dev_prefix);
        if (h->driver_root_fd >= 0)
                close(h->driver_root_fd);
        free(h->driver_root_real);
        if (h->have_cache)
                nvct_ldcache_clear(&h->cache);
        nvct_strv_free(&h->library_dirs);
        nvct_strv_free(&h->mounted);
        nvct_strv_free(&h->links);
        nvct_strv_free(&h->folders);
}

static void warnf(const host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(const host *h, const char *fmt, ...) {
        if (h->opt->warn == NULL)
                return;
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r >= 0)
                h->opt->warn(h->opt->userdata, msg);
}

/* "/a/b/" -> "/a/b", "/" -> "": a prefix to put in front of absolute paths. */
static int root_prefix(const char *root, const char *what, char **ret, nvct_error **err) {
        if (root == NULL || root[0] != '/') {
                _cleanup_free_ char *q = nvct_quote(root ? root : "", root ? strlen(root) : 0);
                return nvct_error_make(err, 0, "%s must be an absolute path, not %s", what,
                                       q ? q : "?");
        }
        size_t len = strlen(root);
        while (len > 0 && root[len - 1] == '/')
                len--;
        char *p = nvct_memdup0(root, len);
        if (p == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        *ret = p;
        return 0;
}

static char *join(const char *prefix, const char *path) {
        char *s = NULL;
        if (asprintf(&s, "%s%s", prefix, path) < 0)
                return NULL;
        return s;
}

/* Resolves `path` inside the driver root as the container will see it
 * (symlinks followed within the root) and returns that path, absolute within
 * the root, and the file's stat. -ENOENT when it does not exist. */
static int resolve_in_driver_root(host *h, const char *path, char **ret_path, struct stat *ret_st,
                                  nvct_error **err) {
        _cleanup_close_ int fd = -1;
        _cleanup_error_ nvct_error *local = NULL;
        if (nvct_rootfs_open(h->driver_root_fd, path, O_PATH, &fd, &local) < 0) {
                int status = local != NULL ? local->status : 0;
                if (status == ENOENT || status == ENOTDIR || status == ELOOP)
                        return -ENOENT;
                *err = TAKE_PTR(local);
                return -1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return nvct_error_make(err, errno, "cannot stat %s%s", h->driver_prefix, path);
        char proc[64], real[PATH_MAX];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, real, sizeof(real) - 1);
        if (n < 0)
                return nvct_error_make(err, errno, "cannot resolve %s%s", h->driver_prefix, path);
        real[n] = '\0';
        size_t rlen = strlen(h->driver_root_real);
        const char *inside = real;
        if (rlen > 1) {
                if (strncmp(real, h->driver_root_real, rlen) != 0 ||
                    (real[rlen] != '/' && real[rlen] != '\0'))
                        return nvct_error_make(err, 0, "%s%s resolves outside the driver root",
                                               h->driver_prefix, path);
                inside = real + rlen;
        }
        char *p = strdup(inside[0] ? inside : "/");
        if (p == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        *ret_path = p;
        *ret_st = st;
        return 0;
}

static int add_mount(host *h, nvct_cdi_edits *edits, const char *path, nvct_error **err) {
        if (nvct_strv_contains(&h->mounted, path))
                return 0;
        _cleanup_free_ char *host_path = join(h->driver_prefix, path);
        if (host_path == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        if (nvct_cdi_edits_add_mount(edits, host_path, path, mount_options, err) < 0)
                return -1;
        return add_unique(&h->mounted, strdup(path), err);
}

static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (slash == NULL || slash == path)
                return strdup("/");
        return nvct_memdup0(path, (size_t)(slash - path));
}

/* Records a create-symlinks link for `dir/name` when the driver root has a
 * symlink there (the driver's own install made it). */
static int note_link(host *h, const char *dir, const char *name, nvct_error **err) {
        _cleanup_free_ char *inside = NULL, *host_path = NULL;
        if (asprintf(&inside, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name) < 0)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        host_path = join(h->driver_prefix, inside);
        if (host_path == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        char target[PATH_MAX];
        ssize_t n = readlink(host_path, target, sizeof(target) - 1);
        if (n <= 0)
                return 0;
        target[n] = '\0';
        /* "::" separates target and link in the hook's argument. */
        if (strstr(target, "::") != NULL) {
                warnf(h,
                      "%s points to %s: a target holding \"::\" cannot be passed to "
                      "create-symlinks; link left out",
                      host_path, target);
                return 0;
        }
        /* The link is reproduced in the container only when it resolves to
         * a file mounted there, so that no dangling link is made. */
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        _cleanup_error_ nvct_error *local = NULL;
        if (resolve_in_driver_root(h, inside, &resolved, &st, &local) < 0)
                return 0;
        if (!nvct_strv_contains(&h->mounted, resolved) || strcmp(resolved, inside) == 0)
                return 0;
        char *link = NULL;
        if (asprintf(&link, "%s::%s", target, inside) < 0)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        return add_unique(&h->links, link, err);
}

/* Whether `base` (a file name) is `lib`.so.<driver version>. */
static bool is_versioned_library(const host *h, const char *base, const char *lib) {
        size_t lib_len = strlen(lib);
        return strncmp(base, lib, lib_len) == 0 && strncmp(base + lib_len, ".so.", 4) == 0 &&
               strcmp(base + lib_len + 4, h->driver_version) == 0;
}

static const char *base_of(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* Mounts `lib`.so.<version>: found through the cache (any native entry named
 * lib.so* that resolves to it), else in the library directories. */
static int add_library(host *h, nvct_cdi_edits *edits, const char *lib, nvct_error **err) {
        _cleanup_free_ char *found = NULL;
        size_t lib_len = strlen(lib);

        for (size_t i = 0; h->have_cache && i < h->cache.n_entries && found == NULL; i++) {
                const nvct_ldcache_entry *e = &h->cache.entries[i];
                if (!nvct_ldcache_entry_is_native(e) || strncmp(e->name, lib, lib_len) != 0 ||
                    strncmp(e->name + lib_len, ".so", 3) != 0)
                        continue;
                _cleanup_free_ char *resolved = NULL;
                struct stat st;
                int r = resolve_in_driver_root(h, e->path, &resolved, &st, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                if (S_ISREG(st.st_mode) && is_versioned_library(h, base_of(resolved), lib))
                        found = TAKE_PTR(resolved);
        }
        for (size_t i = 0; i < h->library_dirs.n && found == NULL; i++) {
                _cleanup_free_ char *candidate = NULL, *resolved = NULL;
                if (asprintf(&candidate, "%s/%s.so.%s", h->library_dirs.v[i], lib,
                             h->driver_version) < 0)
                        return nvct_error_make(err, ENOMEM, "cannot build the spec");
                struct stat st;
                int r = resolve_in_driver_root(h, candidate, &resolved, &st, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                if (S_ISREG(st.st_mode))
                        found = TAKE_PTR(resolved);
        }
        if (found == NULL)
                return 0;

        if (add_mount(h, edits, found, err) < 0)
                return -1;
        _cleanup_free_ char *dir = dir_of(found);
        if (dir == NULL)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        /* The SONAME links the cache knows in that folder, and the
         * development link lib.so. */
        for (size_t i = 0; h->have_cache && i < h->cache.n_entries; i++) {
                const nvct_ldcache_entry *e = &h->cache.entries[i];
                if (!nvct_ldcache_entry_is_native(e) || strncmp(e->name, lib, lib_len) != 0 ||
                    strncmp(e->name + lib_len, ".so", 3) != 0 || strchr(e->name, '/') != NULL)
                        continue;
                if (note_link(h, dir, e->name, err) < 0)
                        return -1;
        }
        char soname[NAME_MAX + 1];
        snprintf(soname, sizeof(soname), "%s.so.1", lib);
        if (note_link(h, dir, soname, err) < 0)
                return -1;
        snprintf(soname, sizeof(soname), "%s.so", lib);
        if (note_link(h, dir, soname, err) < 0)
                return -1;
        return add_unique(&h->folders, TAKE_PTR(dir), err);
}

static int add_binaries(host *h, nvct_cdi_edits *edits, nvct_error **err) {
        for (size_t b = 0; b < ARRAY_SIZE(driver_binaries); b++) {
                for (size_t d = 0; d < ARRAY_SIZE(binary_dirs); d++) {
                        _cleanup_free_ char *path = NULL, *resolved = NULL;
                        if (asprintf(&path, "%s/%s", binary_dirs[d], driver_binaries[b]) < 0)
                                return nvct_error_make(err, ENOMEM, "cannot build the spec");
                        struct stat st;
                        int r = resolve_in_driver_root(h, path, &resolved, &st, err);
                        if (r == -ENOENT)
                                continue;
                        if (r < 0)
                                return -1;
                        if (!S_ISREG(st.st_mode))
                                continue;
                        if (add_mount(h, edits, resolved, err) < 0)
                                return -1;
                        break;
                }
        }
        return 0;
}

static int add_ipc(host *h, nvct_cdi_edits *edits, nvct_error **err) {
        for (size_t i = 0; i < ARRAY_SIZE(ipc_paths); i++) {
                _cleanup_free_ char *resolved = NULL;
                struct stat st;
                int r = resolve_in_driver_root(h, ipc_paths[i].path, &resolved, &st, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                if ((st.st_mode & S_IFMT) != ipc_paths[i].type) {
                        warnf(h, "%s%s is not a %s: not mounted", h->driver_prefix,
                              ipc_paths[i].path,
                              ipc_paths[i].type == S_IFDIR ? "directory" : "socket");
                        continue;
                }
                if (add_mount(h, edits, resolved, err) < 0)
                        return -1;
        }
        return 0;
}

/* /lib/firmware/nvidia/<version>/gsp*.bin, in name order. */
static int add_firmware(host *h, nvct_cdi_edits *edits, nvct_error **err) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "/lib/firmware/nvidia/%s", h->driver_version) < 0)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        _cleanup_close_ int fd = -1;
        _cleanup_error_ nvct_error *local = NULL;
        if (nvct_rootfs_open(h->driver_root_fd, dir, O_RDONLY | O_DIRECTORY, &fd, &local) < 0)
                return 0;
        DIR *d = fdopendir(fd);
        if (d == NULL)
                return nvct_error_make(err, errno, "cannot read %s%s", h->driver_prefix, dir);
        fd = -1;
        nvct_strv names = { 0 };
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d)) != NULL) {
                size_t len = strlen(de->d_name);
                if (strncmp(de->d_name, "gsp", 3) != 0 || len < 4 ||
                    strcmp(de->d_name + len - 4, ".bin") != 0)
                        continue;
                if ((r = add_unique(&names, strdup(de->d_name), err)) < 0)
                        break;
        }
        closedir(d);
        if (r == 0 && names.n > 0)
                qsort(names.v, names.n, sizeof(*names.v), cmp_str);
        for (size_t i = 0; r == 0 && i < names.n; i++) {
                _cleanup_free_ char *path = NULL, *resolved = NULL;
                if (asprintf(&path, "%s/%s", dir, names.v[i]) < 0) {
                        r = nvct_error_make(err, ENOMEM, "cannot build the spec");
                        break;
                }
                struct stat st;
                int s = resolve_in_driver_root(h, path, &resolved, &st, err);
                if (s == -ENOENT)
                        continue;
                if (s < 0 || !S_ISREG(st.st_mode)) {
                        r = s < 0 ? -1 : 0;
                        continue;
                }
                /* Mounted where the kernel looks for it, whatever /lib is. */
                if (!nvct_strv_contains(&h->mounted, path)) {
                        _cleanup_free_ char *host_path = join(h->driver_prefix, resolved);
                        if (host_path == NULL ||
                            nvct_cdi_edits_add_mount(edits, host_path, path, mount_options, err) <
                                    0 ||
                            add_unique(&h->mounted, strdup(path), err) < 0)
                                r = nvct_error_make(err, ENOMEM, "cannot build the spec");
                }
        }
        nvct_strv_free(&names);
        return r;
}

/* A device node under the dev root, with its real type and numbers.
 * -ENOENT when absent (or not a device). */
static int device_node(const host *h, const char *path, nvct_cdi_device_node *node,
                       char **ret_host_path) {
        _cleanup_free_ char *host_path = join(h->dev_prefix, path);
        if (host_path == NULL)
                return -ENOMEM;
        struct stat st;
        if (stat(host_path, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return -ENOENT;
        *node = (nvct_cdi_device_node){
                .path = (char *)path,
                .host_path = h->dev_prefix[0] ? host_path : NULL,
                .type = S_ISCHR(st.st_mode) ? "c" : "b",
                .has_major_minor = true,
                .major = major(st.st_rdev),
                .minor = minor(st.st_rdev),
        };
        *ret_host_path = TAKE_PTR(host_path);
        return 0;
}

static bool has_node(const nvct_cdi_edits *edits, const char *path) {
        for (size_t i = 0; i < edits->n_device_nodes; i++)
                if (strcmp(edits->device_nodes[i].path, path) == 0)
                        return true;
        return false;
}

static int add_node(const host *h, nvct_cdi_edits *edits, const char *path, bool required,
                    nvct_error **err) {
        nvct_cdi_device_node node;
        _cleanup_free_ char *host_path = NULL;
        int r = device_node(h, path, &node, &host_path);
        if (r == -ENOMEM)
                return nvct_error_make(err, ENOMEM, "cannot build the spec");
        if (r < 0) {
                if (required)
                        return nvct_error_make(err, -r, "device node %s%s", h->dev_prefix, path);
                warnf(h, "no device node %s%s: left out", h->dev_prefix, path);
                return 0;
        }
        if (has_node(edits, path))
                return 0;
        return nvct_cdi_edits_add_device_node(edits, &node, err);
}

/* The nodes of `from` that `to` lacks, appended to it: what the `all`
 * device gathers from each GPU and MIG device. */
static int add_missing_nodes(nvct_cdi_edits *to, const nvct_cdi_edits *from, nvct_error **err) {
        for (size_t i = 0; i < from->n_device_nodes; i++)
                if (!has_node(to, from->device_nodes[i].path) &&
                    nvct_cdi_edits_add_device_node(to, &from->device_nodes[i], err) < 0)
                        return -1;
        return 0;
}

/* mig-minors: "gpu<minor>/gi<id>/access <cap minor>" and
 * "gpu<minor>/gi<id>/ci<id>/access <cap minor>". *ret_text is NULL when
 * no such file exists. */
static int load_mig_minors(const host *h, char **ret_text, nvct_error **err) {
        const char *prefixes[] = { h->dev_prefix, h->driver_prefix, "" };
        for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
                _cleanup_free_ char *path = join(prefixes[i], MIG_MINORS_PATH);
                if (path == NULL)
                        return nvct_error_make(err, ENOMEM, "cannot build the spec");
                _cleanup_free_ char *text = NULL;
                size_t len;
                int r = nvct_read_regular(path, "MIG minors file", MIG_MINORS_MAX_SIZE, true, &text,
                                          &len, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                *ret_text = TAKE_PTR(text);
                return 0;
        }
        *ret_text = NULL;
        return 0;
}

/* The capability minor of "gpu%u/gi%u[/ci%u]/access"; -1 when not listed. */
static long mig_minor(const char *minors, unsigned gpu_minor, unsigned gi, const unsigned *ci) {
        if (minors == NULL)
                return -1;
        char key[96];
        if (ci != NULL)
                snprintf(key, sizeof(key), "gpu%u/gi%u/ci%u/access ", gpu_minor, gi, *ci);
        else
                snprintf(key, sizeof(key), "gpu%u/gi%u/access ", gpu_minor, gi);
        size_t key_len = strlen(key);
        for (const char *line = minors; *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                if (len > key_len && memcmp(line, key, key_len) == 0) {
                        char *stop;
                        errno = 0;
                        unsigned long v = strtoul(line + key_len, &stop, 10);
                        if (errno == 0 && stop != line + key_len && v <= INT32_MAX &&
                            (stop == line + len))
                                return (long)v;
                }
                line += len + (end ? 1 : 0);
        }
        return -1;
}

/* Adds one device per chosen name strategy, each with `edits`. */
static int add_named_devices(nvct_cdi_spec *spec, unsigned strategies, const char *index_name,
                             const char *uuid, const char *type_index_name,
                             const nvct_cdi_edits *edits, nvct_error **err) {
        const struct {
                unsigned bit;
                const char *name;
        } names[] = {
                { NVCT_CDI_NAME_INDEX, index_name },
                { NVCT_CDI_NAME_UUID, uuid },
                { NVCT_CDI_NAME_TYPE_INDEX, type_index_name },
        };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                if (!(strategies & names[i].bit))
                        continue;
                if (nvct_cdi_validate_device_name(names[i].name, err) < 0)
                        return -1;
                nvct_cdi_device *dev;
                if (nvct_cdi_spec_add_device(spec, names[i].name, &dev, err) < 0 ||
                    nvct_cdi_edits_append(&dev->edits, edits, err) < 0)
                        return -1;
        }
        return 0;
}

static int add_gpu_devices(host *h, nvct_cdi_spec *spec, const nvct_nvml_info *info,
                           nvct_cdi_edits *all, nvct_error **err) {
        unsigned strategies =
                h->opt->strategies ? h->opt->strategies : NVCT_CDI_NAME_INDEX | NVCT_CDI_NAME_UUID;
        _cleanup_free_ char *minors = NULL;
        bool any_mig = false;
        for (size_t g = 0; g < info->n_gpus; g++)
                any_mig |= info->gpus[g].mig_enabled && info->gpus[g].n_migs > 0;
        if (any_mig && load_mig_minors(h, &minors, err) < 0)
                return -1;

        for (size_t g = 0; g < info->n_gpus; g++) {
                const nvct_gpu_info *gpu = &info->gpus[g];
                char node_path[64], index_name[32], type_name[40];
                snprintf(node_path, sizeof(node_path), "/dev/nvidia%u", gpu->minor);
                snprintf(index_name, sizeof(index_name), "%u", gpu->index);
                snprintf(type_name, sizeof(type_name), "gpu%u", gpu->index);

                nvct_cdi_edits edits = { 0 };
                if (add_node(h, &edits, node_path, true, err) < 0) {
                        nvct_error_prefix(err, "GPU %u (%s)", gpu->index, gpu->uuid);
                        nvct_cdi_edits_clear(&edits);
                        return -1;
                }
                int r = add_named_devices(spec, strategies, index_name, gpu->uuid, type_name,
                                          &edits, err);
                if (r == 0)
                        r = add_missing_nodes(all, &edits, err);
                nvct_cdi_edits_clear(&edits);
                if (r < 0)
                        return -1;

                for (size_t m = 0; gpu->mig_enabled && m < gpu->n_migs; m++) {
                        const nvct_mig_info *mig = &gpu->migs[m];
                        long gi_minor = mig_minor(minors, gpu->minor, mig->gi_id, NULL);
                        long ci_minor = mig_minor(minors, gpu->minor, mig->gi_id, &mig->ci_id);
                        if (gi_minor < 0 || ci_minor < 0) {
                                nvct_error_make(err, 0,
                                                "MIG device %s (GPU %u, GI %u, CI %u): no "
                                                "capability minor in %s",
                                                mig->uuid, gpu->index, mig->gi_id, mig->ci_id,
                                                MIG_MINORS_PATH);
                                return -1;
                        }
                        char gi_path[64], ci_path[64];
                        snprintf(gi_path, sizeof(gi_path), "/dev/nvidia-caps/nvidia-cap%ld",
                                 gi_minor);
                        snprintf(ci_path, sizeof(ci_path), "/dev/nvidia-caps/nvidia-cap%ld",
                                 ci_minor);
                        snprintf(index_name, sizeof(index_name), "%u:%u", gpu->index, mig->index);
                        snprintf(type_name, sizeof(type_name), "mig%u:%u", gpu->index, mig->index);
                        nvct_cdi_edits mig_edits = { 0 };
                        r = add_node(h, &mig_edits, node_path, true, err);
                        if (r == 0)
                                r = add_node(h, &mig_edits, gi_path, true, err);
                        if (r == 0)
                                r = add_node(h, &mig_edits, ci_path, true, err);
                        if (r == 0)
                                r = add_named_devices(spec, strategies, index_name, mig->uuid,
                                                      type_name, &mig_edits, err);
                        if (r == 0)
                                r = add_missing_nodes(all, &mig_edits, err);
                        nvct_cdi_edits_clear(&mig_edits);
                        if (r < 0)
                                return nvct_error_prefix(err, "MIG device %s", mig->uuid);
                }
        }
        return 0;
}

static int find_nvml(host *h, char **ret_path, nvct_error **err) {
        const char *soname = "libnvidia-ml.so.1";
        if (h->have_cache) {
                const nvct_ldcache_entry *e = nvct_ldcache_lookup(&h->cache, soname);
                if (e != NULL) {
                        _cleanup_free_ char *resolved = NULL;
                        struct stat st;
                        int r = resolve_in_driver_root(h, e->path, &resolved, &st, err);
                        if (r < 0 && r != -ENOENT)
                                return -1;
                        if (r == 0 && S_ISREG(st.st_mode)) {
                                *ret_path = join(h->driver_prefix, resolved);
                                return *ret_path ? 0
                                                 : nvct_error_make(err, ENOMEM, "out of memory");
                        }
                }
        }
        for (size_t i = 0; i < h->library_dirs.n; i++) {
                _cleanup_free_ char *candidate = NULL, *resolved = NULL;
                if (asprintf(&candidate, "%s/%s", h->library_dirs.v[i], soname) < 0)
                        return nvct_error_make(err, ENOMEM, "out of memory");
                struct stat st;
                int r = resolve_in_driver_root(h, candidate, &resolved, &st, err);
                if (r < 0 && r != -ENOENT)
                        return -1;
                if (r == 0 && S_ISREG(st.st_mode)) {
                        *ret_path = join(h->driver_prefix, resolved);
                        return *ret_path ? 0 : nvct_error_make(err, ENOMEM, "out of memory");
                }
        }
        return nvct_error_make(err, 0,
                               "%s is neither in %s/etc/ld.so.cache nor in the library "
                               "directories of driver root %s: is the NVIDIA driver installed "
                               "there?",
                               soname, h->driver_prefix, h->opt->driver_root);
}

static int host_open(host *h, const nvct_cdigen_options *opt, nvct_error **err) {
        *h = (host){ .opt = opt, .driver_root_fd = -1 };
        if (root_prefix(opt->driver_root, "--driver-root", &h->driver_prefix, err) < 0)
                return -1;
        if (root_prefix(opt->dev_root ? opt->dev_root : opt->driver_root, "--dev-root",
                        &h->dev_prefix, err) < 0)
                return -1;
        if (nvct_rootfs_open_root(opt->driver_root, &h->driver_root_fd, err) < 0)
                return nvct_error_prefix(err, "driver root");
        h->driver_root_real = realpath(opt->driver_root, NULL);
        if (h->driver_root_real == NULL)
                return nvct_error_make(err, errno, "driver root %s", opt->driver_root);

        _cleanup_free_ char *cache_path = join(h->driver_prefix, "/etc/ld.so.cache");
        if (cache_path == NULL)
                return nvct_error_make(err, ENOMEM, "out of memory");
        int r = nvct_ldcache_load(cache_path, true, &h->cache, err);
        if (r < 0 && r != -ENOENT)
                return -1;
        h->have_cache = r == 0;

        for (const char *const *p = opt->library_search_paths; p != NULL && *p != NULL; p++) {
                if ((*p)[0] != '/') {
                        _cleanup_free_ char *q = nvct_quote(*p, strlen(*p));
                        return nvct_error_make(err, 0,
                                               "--library-search-path must be absolute (a path "
                                               "in the driver root), not %s",
                                               q ? q : "?");
                }
                if (add_unique(&h->library_dirs, strdup(*p), err) < 0)
                        return -1;
        }
        for (size_t i = 0; i < ARRAY_SIZE(default_library_dirs); i++)
                if (add_unique(&h->library_dirs, strdup(default_library_dirs[i]), err) < 0)
                        return -1;
        return 0;
}

/* A createContainer hook running the hook program with `head` (NULL-
 * terminated), then `flag VALUE` for each of `values`. */
static int add_hook(const host *h, nvct_cdi_edits *edits, const char *const *head, const char *flag,
                    const nvct_strv *values, nvct_error **err) {
        nvct_strv args = { 0 };
        for (const char *const *a = head; *a != NULL; a++)
                nvct_strv_add(&args, *a);
        for (size_t i = 0; i < values->n; i++) {
                nvct_strv_add(&args, flag);
                nvct_strv_add(&args, values->v[i]);
        }
        int r = args.failed ? nvct_error_make(err, ENOMEM, "cannot build the spec")
                            : nvct_cdi_edits_add_hook(edits, "createContainer", h->opt->hook_path,
                                                      (const char *const *)args.v, hook_env, err);
        nvct_strv_free(&args);
        if (r < 0)
                return r;
        /* Any cdiVersion has a hook's timeout: the spec's version stays. */
        edits->hooks[edits->n_hooks - 1].has_timeout = true;
        edits->hooks[edits->n_hooks - 1].timeout = HOOK_TIMEOUT_S;
        return 0;
}

static int add_common_edits(host *h, nvct_cdi_spec *spec, nvct_error **err) {
        nvct_cdi_edits *edits = &spec->edits;
        static const char *const control_nodes[] = {
                "/dev/nvidiactl",
                "/dev/nvidia-uvm",
                "/dev/nvidia-uvm-tools",
                "/dev/nvidia-modeset",
        };
        if (nvct_cdi_edits_add_env(edits, "NVIDIA_VISIBLE_DEVICES=void", err) < 0)
                return -1;
        for (size_t i = 0; i < ARRAY_SIZE(control_nodes); i++)
                if (add_node(h, edits, control_nodes[i], i == 0, err) < 0)
                        return -1;

        for (size_t i = 0; i < ARRAY_SIZE(driver_libraries); i++)
                if (add_library(h, edits, driver_libraries[i], err) < 0)
                        return nvct_error_prefix(err, "library %s", driver_libraries[i]);
        if (add_binaries(h, edits, err) < 0 || add_ipc(h, edits, err) < 0 ||
            add_firmware(h, edits, err) < 0)
                return -1;

        /* Links sorted by link path, folders by name, so that the output
         * does not depend on the order the cache lists them in. */
        if (h->links.n > 0) {
                qsort(h->links.v, h->links.n, sizeof(*h->links.v), cmp_str);
                const char *const head[] = { "nvidia-cdi-hook", "create-symlinks", NULL };
                if (add_hook(h, edits, head, "--link", &h->links, err) < 0)
                        return -1;
        }
        if (h->folders.n > 0) {
                qsort(h->folders.v, h->folders.n, sizeof(*h->folders.v), cmp_str);
                const char *const head[] = { "nvidia-cdi-hook", "update-ldcache", "--ldconfig-path",
                                             h->opt->ldconfig_path, NULL };
                if (add_hook(h, edits, head, "--folder", &h->folders, err) < 0)
                        return -1;
        }
        return 0;
}

int nvct_cdigen_generate(const nvct_cdigen_options *opt, nvct_cdi_spec *ret_spec,
                         nvct_nvml_info *ret_info, nvct_error **err) {
        host h;
        nvct_nvml_info info = { 0 };
        nvct_cdi_spec spec = { 0 };
        _cleanup_free_ char *nvml_path = NULL;
        int r = -1;

        if (opt->hook_path == NULL || opt->hook_path[0] != '/') {
                nvct_error_make(err, 0, "--nvidia-cdi-hook-path must be an absolute path");
                return -1;
        }
        if (opt->ldconfig_path == NULL || opt->ldconfig_path[0] != '/') {
                nvct_error_make(err, 0, "--ldconfig-path must be an absolute path");
                return -1;
        }
        if (host_open(&h, opt, err) < 0)
                goto out;
        if (asprintf(&spec.kind, "%s/%s", opt->vendor, opt->class_name) < 0) {
                spec.kind = NULL;
                nvct_error_make(err, ENOMEM, "out of memory");
                goto out;
        }
        if (nvct_cdi_validate_kind(spec.kind, err) < 0)
                goto out;
        if (find_nvml(&h, &nvml_path, err) < 0 || nvct_nvml_query(nvml_path, &info, err) < 0)
                goto out;
        if (info.n_gpus == 0) {
                nvct_error_make(err, 0, "NVML (%s, driver %s) found no GPU: no spec to write",
                                nvml_path, info.driver_version);
                goto out;
        }
        h.driver_version = info.driver_version;

        nvct_cdi_edits all = { 0 };
        r = add_gpu_devices(&h, &spec, &info, &all, err);
        if (r == 0) {
                nvct_cdi_device *dev;
                r = nvct_cdi_spec_add_device(&spec, "all", &dev, err);
                if (r == 0)
                        r = nvct_cdi_edits_append(&dev->edits, &all, err);
        }
        nvct_cdi_edits_clear(&all);
        if (r < 0)
                goto out;
        r = add_common_edits(&h, &spec, err);
        if (r < 0)
                goto out;

        *ret_spec = spec;
        spec = (nvct_cdi_spec){ 0 };
        if (ret_info != NULL) {
                *ret_info = info;
                info = (nvct_nvml_info){ 0 };
        }
out:
        nvct_cdi_spec_clear(&spec);
        nvct_nvml_info_clear(&info);
        host_clear(&h);
        return r < 0 ? -1 : 0;
}

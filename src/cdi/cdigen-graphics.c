/* SPDX-License-Identifier: Apache-2.0 */
/* Graphics in a spec, as NVIDIA's generator has it: each GPU's DRM card
 * and render nodes with their /dev/dri/by-path links, and the files every
 * device shares: the Vulkan ICD and layers, the EGL vendor and external
 * platform files, nvoptix.bin, the Xorg configuration, driver and GLX
 * module, and the GBM, Vulkan producer and GLX server links. Everything is
 * found under the driver root (the nodes under the dev root). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdigen-internal.h"
#include "basic/cleanup.h"
#include "basic/quote.h"
#include "driver/root.h"

/* Where configuration files are looked for, first match wins (NVIDIA's:
 * /etc, then the XDG data folders' defaults). */
static const char *const config_dirs[] = { "/etc", "/usr/local/share", "/usr/share", NULL };

/* Mounted where they are found. */
static const char *const config_files[] = {
        "glvnd/egl_vendor.d/10_nvidia.json",
        "egl/egl_external_platform.d/15_nvidia_gbm.json",
        "egl/egl_external_platform.d/10_nvidia_wayland.json",
        "egl/egl_external_platform.d/20_nvidia_xcb.json",
        "egl/egl_external_platform.d/20_nvidia_xlib.json",
        "nvidia/nvoptix.bin",
        "X11/xorg.conf.d/10-nvidia.conf",
        "X11/xorg.conf.d/nvidia-drm-outputclass.conf",
        NULL,
};

/* Mounted under /etc/ in the container wherever they are found (the
 * configuration folders, or the root's top for a driver container that
 * keeps them in /vulkan), as NVIDIA's generator mounts them. */
static const char *const vulkan_files[] = {
        "vulkan/icd.d/nvidia_icd.json",
        "vulkan/icd.d/nvidia_layers.json",
        "vulkan/implicit_layer.d/nvidia_layers.json",
#if defined(__x86_64__)
        "vulkan/icd.d/nvidia_icd.x86_64.json",
#elif defined(__aarch64__)
        "vulkan/icd.d/nvidia_icd.aarch64.json",
#endif
        NULL,
};

/* Xorg module folders under a library folder, then the usual ones. */
static const char *const xorg_lib_subdirs[] = {
        "/nvidia/xorg",
        "/xorg/modules/drivers",
        "/xorg/modules/extensions",
        "/xorg/modules/updates/drivers",
        "/xorg/modules/updates/extensions",
};
static const char *const xorg_roots[] = { "/usr/lib/xorg", "/usr/lib64/xorg", "/usr/X11R6/lib",
                                          "/usr/X11R6/lib64" };
static const char *const xorg_root_subdirs[] = { "/modules/drivers", "/modules/extensions",
                                                 "/modules/updates/drivers",
                                                 "/modules/updates/extensions" };

/* NVML's "00000000:3B:00.0" as udev names it in by-path links:
 * "0000:3b:00.0" (lowercase; a 32-bit domain's leading zeros dropped, as
 * NVIDIA's generator does). false for anything else. */
static bool by_path_bus_id(const char *nvml, char *out, size_t size) {
        size_t len = strlen(nvml);
        if (len == 16 && strncmp(nvml, "0000", 4) == 0) {
                nvml += 4;
                len -= 4;
        }
        if (len == 0 || len >= size)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = (char)tolower((unsigned char)nvml[i]);
                if (!isxdigit((unsigned char)c) && c != ':' && c != '.')
                        return false;
                out[i] = c;
        }
        out[len] = '\0';
        return true;
}

/* Whether `name` is PREFIX followed by digits only. */
static bool numbered(const char *name, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(name, prefix, n) == 0 && name[n] != '\0' &&
               name[n + strspn(name + n, "0123456789")] == '\0';
}

/* The node a by-path link points at: "../card1" or "/dev/dri/card1";
 * its container path in *node. false for anything else. */
static bool drm_target(const char *target, const char *kind, char *node, size_t size) {
        const char *base = NULL;
        if (strncmp(target, "../", 3) == 0 && strchr(target + 3, '/') == NULL)
                base = target + 3;
        else if (strncmp(target, "/dev/dri/", 9) == 0 && strchr(target + 9, '/') == NULL)
                base = target + 9;
        if (base == NULL || !numbered(base, strcmp(kind, "card") == 0 ? "card" : "renderD"))
                return false;
        return (size_t)snprintf(node, size, "/dev/dri/%s", base) < size;
}

static bool has_node(const nvct_cdi_edits *edits, const char *path) {
        for (size_t i = 0; i < edits->n_device_nodes; i++)
                if (strcmp(edits->device_nodes[i].path, path) == 0)
                        return true;
        return false;
}

/* Whether the dev root has /dev/dri/by-path, asked once: a host without
 * a DRM driver costs one lstat, not two readlinks a GPU. */
static bool by_path_present(cdigen_host *h, nvct_error **err) {
        if (h->by_path == 0) {
                _cleanup_free_ char *dir = nvct_strjoin3(h->dev_prefix, "/dev/dri/by-path", NULL);
                struct stat st;
                if (dir == NULL) {
                        CDIGEN_OOM(err);
                        return false;
                }
                h->by_path = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 1 : -1;
        }
        return h->by_path > 0;
}

int cdigen_add_drm_nodes(cdigen_host *h, nvct_cdi_edits *edits, const char *pci_bus_id,
                         nvct_error **err) {
        char bus[32];
        if (pci_bus_id == NULL || !by_path_bus_id(pci_bus_id, bus, sizeof(bus)))
                return 0;
        if (!by_path_present(h, err))
                return h->by_path == 0 ? -1 : 0;
        static const char *const kinds[] = { "card", "render" };
        nvct_strv links = { 0 };
        bool any = false;
        int r = 0;
        for (size_t k = 0; r == 0 && k < ARRAY_SIZE(kinds); k++) {
                char link[96], node[64], target[PATH_MAX];
                snprintf(link, sizeof(link), "/dev/dri/by-path/pci-%s-%s", bus, kinds[k]);
                _cleanup_free_ char *host_link = nvct_strjoin3(h->dev_prefix, link, NULL);
                if (host_link == NULL) {
                        r = CDIGEN_OOM(err);
                        break;
                }
                ssize_t n = readlink(host_link, target, sizeof(target) - 1);
                if (n <= 0)
                        continue; /* no DRM node of that kind: a compute-only GPU */
                target[n] = '\0';
                if (!drm_target(target, kinds[k], node, sizeof(node))) {
                        _cleanup_free_ char *lq = nvct_quote_path(host_link);
                        _cleanup_free_ char *tq = nvct_quote_path(target);
                        nvct_warnf(h->opt->warn, h->opt->userdata,
                                   "%s points to %s, not a DRM node of /dev/dri: left out",
                                   nvct_quoted(lq), nvct_quoted(tq));
                        continue;
                }
                r = cdigen_add_node(h, edits, node, false, err);
                if (r < 0 || !has_node(edits, node))
                        continue;
                any = true;
                /* The link is made at its container path: the dev root is
                 * where the host keeps it, not where the container has it. */
                if (nvct_strv_pushf(&links, "%s::%s", target, link) < 0)
                        r = CDIGEN_OOM(err);
        }
        if (r == 0 && links.n > 0)
                r = cdigen_add_hook(h, edits, NVCT_CDIGEN_HOOK_CREATE_SYMLINKS, "create-symlinks",
                                    NULL, "--link", &links, err);
        if (r == 0 && any) {
                /* rootless podman with an old crun made /dev/dri 0700
                 * (crun#1047): NVIDIA's chmod hook, off unless enabled. */
                const char *const args[] = { "--mode", "755", "--path", "/dev/dri", NULL };
                r = cdigen_add_hook(h, edits, NVCT_CDIGEN_HOOK_CHMOD, "chmod", args, NULL, NULL,
                                    err);
        }
        nvct_strv_clear(&links);
        return r;
}

/* Whether `path` exists in the root. Looked up through the root's memo:
 * a name in a folder already open costs one fstatat, remembered, where the
 * full path of an absent file costs an open of each missing folder. The
 * graphics files are looked for in some forty places, most of them absent
 * on a compute host: their first folder is asked first. */
static bool present(cdigen_host *h, const char *path) {
        /* The same few folders are asked about for every file: each answer
         * is kept (one that cannot be kept for want of memory is only asked
         * again). */
        if (cdigen_uniq_has(&h->found, path))
                return true;
        if (cdigen_uniq_has(&h->absent, path))
                return false;
        _cleanup_free_ char *resolved = NULL;
        _cleanup_error_ nvct_error *ignored = NULL;
        mode_t type;
        bool yes = nvct_driver_root_resolve_type(h->root, path, &resolved, &type, &ignored) == 0;
        /* One that cannot be kept for want of memory is only asked again. */
        _cleanup_error_ nvct_error *unkept = NULL;
        cdigen_uniq_add(yes ? &h->found : &h->absent, strdup(path), &unkept);
        return yes;
}

/* Whether `dir`/`file`'s first folder ("/usr/share/glvnd" of
 * "glvnd/egl_vendor.d/10_nvidia.json") exists. */
static bool first_folder_present(cdigen_host *h, const char *dir, const char *file) {
        /* Joined by hand: snprintf cost more than the lookup it guards. */
        const char *slash = strchr(file, '/');
        size_t n = slash != NULL ? (size_t)(slash - file) : strlen(file);
        size_t d = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
        char top[PATH_MAX];
        if (d + 1 + n >= sizeof(top))
                return false;
        memcpy(top, dir, d);
        top[d] = '/';
        memcpy(top + d + 1, file, n);
        top[d + 1 + n] = '\0';
        return present(h, top);
}

/* `dir` + "/" + `file` in the root, when a regular file: mounted at
 * `container_path` (NULL: where it is). 1 when mounted, 0 when absent. */
static int mount_if_regular(cdigen_host *h, nvct_cdi_edits *edits, const char *dir,
                            const char *file, const char *container_path, nvct_error **err) {
        if (!first_folder_present(h, dir, file))
                return 0;
        _cleanup_free_ char *path = nvct_strjoin3(strcmp(dir, "/") == 0 ? "" : dir, "/", file);
        _cleanup_free_ char *resolved = NULL;
        mode_t type;
        if (path == NULL)
                return CDIGEN_OOM(err);
        int r = nvct_driver_root_resolve_type(h->root, path, &resolved, &type, err);
        if (r == -ENOENT || (r == 0 && type != S_IFREG))
                return 0;
        if (r < 0)
                return -1;
        if (cdigen_add_mount(h, edits, resolved, container_path ? container_path : path, NULL,
                             err) < 0)
                return -1;
        return 1;
}

static int add_configs(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        for (const char *const *f = config_files; *f != NULL; f++)
                for (const char *const *d = config_dirs; *d != NULL; d++) {
                        int r = mount_if_regular(h, edits, *d, *f, NULL, err);
                        if (r < 0)
                                return -1;
                        if (r > 0)
                                break;
                }
        for (const char *const *f = vulkan_files; *f != NULL; f++) {
                _cleanup_free_ char *in_container = nvct_strjoin3("/etc/", *f, NULL);
                if (in_container == NULL)
                        return CDIGEN_OOM(err);
                static const char *const dirs[] = { "/etc", "/usr/local/share", "/usr/share", "/" };
                for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
                        int r = mount_if_regular(h, edits, dirs[d], *f, in_container, err);
                        if (r < 0)
                                return -1;
                        if (r > 0)
                                break;
                }
        }
        return 0;
}

/* The first Xorg module folder holding `name`; mounted where it is. */
static int add_xorg_file(cdigen_host *h, nvct_cdi_edits *edits, const char *name,
                         nvct_error **err) {
        for (size_t i = 0; i < h->driver_dirs.n; i++)
                for (size_t s = 0; s < ARRAY_SIZE(xorg_lib_subdirs); s++) {
                        /* "/nvidia" or "/xorg" under the library folder. */
                        if (!first_folder_present(h, h->driver_dirs.v[i], xorg_lib_subdirs[s] + 1))
                                continue;
                        _cleanup_free_ char *dir =
                                nvct_strjoin3(h->driver_dirs.v[i], xorg_lib_subdirs[s], NULL);
                        if (dir == NULL)
                                return CDIGEN_OOM(err);
                        int r = mount_if_regular(h, edits, dir, name, NULL, err);
                        if (r != 0)
                                return r < 0 ? -1 : 0;
                }
        for (size_t i = 0; i < ARRAY_SIZE(xorg_roots); i++)
                for (size_t s = 0; s < ARRAY_SIZE(xorg_root_subdirs) && present(h, xorg_roots[i]);
                     s++) {
                        _cleanup_free_ char *dir =
                                nvct_strjoin3(xorg_roots[i], xorg_root_subdirs[s], NULL);
                        if (dir == NULL)
                                return CDIGEN_OOM(err);
                        int r = mount_if_regular(h, edits, dir, name, NULL, err);
                        if (r != 0)
                                return r < 0 ? -1 : 0;
                }
        return 0;
}

/* The mounted file whose name is `name`: its folder, or NULL. */
static char *mounted_dir(const cdigen_host *h, const char *name) {
        for (size_t i = 0; i < h->mounted.list.n; i++) {
                const char *slash = strrchr(h->mounted.list.v[i], '/');
                if (slash != NULL && strcmp(slash + 1, name) == 0)
                        return cdigen_dir_of(h->mounted.list.v[i]);
        }
        return NULL;
}

/* A link `target`::`dir`/`link` when the driver's library `lib`.so.VERSION
 * is mounted in `dir` (`link` may hold a folder: gbm/); `target` NULL: the
 * library's own name. */
static int add_graphics_link(cdigen_host *h, const char *lib, const char *target, const char *link,
                             nvct_error **err) {
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "%s.so.%s", lib, h->driver_version) < 0) {
                name = NULL;
                return CDIGEN_OOM(err);
        }
        _cleanup_free_ char *dir = mounted_dir(h, name);
        if (dir == NULL)
                return 0;
        char *arg = NULL;
        if (asprintf(&arg, "%s::%s/%s", target != NULL ? target : name,
                     strcmp(dir, "/") == 0 ? "" : dir, link) < 0)
                return CDIGEN_OOM(err);
        return cdigen_uniq_add(&h->links, arg, err);
}

int cdigen_add_graphics(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        if (add_configs(h, edits, err) < 0)
                return -1;
        _cleanup_free_ char *glxserver = NULL;
        if (asprintf(&glxserver, "libglxserver_nvidia.so.%s", h->driver_version) < 0) {
                glxserver = NULL;
                return CDIGEN_OOM(err);
        }
        if (add_xorg_file(h, edits, "nvidia_drv.so", err) < 0 ||
            add_xorg_file(h, edits, glxserver, err) < 0)
                return -1;
        /* gbm/nvidia-drm_gbm.so -> ../libnvidia-allocator.so.1 (that link
         * ldconfig makes); the Vulkan producer's and GLX server's
         * development links. */
        if (add_graphics_link(h, "libnvidia-allocator", "../libnvidia-allocator.so.1",
                              "gbm/nvidia-drm_gbm.so", err) < 0 ||
            add_graphics_link(h, "libnvidia-vulkan-producer", NULL, "libnvidia-vulkan-producer.so",
                              err) < 0 ||
            add_graphics_link(h, "libglxserver_nvidia", NULL, "libglxserver_nvidia.so", err) < 0)
                return -1;
        return 0;
}

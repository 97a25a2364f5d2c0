/* SPDX-License-Identifier: Apache-2.0 */
/* The driver's files in a spec: its libraries, found by version (every
 * NAME.so.<driver version> that the root's ld.so.cache names or the
 * driver's library folders hold, as NVIDIA's generator takes them, plus the
 * list libnvidia-container knows, so that nothing found before is lost),
 * its binaries, its daemons' IPC sockets and its GSP firmware; then the
 * hooks every device shares. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cdigen-internal.h"
#include "basic/cleanup.h"
#include "basic/quote.h"
#include "driver/libscan.h"
#include "driver/root.h"

/* The EGL platform libraries, versioned apart from the driver
 * (libnvidia-egl-gbm.so.1.1.2): taken by NAME.so.X.Y, as NVIDIA's
 * generator takes them. */
const char *const cdigen_dotted_libraries[] = {
        "libnvidia-egl-gbm",
        "libnvidia-egl-wayland",
        "libnvidia-egl-xcb",
        "libnvidia-egl-xlib",
        NULL,
};

/* Where the driver's own sockets are mounted: nothing in them is a program
 * to run. */
static const char *const ipc_extra_options[] = { "noexec", NULL };

/* Records a create-symlinks link for `dir/name` when the driver root has a
 * symlink there (the driver's own install made it). */
static int note_link(cdigen_host *h, const char *dir, const char *name, nvct_error **err) {
        _cleanup_free_ char *target = NULL, *resolved = NULL;
        _cleanup_free_ char *inside = nvct_strjoin3(strcmp(dir, "/") == 0 ? "" : dir, "/", name);
        if (inside == NULL)
                return CDIGEN_OOM(err);
        int r = nvct_driver_root_read_link(h->root, inside, &target, &resolved, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -1;
        /* "::" separates target and link in the hook's argument. */
        if (strstr(target, "::") != NULL) {
                _cleanup_free_ char *shown = nvct_strjoin3(h->root->prefix, inside, NULL);
                _cleanup_free_ char *link_q = shown ? nvct_quote_path(shown) : NULL;
                _cleanup_free_ char *target_q = nvct_quote_path(target);
                nvct_warnf(h->opt->warn, h->opt->userdata,
                           "%s points to %s: a target holding \"::\" cannot be passed to "
                           "create-symlinks; link left out",
                           nvct_quoted(link_q), nvct_quoted(target_q));
                return 0;
        }
        /* The link is reproduced in the container only when it resolves to
         * a file mounted there, so that no dangling link is made. */
        if (resolved == NULL || !cdigen_uniq_has(&h->mounted, resolved) ||
            strcmp(resolved, inside) == 0)
                return 0;
        char *link = nvct_strjoin3(target, "::", inside);
        if (link == NULL)
                return CDIGEN_OOM(err);
        return cdigen_uniq_add(&h->links, link, err);
}

int cdigen_add_library_at(cdigen_host *h, nvct_cdi_edits *edits, const char *lib, const char *path,
                          nvct_error **err) {
        if (cdigen_add_mount(h, edits, path, path, NULL, err) < 0)
                return -1;
        _cleanup_free_ char *dir = cdigen_dir_of(path);
        if (dir == NULL)
                return CDIGEN_OOM(err);
        /* The SONAME links the cache knows in that folder, and the
         * development link lib.so. */
        nvct_strv names = { 0 };
        int r = nvct_driver_root_library_link_names(h->root, lib, &names, err);
        for (size_t i = 0; r == 0 && i < names.n; i++)
                r = note_link(h, dir, names.v[i], err);
        nvct_strv_clear(&names);
        if (r < 0)
                return -1;
        return cdigen_uniq_add(&h->folders, TAKE_PTR(dir), err);
}

/* Mounts `lib`.so.<driver version> when the root has it. */
static int add_library(cdigen_host *h, nvct_cdi_edits *edits, const char *lib, nvct_error **err) {
        _cleanup_free_ char *found = NULL;
        int r = nvct_driver_root_find_library(h->root, lib, h->driver_version, &found, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return -1;
        return cdigen_add_library_at(h, edits, lib, found, err);
}

/* The folders of libcuda and libnvidia-ml: where the driver installed its
 * libraries (NVIDIA_CTK_LIBCUDA_DIR, and the folders scanned). */
static int find_driver_dirs(cdigen_host *h, nvct_error **err) {
        static const char *const anchors[] = { "libcuda", "libnvidia-ml" };
        for (size_t i = 0; i < ARRAY_SIZE(anchors); i++) {
                _cleanup_free_ char *found = NULL;
                int r = nvct_driver_root_find_library(h->root, anchors[i], h->driver_version,
                                                      &found, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return -1;
                char *dir = cdigen_dir_of(found);
                if (dir == NULL || cdigen_add_unique(&h->driver_dirs, dir, err) < 0)
                        return dir == NULL ? CDIGEN_OOM(err) : -1;
        }
        return 0;
}

/* Every library of the driver's version, sorted by path, so that the spec
 * does not depend on the cache's order. Found before the list's libraries
 * are looked up: the driver's folders are listed then, and each lookup of
 * the list in them is answered by the listing (an absent name or a
 * regular file costs no system call). */
static int find_versioned_libraries(cdigen_host *h, nvct_strv *paths, nvct_error **err) {
        nvct_strv dirs = { 0 };
        for (size_t i = 0; i < h->driver_dirs.n; i++) {
                nvct_strv_add(&dirs, h->driver_dirs.v[i]);
                /* libvdpau_nvidia lives in a vdpau/ subfolder. */
                nvct_strv_pushf(&dirs, "%s/vdpau",
                                strcmp(h->driver_dirs.v[i], "/") == 0 ? "" : h->driver_dirs.v[i]);
        }
        int r = dirs.failed ? CDIGEN_OOM(err) : 0;
        if (r == 0)
                r = nvct_driver_root_scan_libraries(h->root, h->driver_version,
                                                    (const char *const *)dirs.v,
                                                    cdigen_dotted_libraries, paths, err);
        if (r == 0)
                cdigen_sort(paths);
        nvct_strv_clear(&dirs);
        return r;
}

/* The libraries of `paths` (find_versioned_libraries) the list did not
 * name. */
static int add_versioned_libraries(cdigen_host *h, nvct_cdi_edits *edits, const nvct_strv *paths,
                                   nvct_error **err) {
        int r = 0;
        for (size_t i = 0; r == 0 && i < paths->n; i++) {
                if (cdigen_uniq_has(&h->mounted, paths->v[i]))
                        continue;
                const char *slash = strrchr(paths->v[i], '/');
                const char *base = slash != NULL ? slash + 1 : paths->v[i];
                /* NAME of NAME.so.VERSION or NAME.so.X.Y (the scan matched
                 * those forms). */
                const char *so = strstr(base, ".so.");
                _cleanup_free_ char *lib = strndup(base, so != NULL ? (size_t)(so - base) : 0);
                r = lib == NULL ? CDIGEN_OOM(err)
                                : cdigen_add_library_at(h, edits, lib, paths->v[i], err);
                if (r < 0)
                        nvct_error_prefix(err, "library %s", base);
        }
        return r;
}

static int add_binaries(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        for (const char *const *b = nvct_driver_binaries; *b != NULL; b++) {
                _cleanup_free_ char *found = NULL;
                int r = nvct_driver_root_find_binary(h->root, *b, &found, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0 || cdigen_add_mount(h, edits, found, found, NULL, err) < 0)
                        return -1;
        }
        return 0;
}

static int add_ipc(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        nvct_strv paths = { 0 };
        int r = nvct_driver_root_find_ipc(h->root, &paths, err);
        for (size_t i = 0; r == 0 && i < paths.n; i++)
                r = cdigen_add_mount(h, edits, paths.v[i], paths.v[i], ipc_extra_options, err);
        nvct_strv_clear(&paths);
        return r;
}

/* The GSP firmware, mounted where the kernel looks for it, whatever /lib
 * is in the driver root. */
static int add_firmware(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        nvct_strv paths = { 0 }, resolved = { 0 };
        int r = nvct_driver_root_find_firmware(h->root, h->driver_version, &paths, &resolved, err);
        for (size_t i = 0; r == 0 && i < paths.n; i++)
                r = cdigen_add_mount(h, edits, resolved.v[i], paths.v[i], NULL, err);
        nvct_strv_clear(&paths);
        nvct_strv_clear(&resolved);
        return r;
}

/* libnvidia-nvvm70.so.4: the older NVVM that drivers keep beside their own,
 * versioned apart from the driver (NVIDIA's generator mounts it too), in
 * the driver's folders (already open: one lookup each). */
static int add_legacy_nvvm(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        for (size_t i = 0; i < h->driver_dirs.n; i++) {
                _cleanup_free_ char *path =
                        nvct_strjoin3(h->driver_dirs.v[i], "/", "libnvidia-nvvm70.so.4");
                _cleanup_free_ char *found = NULL;
                mode_t type;
                if (path == NULL)
                        return CDIGEN_OOM(err);
                int r = nvct_driver_root_resolve_type(h->root, path, &found, &type, err);
                if (r == -ENOENT || (r == 0 && type != S_IFREG))
                        continue;
                if (r < 0)
                        return -1;
                return cdigen_add_library_at(h, edits, "libnvidia-nvvm70", found, err);
        }
        return 0;
}

/* The driver's libraries: the list first, by capability (utility,
 * compute, video, graphics, ngx), as libnvidia-container groups them; then
 * every other library of the version. */
static int add_libraries(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        nvct_strv versioned = { 0 };
        int r = find_driver_dirs(h, err);
        if (r == 0)
                r = find_versioned_libraries(h, &versioned, err);
        for (const char *const *lib = nvct_driver_libraries; r == 0 && *lib != NULL; lib++)
                if ((r = add_library(h, edits, *lib, err)) < 0)
                        nvct_error_prefix(err, "library %s", *lib);
        if (r == 0)
                r = add_versioned_libraries(h, edits, &versioned, err);
        nvct_strv_clear(&versioned);
        return r < 0 ? -1 : 0;
}

int cdigen_add_driver_files(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        if (add_libraries(h, edits, err) < 0 || add_legacy_nvvm(h, edits, err) < 0)
                return -1;
        if (add_binaries(h, edits, err) < 0 || add_ipc(h, edits, err) < 0 ||
            add_firmware(h, edits, err) < 0)
                return -1;
        return 0;
}

/* NVIDIA_CTK_LIBCUDA_DIR: the driver's library folders, ':'-separated, for
 * what in the container looks for libcuda's own folder (NVIDIA's hooks). */
static int add_libcuda_dir(const cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        if (h->driver_dirs.n == 0)
                return 0;
        size_t len = sizeof("NVIDIA_CTK_LIBCUDA_DIR=");
        for (size_t i = 0; i < h->driver_dirs.n; i++)
                len += strlen(h->driver_dirs.v[i]) + 1;
        _cleanup_free_ char *entry = malloc(len);
        if (entry == NULL)
                return CDIGEN_OOM(err);
        strcpy(entry, "NVIDIA_CTK_LIBCUDA_DIR=");
        for (size_t i = 0; i < h->driver_dirs.n; i++) {
                if (i > 0)
                        strcat(entry, ":");
                strcat(entry, h->driver_dirs.v[i]);
        }
        return nvct_cdi_edits_add_env(edits, entry, err);
}

int cdigen_add_common_hooks(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err) {
        if (add_libcuda_dir(h, edits, err) < 0)
                return -1;
        /* Links sorted by link path, folders by name, so that the output
         * does not depend on the order the cache lists them in. */
        if (h->links.list.n > 0) {
                cdigen_sort(&h->links.list);
                if (cdigen_add_hook(h, edits, NVCT_CDIGEN_HOOK_CREATE_SYMLINKS, "create-symlinks",
                                    NULL, "--link", &h->links.list, err) < 0)
                        return -1;
        }
        _cleanup_free_ char *compat = NULL;
        if (asprintf(&compat, "--host-driver-version=%s", h->driver_version) < 0) {
                compat = NULL;
                return CDIGEN_OOM(err);
        }
        const char *const compat_args[] = { compat, NULL };
        if (cdigen_add_hook(h, edits, NVCT_CDIGEN_HOOK_ENABLE_CUDA_COMPAT, "enable-cuda-compat",
                            compat_args, NULL, NULL, err) < 0)
                return -1;
        if (h->folders.list.n > 0) {
                cdigen_sort(&h->folders.list);
                const char *const args[] = { "--ldconfig-path", h->opt->ldconfig_path, NULL };
                if (cdigen_add_hook(h, edits, NVCT_CDIGEN_HOOK_UPDATE_LDCACHE, "update-ldcache",
                                    args, "--folder", &h->folders.list, err) < 0)
                        return -1;
        }
        if (cdigen_add_hook(h, edits, NVCT_CDIGEN_HOOK_DISABLE_DEVICE_NODE_MODIFICATION,
                            "disable-device-node-modification", NULL, NULL, NULL, err) < 0)
                return -1;
        /* EGL and Vulkan limited to the container's GPUs (NVIDIA's v1.20):
         * in nvml mode, whose devices are GPUs. */
        if (h->opt->mode != NVCT_CDIGEN_MODE_NVML)
                return 0;
        return cdigen_add_hook(h, edits, NVCT_CDIGEN_HOOK_UPDATE_APPLICATION_PROFILE,
                               "update-application-profile", NULL, NULL, NULL, err);
}

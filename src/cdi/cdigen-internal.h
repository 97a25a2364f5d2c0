/* SPDX-License-Identifier: Apache-2.0 */
/* What the generator's files (cdigen.c: devices; cdigen-libs.c: the
 * driver's files and the hooks every device shares; cdigen-graphics.c: the
 * DRM nodes and the graphics files) share while they build one spec. */
#ifndef NVCT_CDIGEN_INTERNAL_H
#define NVCT_CDIGEN_INTERNAL_H

#include <stdbool.h>

#include "cdigen.h"
#include "basic/strv.h"

/* Strings without duplicates: a strv in the order added, and a hash of its
 * strings (by pointer: the strv may be sorted), so that "is it there" does
 * not scan the list: the generator asks it for every file and link. */
typedef struct cdigen_uniq {
        nvct_strv list;
        const char **slots; /* NULL for none; mask + 1 of them */
        size_t mask;
} cdigen_uniq;

bool cdigen_uniq_has(const cdigen_uniq *u, const char *s);
/* Adds `s` (owned; freed when already there or on failure). */
int cdigen_uniq_add(cdigen_uniq *u, char *s, nvct_error **err);
void cdigen_uniq_clear(cdigen_uniq *u);

/* What the generator knows about the host while it builds the spec. */
typedef struct cdigen_host {
        const nvct_cdigen_options *opt;
        const nvct_driver_root *root; /* &own, or the caller's */
        nvct_driver_root own;
        char *dev_prefix; /* the dev root without a trailing '/'; "" for "/" */
        const char *driver_version;
        unsigned hooks;        /* NVCT_CDIGEN_HOOK_* that the spec may hold */
        const char *hook_cli;  /* "nvidia-cdi-hook", or "nvidia-ctk" (then "hook" follows) */
        cdigen_uniq mounted;   /* container paths already mounted */
        cdigen_uniq links;     /* "TARGET::LINK" */
        cdigen_uniq folders;   /* library folders, container paths */
        nvct_strv driver_dirs; /* the folders of libcuda / libnvidia-ml: NVIDIA_CTK_LIBCUDA_DIR */
        int by_path; /* the dev root's /dev/dri/by-path: 0 not looked at, 1 there, -1 not */
        cdigen_uniq found, absent; /* folders the graphics lookups asked about, by answer */
} cdigen_host;

#define CDIGEN_OOM(err) nvct_error_make((err), ENOMEM, "cannot build the spec")

/* The folder of an absolute path ("/" for a file at the top). NULL on OOM. */
char *cdigen_dir_of(const char *path);
/* Adds `s` (owned; freed when already there or on failure) to `list`
 * unless it holds it already. */
int cdigen_add_unique(nvct_strv *list, char *s, nvct_error **err);
void cdigen_sort(nvct_strv *list);

/* Mounts `path` of the driver root at the same path, read-only, once;
 * `extra` (NULL-terminated, may be NULL) options after the usual ones. */
int cdigen_add_mount(cdigen_host *h, nvct_cdi_edits *edits, const char *host_path_in_root,
                     const char *container_path, const char *const *extra, nvct_error **err);
/* The device node `path` under the dev root with its real type, numbers
 * and (when not world read-write) mode and group, added once; a missing
 * one is an error when `required`, else a warning. */
int cdigen_add_node(const cdigen_host *h, nvct_cdi_edits *edits, const char *path, bool required,
                    nvct_error **err);
/* additionalGids for the edits' nodes that carry a group: the group a
 * non-root process needs to open them. */
int cdigen_add_node_gids(nvct_cdi_edits *edits, nvct_error **err);
/* A createContainer hook running subcommand `name` of the hook program
 * with `args` (NULL-terminated, may be NULL), then `flag VALUE` for each
 * of `values` (may be NULL); nothing when the hook is disabled. */
int cdigen_add_hook(const cdigen_host *h, nvct_cdi_edits *edits, unsigned hook, const char *name,
                    const char *const *args, const char *flag, const nvct_strv *values,
                    nvct_error **err);

/* cdigen-devices.c: a device per GPU and MIG device (by the options'
 * selection and name strategies) and "all"; or, in management mode, one
 * "all" device with every NVIDIA node of the dev root. */
int cdigen_add_gpu_devices(cdigen_host *h, nvct_cdi_spec *spec, const nvct_nvml_info *info,
                           nvct_error **err);
int cdigen_add_management_device(cdigen_host *h, nvct_cdi_spec *spec, nvct_error **err);
/* The driver version without NVML: the file libcuda.so.1 (else
 * libnvidia-ml.so.1) resolves to, NAME.so.VERSION. */
int cdigen_driver_version_from_files(cdigen_host *h, char **ret_version, nvct_error **err);

/* cdigen-libs.c: the driver's libraries (by version, from the cache and
 * the driver's library folders), binaries, IPC sockets, firmware; the
 * links and folders they need noted in h. */
extern const char *const cdigen_dotted_libraries[];
int cdigen_add_driver_files(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err);
/* Mounts library `lib` found at `path` (in the root) and notes its links
 * and folder. */
int cdigen_add_library_at(cdigen_host *h, nvct_cdi_edits *edits, const char *lib, const char *path,
                          nvct_error **err);
/* The env and hooks every device shares, after the files: the links, CUDA
 * compat, the linker cache, no device node changes, the application
 * profile (nvml mode). */
int cdigen_add_common_hooks(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err);

/* cdigen-graphics.c: a GPU's DRM card and render nodes, found through the
 * dev root's /dev/dri/by-path links of its PCI bus id, and the hook that
 * recreates those links in the container. */
int cdigen_add_drm_nodes(cdigen_host *h, nvct_cdi_edits *edits, const char *pci_bus_id,
                         nvct_error **err);
/* The graphics files: Vulkan ICD and layers, EGL vendor and external
 * platform files and their libraries, nvoptix.bin, the Xorg driver and GLX
 * module, and the links they need (noted in h). */
int cdigen_add_graphics(cdigen_host *h, nvct_cdi_edits *edits, nvct_error **err);

#endif

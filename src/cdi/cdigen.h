/* SPDX-License-Identifier: Apache-2.0 */
/* `nvidia-ctk cdi generate`: a CDI spec for the GPUs of a host, found on a
 * driver root (where the driver's user-space files are) and a dev root
 * (where its device nodes are): GPUs and MIG devices from NVML, device nodes
 * by stat, libraries from the driver root's ld.so.cache matched to the driver
 * version, binaries, IPC sockets and GSP firmware by presence. The driver
 * and dev roots are the administrator's, trusted like any host path; they are
 * still read with bounded sizes. */
#ifndef NVCT_CDIGEN_H
#define NVCT_CDIGEN_H

#include <stdbool.h>

#include "cdi.h"
#include "basic/error.h"
#include "driver/nvml.h"
#include "driver/root.h"

/* --device-name-strategy values; a bit set of them. */
enum {
        NVCT_CDI_NAME_INDEX = 1 << 0,      /* "0", MIG "0:1" */
        NVCT_CDI_NAME_UUID = 1 << 1,       /* "GPU-...", "MIG-..." */
        NVCT_CDI_NAME_TYPE_INDEX = 1 << 2, /* "gpu0", MIG "mig0:1" */
};

/* "index", "uuid", "type-index" to its bit; -1 with an error otherwise. */
int nvct_cdigen_strategy_parse(const char *name, unsigned *ret_bit, nvct_error **err);

/* The hooks a spec may hold, by the subcommand names NVIDIA's generator
 * uses for --disable-hook / --enable-hook. chmod is off unless enabled (as
 * in NVIDIA's v1.18+); create-soname-symlinks is a name NVIDIA's flags
 * accept that this generator never emits. */
enum {
        NVCT_CDIGEN_HOOK_CREATE_SYMLINKS = 1 << 0,
        NVCT_CDIGEN_HOOK_UPDATE_LDCACHE = 1 << 1,
        NVCT_CDIGEN_HOOK_ENABLE_CUDA_COMPAT = 1 << 2,
        NVCT_CDIGEN_HOOK_DISABLE_DEVICE_NODE_MODIFICATION = 1 << 3,
        NVCT_CDIGEN_HOOK_CHMOD = 1 << 4,
        NVCT_CDIGEN_HOOK_UPDATE_APPLICATION_PROFILE = 1 << 5,
        NVCT_CDIGEN_HOOK_CREATE_SONAME_SYMLINKS = 1 << 6,
        NVCT_CDIGEN_HOOK_ALL = (1 << 7) - 1,
        NVCT_CDIGEN_HOOK_DEFAULT_OFF = NVCT_CDIGEN_HOOK_CHMOD,
};

/* A hook's name (or "all" when `all_ok`) to its bits; -1 with an error
 * naming the value otherwise. */
int nvct_cdigen_hook_parse(const char *name, bool all_ok, unsigned *ret_bits, nvct_error **err);

typedef enum nvct_cdigen_mode {
        NVCT_CDIGEN_MODE_NVML = 0,   /* devices from NVML */
        NVCT_CDIGEN_MODE_MANAGEMENT, /* one "all" device with every NVIDIA node; no NVML */
} nvct_cdigen_mode;

/* "nvml", "management" ("auto" is nvml here); -1 with an error otherwise. */
int nvct_cdigen_mode_parse(const char *name, nvct_cdigen_mode *ret_mode, nvct_error **err);

typedef struct nvct_cdigen_options {
        const char *driver_root;   /* absolute; "/" for the host's own driver */
        const char *dev_root;      /* absolute; NULL: the driver root */
        const char *vendor;        /* "nvidia.com" */
        const char *class_name;    /* "gpu" */
        unsigned strategies;       /* NVCT_CDI_NAME_*; 0: index and uuid */
        const char *hook_path;     /* nvidia-cdi-hook, as the container runtime runs it */
        const char *ldconfig_path; /* host path, passed to update-ldcache */
        const char *const *library_search_paths; /* NULL-terminated; may be NULL */
        /* What NVML reported, when the caller has queried it already
         * (nvct_cdigen_query_nvml): the generator then does not load NVML.
         * NULL: the generator queries it. */
        const nvct_nvml_info *nvml_info;
        /* The driver root opened already (nvct_driver_root_open; borrowed,
         * its warn callback used as it is): what nvct_cdigen_query_nvml_root
         * looked up there is not looked up again. NULL: the generator opens
         * driver_root with library_search_paths. */
        const nvct_driver_root *root;
        /* Which GPUs (by NVML index, nvml_info's n_gpus entries) get devices,
         * with their MIG devices; "all" holds just those. NULL: every GPU. */
        const bool *gpu_selected;
        nvct_cdigen_mode mode;
        /* --disable-hook / --enable-hook: NVCT_CDIGEN_HOOK_* bits; enabled
         * wins. 0 and 0: the default set. */
        unsigned disabled_hooks, enabled_hooks;
        /* --device-id: NULL-terminated GPU and MIG indexes ("0", "0:1") and
         * UUIDs, "all" or "none"; NULL: all. Devices for those only (a GPU's
         * MIG devices are named on their own). */
        const char *const *device_ids;
        bool no_all_device; /* no "all" device */
        /* Called with each warning (a node or file that is absent); may be NULL. */
        nvct_warn_fn warn;
        void *userdata;
} nvct_cdigen_options;

/* Builds the spec. *ret_info (optional; untouched when the options give
 * nvml_info, empty in management mode) receives what NVML reported, for a
 * summary. Fails when NVML cannot be loaded or initialised, reports no GPU,
 * a GPU's device node is missing, a --device-id names no device, or (in
 * management mode, which loads no NVML) the root has no driver library or
 * NVIDIA node: the message names the root, file or value. */
int nvct_cdigen_generate(const nvct_cdigen_options *options, nvct_cdi_spec *ret_spec,
                         nvct_nvml_info *ret_info, nvct_error **err);

/* What NVML says about the driver root's GPUs: libnvidia-ml.so.1 found as
 * the generator finds it (the root's ld.so.cache, then its library
 * directories), loaded and queried. */
int nvct_cdigen_query_nvml(const char *driver_root, nvct_nvml_info *ret_info, nvct_error **err);
/* The same on a driver root opened already, kept for a generation
 * (nvct_cdigen_options.root): the root's path, realpath and ld.so.cache,
 * and the libraries looked up, are read once. */
int nvct_cdigen_query_nvml_root(const nvct_driver_root *root, nvct_nvml_info *ret_info,
                                nvct_error **err);

#endif

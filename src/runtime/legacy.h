/* SPDX-License-Identifier: Apache-2.0 */
/* Legacy mode: the OCI prestart hook (nvidia-container-runtime-hook, which
 * runs nvidia-container-cli) gives the container its GPUs. The wrapper adds
 * the hook to GPU containers only, and adds device cgroup rules for the GPUs
 * the CLI will give it: the CLI writes its rules into the cgroup directly,
 * so a `systemctl daemon-reload`, which rewrites a unit's device rules from
 * what the runtime configured, would otherwise cut a running container off
 * its GPUs. */
#ifndef NVCT_RUNTIME_LEGACY_H
#define NVCT_RUNTIME_LEGACY_H

#include <stdbool.h>

#include "basic/error.h"
#include "driver/nvml.h"
#include "oci/edit.h"

typedef struct nvct_legacy_options {
        const char *hook_path; /* absolute: the prestart hook's path */
        /* Where the device nodes are: "/" (or the driver container's root,
         * nvidia-container-cli.root). */
        const char *dev_root;
        /* The GPUs requested (nvml->n_gpus flags); NULL nvml: no GPU rule
         * (NVML did not load), the control nodes' rules still. */
        const nvct_nvml_info *nvml;
        const bool *selected;
        nvct_warn_fn warn;
        void *userdata;
} nvct_legacy_options;

/* Adds the prestart hook {path, args: [basename(path), "prestart"]} unless a
 * prestart hook named nvidia-container-runtime-hook or
 * nvidia-container-toolkit is there already, and an allow rule ("rw", what
 * nvidia-container-cli grants) in linux.resources.devices for each control
 * node (nvidiactl, nvidia-uvm, nvidia-uvm-tools, nvidia-modeset) present
 * under dev_root and each requested GPU's /dev/nvidiaN, unless the same rule
 * is there. */
/* Whether a hook of config.json is NVIDIA's OCI hook: its path's basename
 * is nvidia-container-runtime-hook or nvidia-container-toolkit (1.3.0's
 * name). A predicate for nvct_oci_edit_remove_hooks; userdata unused. */
bool nvct_runtime_is_nvidia_hook(const nvct_document_node *hook, void *userdata);

int nvct_runtime_legacy_modify(nvct_oci_edit *edit, const nvct_legacy_options *options,
                               nvct_error **err);

#endif

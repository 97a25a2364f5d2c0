/* SPDX-License-Identifier: Apache-2.0 */
/* The CDI modes (cdi, jit-cdi): the container's device names are resolved
 * through the CDI registry (the spec directories, and in jit-cdi a spec
 * generated in memory) and the specs' edits are applied to config.json. */
#ifndef NVCT_RUNTIME_CDIMODE_H
#define NVCT_RUNTIME_CDIMODE_H

#include <stddef.h>

#include "basic/error.h"
#include "basic/strv.h"
#include "cdi/cdi.h"
#include "oci/edit.h"

/* The kind of the devices jit-cdi generates, as NVIDIA names it. */
#define NVCT_JIT_CDI_KIND "runtime.nvidia.com/gpu"

typedef struct nvct_cdi_mode_options {
        const nvct_strv *names; /* qualified CDI names, in request order */
        /* Searched for names not in `generated`; NULL or empty: none. */
        const nvct_strv *spec_dirs;
        /* jit-cdi's spec (taken over and emptied); NULL in cdi mode. */
        nvct_cdi_spec *generated;
} nvct_cdi_mode_options;

/* Removes the prestart hooks named nvidia-container-runtime-hook or
 * nvidia-container-toolkit (docker's --gpus inserts one; in a CDI mode it
 * would run nvidia-container-cli, which such a host may not have), then
 * resolves every name and applies the edits. An unresolvable name fails,
 * naming it and the directories searched; nothing is changed then. */
int nvct_runtime_cdi_modify(nvct_oci_edit *edit, const nvct_cdi_mode_options *options,
                            nvct_error **err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Which of the host's GPUs (as NVML lists them) a container's device names
 * select: what legacy mode's device rules, jit-cdi's spec and the
 * requirement checks are about. */
#ifndef NVCT_RUNTIME_GPUS_H
#define NVCT_RUNTIME_GPUS_H

#include <stdbool.h>
#include <stddef.h>

#include "driver/nvml.h"

/* Marks in selected[0..info->n_gpus) the GPUs that `name` (a bare device
 * name) selects, read as nvidia-container-cli reads it: "all", a UUID
 * "GPU-..." or "MIG-..." (its parent), a PCI bus ID "0000:3b:00.0", an NVML
 * index "0", a MIG device "0:1" (its parent, when NVML lists the MIG
 * device); "all", UUIDs and bus IDs in any case. Then the CDI names "gpu0" and "mig0:1". Returns
 * whether the name matched anything. */
bool nvct_runtime_select_gpus(const nvct_nvml_info *info, const char *name, bool *selected);

/* The device part of a qualified CDI name of kind `kind` ("nvidia.com/gpu=0"
 * -> "0"); NULL for a name of another kind. A bare name is itself. */
const char *nvct_runtime_device_part(const char *name, const char *kind);

#endif

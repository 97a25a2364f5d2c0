/* SPDX-License-Identifier: Apache-2.0 */
/* The container's requirements (NVIDIA_REQUIRE_*, a legacy image's
 * CUDA_VERSION), checked in the CDI modes against what NVML reports: in
 * legacy mode nvidia-container-cli checks them. */
#ifndef NVCT_RUNTIME_REQUIREMENTS_H
#define NVCT_RUNTIME_REQUIREMENTS_H

#include <stdbool.h>

#include "basic/error.h"
#include "driver/nvml.h"
#include "policy/decision.h"

/* Checks every requirement of `request` against the host (`nvml`) and the
 * GPUs the container gets (selected[0..nvml->n_gpus)). The first unmet or
 * malformed one fails, naming the requirement, its variable and the host's
 * value. */
int nvct_runtime_check_requirements(const nvct_request *request, const nvct_nvml_info *nvml,
                                    const bool *selected, nvct_error **err);

#endif

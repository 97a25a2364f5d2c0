/* SPDX-License-Identifier: Apache-2.0 */
/* What the decision reads of config.json, as a filter for the reader
 * (oci/oci.h): the hook keeps only that, so that its memory stays flat
 * however large the image's environment or its mount list. */
#ifndef NVCT_SPECFILTER_H
#define NVCT_SPECFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "config/hookconfig.h"
#include "oci/oci.h"

/* The variables decision.c reads: NVIDIA_*, CUDA_VERSION, and the config's
 * swarm-resource (`config`, a const nvct_hook_config *). */
bool nvct_decision_reads_env(const char *name, size_t len, const void *config);

/* The filter for `config`: the variables above; the /dev/null mounts under
 * NVCT_DEVICE_LIST_MOUNT_ROOT, and none unless the config accepts volume
 * mounts. It points into `config`, which must outlive it. */
nvct_spec_filter nvct_decision_spec_filter(const nvct_hook_config *config);

#endif

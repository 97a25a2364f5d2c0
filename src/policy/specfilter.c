/* SPDX-License-Identifier: Apache-2.0 */
#include "specfilter.h"

#include <string.h>

#include "decision.h"

/* Called for every entry of the image's environment: the fixed-size
 * comparisons compile to a few instructions each. The names are decision.c's
 * (ENV_*); a variable it starts reading must be added here. */
bool nvct_decision_reads_env(const char *name, size_t len, const void *config) {
        if (len >= 7 && memcmp(name, "NVIDIA_", 7) == 0)
                return true;
        if (len == 12 && memcmp(name, "CUDA_VERSION", 12) == 0)
                return true;
        const char *swarm = ((const nvct_hook_config *)config)->swarm_resource;
        return swarm != NULL && strlen(swarm) == len && memcmp(swarm, name, len) == 0;
}

nvct_spec_filter nvct_decision_spec_filter(const nvct_hook_config *config) {
        return (nvct_spec_filter){
                .keep_env = nvct_decision_reads_env,
                .keep_env_data = config,
                .drop_mounts = !config->accept_volume_mounts,
                .mount_prefix = NVCT_DEVICE_LIST_MOUNT_ROOT,
        };
}

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
        if (swarm == NULL)
                return false;
        if (strchr(swarm, ',') == NULL)
                return strlen(swarm) == len && memcmp(swarm, name, len) == 0;
        /* Several names (decision.c's devices_from_swarm_list): each
         * trimmed as it trims them. */
        for (const char *p = swarm;;) {
                const char *comma = strchr(p, ',');
                size_t n = comma ? (size_t)(comma - p) : strlen(p);
                const char *e = p;
                while (n > 0 && strchr(" \t\n\v\f\r", e[0]) != NULL && e[0] != '\0') {
                        e++;
                        n--;
                }
                while (n > 0 && strchr(" \t\n\v\f\r", e[n - 1]) != NULL && e[n - 1] != '\0')
                        n--;
                if (n == len && memcmp(e, name, len) == 0)
                        return true;
                if (comma == NULL)
                        return false;
                p = comma + 1;
        }
}

nvct_spec_filter nvct_decision_spec_filter(const nvct_hook_config *config) {
        return (nvct_spec_filter){
                .keep_env = nvct_decision_reads_env,
                .keep_env_data = config,
                .drop_mounts = !config->accept_volume_mounts,
                .mount_prefix = NVCT_DEVICE_LIST_MOUNT_ROOT,
        };
}

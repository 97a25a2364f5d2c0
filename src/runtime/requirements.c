/* SPDX-License-Identifier: Apache-2.0 */
#include "requirements.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "basic/cleanup.h"
#include "policy/require.h"

typedef struct gpu_facts {
        char arch[24];
} gpu_facts;

int nvct_runtime_check_requirements(const nvct_request *req, const nvct_nvml_info *nvml,
                                    const bool *selected, nvct_error **err) {
        char cuda[32] = "";
        if (nvml->cuda_driver_version > 0)
                snprintf(cuda, sizeof(cuda), "%d.%d", nvml->cuda_driver_version / 1000,
                         nvml->cuda_driver_version % 1000 / 10);
        _cleanup_free_ nvct_require_gpu *gpus = calloc(nvml->n_gpus + 1, sizeof(*gpus));
        _cleanup_free_ gpu_facts *facts = calloc(nvml->n_gpus + 1, sizeof(*facts));
        if (gpus == NULL || facts == NULL)
                return nvct_error_make(err, ENOMEM, "requirements");
        size_t n = 0;
        for (size_t g = 0; g < nvml->n_gpus; g++) {
                const nvct_gpu_info *gpu = &nvml->gpus[g];
                if (!selected[g])
                        continue;
                if (gpu->cc_major >= 0 && gpu->cc_minor >= 0) {
                        snprintf(facts[n].arch, sizeof(facts[n].arch), "%d.%d", gpu->cc_major,
                                 gpu->cc_minor);
                        gpus[n].arch = facts[n].arch;
                }
                gpus[n].brand = gpu->brand >= 0 ? nvct_require_brand_name(gpu->brand) : NULL;
                n++;
        }
        const nvct_require_host host = {
                .cuda = cuda[0] ? cuda : NULL,
                .driver = nvml->driver_version[0] ? nvml->driver_version : NULL,
                .gpus = gpus,
                .n_gpus = n,
        };
        for (size_t i = 0; i < req->n_requirements; i++) {
                const nvct_requirement *r = &req->requirements[i];
                if (nvct_require_check(r->value, r->value_len, r->origin, &host, err) < 0)
                        return -1;
        }
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "gpus.h"

#include <stdlib.h>
#include <string.h>

/* "123" -> 123; -1 for anything else (no sign, no space, at most 9 digits:
 * far above NVCT_NVML_MAX_GPUS, below any overflow). */
static long parse_index(const char *s, size_t len) {
        if (len == 0 || len > 9)
                return -1;
        long v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

static bool mark(const nvct_nvml_info *info, long index, bool *selected) {
        if (index < 0 || (size_t)index >= info->n_gpus)
                return false;
        selected[index] = true;
        return true;
}

bool nvct_runtime_select_gpus(const nvct_nvml_info *info, const char *name, bool *selected) {
        if (strcmp(name, "all") == 0) {
                for (size_t g = 0; g < info->n_gpus; g++)
                        selected[g] = true;
                return info->n_gpus > 0;
        }
        size_t len = strlen(name);
        long index = parse_index(name, len);
        if (index >= 0)
                return mark(info, index, selected);
        if (strncmp(name, "gpu", 3) == 0 && (index = parse_index(name + 3, len - 3)) >= 0)
                return mark(info, index, selected);
        const char *colon = strchr(name, ':');
        if (colon != NULL && parse_index(colon + 1, strlen(colon + 1)) >= 0) {
                const char *gpu = name;
                if (strncmp(name, "mig", 3) == 0)
                        gpu += 3;
                return mark(info, parse_index(gpu, (size_t)(colon - gpu)), selected);
        }
        for (size_t g = 0; g < info->n_gpus; g++) {
                const nvct_gpu_info *gpu = &info->gpus[g];
                if (strcmp(gpu->uuid, name) == 0)
                        return mark(info, (long)g, selected);
                for (size_t m = 0; m < gpu->n_migs; m++)
                        if (strcmp(gpu->migs[m].uuid, name) == 0)
                                return mark(info, (long)g, selected);
        }
        return false;
}

const char *nvct_runtime_device_part(const char *name, const char *kind) {
        const char *eq = strchr(name, '=');
        if (eq == NULL)
                return name;
        size_t n = strlen(kind);
        if ((size_t)(eq - name) != n || strncmp(name, kind, n) != 0)
                return NULL;
        return eq + 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "gpus.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* MIG device `mig` (its position among the GPU's) of GPU `gpu`: marks the
 * GPU when there is such a device, as nvidia-container-cli selects one. */
static bool mark_mig(const nvct_nvml_info *info, unsigned long gpu, unsigned long mig,
                     bool *selected) {
        if (gpu >= info->n_gpus || mig >= info->gpus[gpu].n_migs)
                return false;
        return mark(info, (long)gpu, selected);
}

/* The GPU whose UUID, or one of whose MIG devices' UUID, is `name`, in any
 * case (nvidia-container-cli compares them with strcasecmp); -1 if none. */
static long find_uuid(const nvct_nvml_info *info, const char *name) {
        for (size_t g = 0; g < info->n_gpus; g++) {
                const nvct_gpu_info *gpu = &info->gpus[g];
                if (gpu->uuid[0] != '\0' && strcasecmp(gpu->uuid, name) == 0)
                        return (long)g;
                for (size_t m = 0; m < gpu->n_migs; m++)
                        if (gpu->migs[m].uuid[0] != '\0' &&
                            strcasecmp(gpu->migs[m].uuid, name) == 0)
                                return (long)g;
        }
        return -1;
}

/* The GPU at the PCI bus ID `name` as nvidia-container-cli reads one (its
 * matches_pci_format: the same sscanf, so "0:3b:0" is NVML's
 * "00000000:3B:00.0"); -1 if none. */
static long find_bus_id(const nvct_nvml_info *info, const char *name) {
        unsigned domain, bus, device;
        char want[NVCT_NVML_BUS_ID_SIZE + 16];
        if (sscanf(name, "%x:%02x:%02x.0", &domain, &bus, &device) != 3)
                return -1;
        snprintf(want, sizeof(want), "%08x:%02x:%02x.0", domain, bus, device);
        for (size_t g = 0; g < info->n_gpus; g++)
                if (info->gpus[g].pci_bus_id[0] != '\0' &&
                    strncasecmp(info->gpus[g].pci_bus_id, want, strlen(want)) == 0)
                        return (long)g;
        return -1;
}

/* Legacy mode's device rules must be for the GPUs nvidia-container-cli
 * gives the container: fewer, and a daemon-reload cuts it off a GPU it
 * has; more, and it may mknod a GPU it was not given. So the CLI's names
 * (its select_devices) are read as it reads them, with the same calls:
 * "all" in any case, a UUID in any case, a PCI bus ID, an index (strtoumax,
 * all of the name), a MIG device "GPU:MIG" (sscanf "%lu:%lu"; its parent,
 * when NVML lists the device). Matched byte for byte, without bus IDs,
 * "ALL", a lower-case UUID or a bus ID got the GPUs from the CLI but no
 * rule. Then the CDI names the CLI does not know: "gpuN" and "migI:J". */
bool nvct_runtime_select_gpus(const nvct_nvml_info *info, const char *name, bool *selected) {
        if (strcasecmp(name, "all") == 0) {
                for (size_t g = 0; g < info->n_gpus; g++)
                        selected[g] = true;
                return info->n_gpus > 0;
        }
        size_t len = strlen(name);
        long index = find_uuid(info, name);
        if (index < 0)
                index = find_bus_id(info, name);
        if (index >= 0)
                return mark(info, index, selected);
        char *end = NULL;
        uintmax_t n = strtoumax(name, &end, 10);
        if (len > 0 && *end == '\0' && n < UINTMAX_MAX)
                return n < info->n_gpus && mark(info, (long)n, selected);
        unsigned long gpu = 0, mig = 0;
        if (sscanf(name, "%lu:%lu", &gpu, &mig) == 2)
                return mark_mig(info, gpu, mig, selected);
        if (strncmp(name, "gpu", 3) == 0 && (index = parse_index(name + 3, len - 3)) >= 0)
                return mark(info, index, selected);
        const char *colon = strchr(name, ':');
        long m;
        if (strncmp(name, "mig", 3) == 0 && colon != NULL &&
            (index = parse_index(name + 3, (size_t)(colon - name - 3))) >= 0 &&
            (m = parse_index(colon + 1, strlen(colon + 1))) >= 0)
                return mark_mig(info, (unsigned long)index, (unsigned long)m, selected);
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

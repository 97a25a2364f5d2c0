/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "nvml.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"
#include "basic/quote.h"

/* ---- NVML's ABI, from its documented interface ----
 * nvmlReturn_t and nvmlBrandType_t are C enums: int-sized on every Linux ABI
 * the driver ships for. nvmlDevice_t is an opaque pointer. */
typedef int nvmlReturn_t;
typedef struct nvml_device_opaque *nvmlDevice_t;

/* nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it. */
typedef struct nvml_pci_info {
        char busIdLegacy[16];
        unsigned int domain;
        unsigned int bus;
        unsigned int device;
        unsigned int pciDeviceId;
        unsigned int pciSubSystemId;
        char busId[32];
} nvml_pci_info;

#define NVML_SUCCESS 0
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NOT_FOUND 6
#define NVML_DEVICE_MIG_ENABLE 1u

typedef struct nvml_api {
        const char *path;      /* quoted, for messages */
        const char *init_name; /* nvmlInit_v2, or nvmlInit on old drivers */
        const char *cuda_version_name;
        nvmlReturn_t (*init)(void);
        nvmlReturn_t (*shutdown)(void);
        const char *(*error_string)(nvmlReturn_t);
        nvmlReturn_t (*get_driver_version)(char *, unsigned int);
        nvmlReturn_t (*get_cuda_driver_version)(int *);
        nvmlReturn_t (*get_count)(unsigned int *);
        nvmlReturn_t (*get_handle_by_index)(unsigned int, nvmlDevice_t *);
        nvmlReturn_t (*get_uuid)(nvmlDevice_t, char *, unsigned int);
        nvmlReturn_t (*get_minor_number)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*get_pci_info)(nvmlDevice_t, nvml_pci_info *);
        nvmlReturn_t (*get_name)(nvmlDevice_t, char *, unsigned int);
        nvmlReturn_t (*get_brand)(nvmlDevice_t, int *);
        nvmlReturn_t (*get_cuda_compute_capability)(nvmlDevice_t, int *, int *);
        /* MIG: all of them, or MIG is not used (drivers before R450). */
        bool has_mig;
        nvmlReturn_t (*get_mig_mode)(nvmlDevice_t, unsigned int *, unsigned int *);
        nvmlReturn_t (*get_max_mig_device_count)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*get_mig_device_handle_by_index)(nvmlDevice_t, unsigned int, nvmlDevice_t *);
        nvmlReturn_t (*get_gpu_instance_id)(nvmlDevice_t, unsigned int *);
        nvmlReturn_t (*get_compute_instance_id)(nvmlDevice_t, unsigned int *);
} nvml_api;

/* The longest error string of NVML's we read: the library is not trusted to
 * terminate it. */
#define NVML_ERROR_STRING_MAX 256

const char *nvct_nvml_brand_name(int brand) {
        static const char *const names[] = {
                [0] = "Unknown",
                [1] = "Quadro",
                [2] = "Tesla",
                [3] = "NVS",
                [4] = "Grid",
                [5] = "GeForce",
                [6] = "Titan",
                [7] = "NVIDIA vApps",
                [8] = "NVIDIA Virtual PC",
                [9] = "NVIDIA Virtual Compute Server",
                [10] = "NVIDIA RTX Virtual Workstation",
                [11] = "NVIDIA Cloud Gaming",
                [12] = "Quadro RTX",
                [13] = "NVIDIA RTX",
                [14] = "NVIDIA",
                [15] = "GeForce RTX",
                [16] = "Titan RTX",
        };
        if (brand < 0 || (size_t)brand >= ARRAY_SIZE(names))
                return "Unknown";
        return names[brand];
}

void nvct_nvml_info_clear(nvct_nvml_info *info) {
        if (info == NULL)
                return;
        for (size_t i = 0; i < info->n_gpus; i++)
                free(info->gpus[i].migs);
        free(info->gpus);
        memset(info, 0, sizeof(*info));
}

static void dlclosep(void **handle) {
        if (*handle != NULL)
                dlclose(*handle);
}

/* "<path>: <call>[ for <subject>]: <NVML's message> (NVML error <rc>)". */
static int nvml_fail(const nvml_api *api, const char *call, const char *subject, nvmlReturn_t rc,
                     nvct_error **err) {
        const char *s = api->error_string != NULL ? api->error_string(rc) : NULL;
        /* NVML's message comes from the library we loaded: shown quoted. */
        _cleanup_free_ char *q =
                s != NULL ? nvct_quote(s, strnlen(s, NVML_ERROR_STRING_MAX)) : NULL;
        return nvct_error_make(err, 0, "%s: %s%s%s failed: %s (NVML error %d)", api->path, call,
                               subject[0] != '\0' ? " for " : "", subject,
                               q != NULL ? q : "no error string", rc);
}

static bool is_alnum(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* UUIDs and PCI bus ids become CDI device names, file names and hook
 * arguments: an alphanumeric first character (never '-' for an option, nor
 * '.' for "." and ".."), then only [A-Za-z0-9:.-]. The driver version
 * becomes a file name suffix: the same without ':'. */
static bool is_id(const char *s, bool colon) {
        if (!is_alnum(s[0]))
                return false;
        for (size_t i = 1; s[i] != '\0'; i++)
                if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '-' && (!colon || s[i] != ':'))
                        return false;
        return true;
}

enum string_kind { STRING_ID, STRING_VERSION, STRING_TEXT };

/* A buffer the library filled: refused unless NUL terminated within its size
 * (a cut value would be a wrong value), then checked by kind. */
static int check_string(const nvml_api *api, const char *call, const char *subject, char *buf,
                        size_t size, enum string_kind kind, nvct_error **err) {
        const char *sep = subject[0] != '\0' ? " for " : "";
        if (memchr(buf, '\0', size) == NULL) {
                buf[size - 1] = '\0';
                _cleanup_free_ char *q = nvct_quote(buf, size - 1);
                return nvct_error_make(err, 0,
                                       "%s: %s%s%s returned %s..., not NUL terminated "
                                       "within %zu bytes",
                                       api->path, call, sep, subject, q ? q : "?", size);
        }
        size_t len = strlen(buf);
        bool ok;
        const char *rule;
        switch (kind) {
        case STRING_ID:
                ok = is_id(buf, true);
                rule = "expected [A-Za-z0-9:.-] starting with a letter or digit";
                break;
        case STRING_VERSION:
                ok = is_id(buf, false);
                rule = "expected [A-Za-z0-9.-] starting with a letter or digit";
                break;
        default:
                ok = nvct_is_printable(buf, len);
                rule = "expected printable ASCII";
                break;
        }
        if (!ok) {
                _cleanup_free_ char *q = nvct_quote(buf, len);
                return nvct_error_make(err, 0, "%s: %s%s%s returned %s: %s", api->path, call, sep,
                                       subject, q ? q : "?", rule);
        }
        return 0;
}

#define LOAD(handle, field, name) (api->field = (__typeof__(api->field))dlsym(handle, name))

static int missing_symbol(const nvml_api *api, const char *name, nvct_error **err) {
        return nvct_error_make(err, 0, "%s: symbol %s not found: not an NVML library, or too old",
                               api->path, name);
}

#define REQUIRE(handle, field, name)                                                               \
        do {                                                                                       \
                if (LOAD(handle, field, name) == NULL)                                             \
                        return missing_symbol(api, name, err);                                     \
        } while (0)

static int load_api(void *handle, nvml_api *api, nvct_error **err) {
        /* The _v2/_v3 entry points where NVML has versioned one, falling back
         * to the unversioned one only where its ABI is the same. */
        api->init_name = "nvmlInit_v2";
        if (LOAD(handle, init, "nvmlInit_v2") == NULL) {
                api->init_name = "nvmlInit";
                if (LOAD(handle, init, "nvmlInit") == NULL)
                        return missing_symbol(api, "nvmlInit_v2", err);
        }
        api->cuda_version_name = "nvmlSystemGetCudaDriverVersion_v2";
        if (LOAD(handle, get_cuda_driver_version, "nvmlSystemGetCudaDriverVersion_v2") == NULL) {
                api->cuda_version_name = "nvmlSystemGetCudaDriverVersion";
                /* Only descriptive: unknown (0) without it. */
                LOAD(handle, get_cuda_driver_version, "nvmlSystemGetCudaDriverVersion");
        }
        REQUIRE(handle, shutdown, "nvmlShutdown");
        LOAD(handle, error_string, "nvmlErrorString"); /* messages only */
        REQUIRE(handle, get_driver_version, "nvmlSystemGetDriverVersion");
        REQUIRE(handle, get_count, "nvmlDeviceGetCount_v2");
        REQUIRE(handle, get_handle_by_index, "nvmlDeviceGetHandleByIndex_v2");
        REQUIRE(handle, get_uuid, "nvmlDeviceGetUUID");
        REQUIRE(handle, get_minor_number, "nvmlDeviceGetMinorNumber");
        /* What only describes a GPU (nothing in a spec depends on it) may
         * be missing: the GPU is then described as unknown. */
        LOAD(handle, get_pci_info, "nvmlDeviceGetPciInfo_v3");
        LOAD(handle, get_name, "nvmlDeviceGetName");
        LOAD(handle, get_brand, "nvmlDeviceGetBrand");
        LOAD(handle, get_cuda_compute_capability, "nvmlDeviceGetCudaComputeCapability");

        bool mig = true;
        mig &= LOAD(handle, get_mig_mode, "nvmlDeviceGetMigMode") != NULL;
        mig &= LOAD(handle, get_max_mig_device_count, "nvmlDeviceGetMaxMigDeviceCount") != NULL;
        mig &= LOAD(handle, get_mig_device_handle_by_index,
                    "nvmlDeviceGetMigDeviceHandleByIndex") != NULL;
        mig &= LOAD(handle, get_gpu_instance_id, "nvmlDeviceGetGpuInstanceId") != NULL;
        mig &= LOAD(handle, get_compute_instance_id, "nvmlDeviceGetComputeInstanceId") != NULL;
        api->has_mig = mig;
        return 0;
}

static int query_mig(const nvml_api *api, nvmlDevice_t parent, nvct_gpu_info *gpu,
                     nvct_error **err) {
        char subject[64];
        snprintf(subject, sizeof(subject), "GPU %u", gpu->index);

        unsigned int max = 0;
        nvmlReturn_t rc = api->get_max_mig_device_count(parent, &max);
        if (rc != NVML_SUCCESS)
                return nvml_fail(api, "nvmlDeviceGetMaxMigDeviceCount", subject, rc, err);
        if (max > NVCT_NVML_MAX_MIGS_PER_GPU)
                return nvct_error_make(err, 0,
                                       "%s: nvmlDeviceGetMaxMigDeviceCount for %s returned %u, "
                                       "more than the %u MIG devices a GPU may have here",
                                       api->path, subject, max, NVCT_NVML_MAX_MIGS_PER_GPU);
        if (max == 0)
                return 0;

        _cleanup_free_ nvct_mig_info *migs = calloc(max, sizeof(*migs));
        if (migs == NULL)
                return nvct_error_make(err, 0, "out of memory");
        size_t n = 0;
        for (unsigned int i = 0; i < max; i++) {
                nvmlDevice_t dev = NULL;
                rc = api->get_mig_device_handle_by_index(parent, i, &dev);
                if (rc == NVML_ERROR_NOT_FOUND)
                        continue; /* an empty slot */
                snprintf(subject, sizeof(subject), "MIG device %u of GPU %u", i, gpu->index);
                if (rc != NVML_SUCCESS)
                        return nvml_fail(api, "nvmlDeviceGetMigDeviceHandleByIndex", subject, rc,
                                         err);
                nvct_mig_info *mig = &migs[n];
                mig->index = i;
                rc = api->get_gpu_instance_id(dev, &mig->gi_id);
                if (rc != NVML_SUCCESS)
                        return nvml_fail(api, "nvmlDeviceGetGpuInstanceId", subject, rc, err);
                rc = api->get_compute_instance_id(dev, &mig->ci_id);
                if (rc != NVML_SUCCESS)
                        return nvml_fail(api, "nvmlDeviceGetComputeInstanceId", subject, rc, err);
                rc = api->get_uuid(dev, mig->uuid, sizeof(mig->uuid));
                if (rc != NVML_SUCCESS)
                        return nvml_fail(api, "nvmlDeviceGetUUID", subject, rc, err);
                if (check_string(api, "nvmlDeviceGetUUID", subject, mig->uuid, sizeof(mig->uuid),
                                 STRING_ID, err) < 0)
                        return -1;
                n++;
        }
        if (n > 0) {
                gpu->migs = TAKE_PTR(migs);
                gpu->n_migs = n;
        }
        return 0;
}

static int query_gpu(const nvml_api *api, unsigned int index, nvct_gpu_info *gpu,
                     nvct_error **err) {
        char subject[32];
        snprintf(subject, sizeof(subject), "GPU %u", index);
        gpu->index = index;

        nvmlDevice_t dev = NULL;
        nvmlReturn_t rc = api->get_handle_by_index(index, &dev);
        if (rc != NVML_SUCCESS)
                return nvml_fail(api, "nvmlDeviceGetHandleByIndex_v2", subject, rc, err);

        rc = api->get_uuid(dev, gpu->uuid, sizeof(gpu->uuid));
        if (rc != NVML_SUCCESS)
                return nvml_fail(api, "nvmlDeviceGetUUID", subject, rc, err);
        if (check_string(api, "nvmlDeviceGetUUID", subject, gpu->uuid, sizeof(gpu->uuid), STRING_ID,
                         err) < 0)
                return -1;

        rc = api->get_minor_number(dev, &gpu->minor);
        if (rc != NVML_SUCCESS)
                return nvml_fail(api, "nvmlDeviceGetMinorNumber", subject, rc, err);

        /* The descriptive fields: absent (no symbol, or Not Supported)
         * leaves them unknown; any other failure is a GPU in trouble. */
        gpu->pci_bus_id[0] = '\0';
        gpu->name[0] = '\0';
        gpu->brand = 0;
        gpu->cc_major = gpu->cc_minor = -1;
        if (api->get_pci_info != NULL) {
                nvml_pci_info pci;
                memset(&pci, 0, sizeof(pci));
                rc = api->get_pci_info(dev, &pci);
                if (rc == NVML_SUCCESS) {
                        if (check_string(api, "nvmlDeviceGetPciInfo_v3", subject, pci.busId,
                                         sizeof(pci.busId), STRING_ID, err) < 0)
                                return -1;
                        _Static_assert(sizeof(gpu->pci_bus_id) >= sizeof(pci.busId),
                                       "bus id buffer");
                        memcpy(gpu->pci_bus_id, pci.busId, sizeof(pci.busId));
                } else if (rc != NVML_ERROR_NOT_SUPPORTED) {
                        return nvml_fail(api, "nvmlDeviceGetPciInfo_v3", subject, rc, err);
                }
        }
        if (api->get_name != NULL) {
                rc = api->get_name(dev, gpu->name, sizeof(gpu->name));
                if (rc == NVML_SUCCESS) {
                        if (check_string(api, "nvmlDeviceGetName", subject, gpu->name,
                                         sizeof(gpu->name), STRING_TEXT, err) < 0)
                                return -1;
                } else if (rc == NVML_ERROR_NOT_SUPPORTED) {
                        gpu->name[0] = '\0';
                } else {
                        return nvml_fail(api, "nvmlDeviceGetName", subject, rc, err);
                }
        }
        if (api->get_brand != NULL) {
                rc = api->get_brand(dev, &gpu->brand);
                if (rc == NVML_ERROR_NOT_SUPPORTED)
                        gpu->brand = 0;
                else if (rc != NVML_SUCCESS)
                        return nvml_fail(api, "nvmlDeviceGetBrand", subject, rc, err);
        }
        if (api->get_cuda_compute_capability != NULL) {
                rc = api->get_cuda_compute_capability(dev, &gpu->cc_major, &gpu->cc_minor);
                if (rc == NVML_ERROR_NOT_SUPPORTED)
                        gpu->cc_major = gpu->cc_minor = -1;
                else if (rc != NVML_SUCCESS)
                        return nvml_fail(api, "nvmlDeviceGetCudaComputeCapability", subject, rc,
                                         err);
        }

        if (!api->has_mig)
                return 0;
        unsigned int current = 0, pending = 0;
        rc = api->get_mig_mode(dev, &current, &pending);
        if (rc == NVML_ERROR_NOT_SUPPORTED)
                return 0;
        if (rc != NVML_SUCCESS)
                return nvml_fail(api, "nvmlDeviceGetMigMode", subject, rc, err);
        gpu->mig_capable = true;
        gpu->mig_enabled = current == NVML_DEVICE_MIG_ENABLE;
        if (!gpu->mig_enabled)
                return 0;
        return query_mig(api, dev, gpu, err);
}

/* Everything between nvmlInit and nvmlShutdown. */
static int query_initialized(const nvml_api *api, nvct_nvml_info *info, nvct_error **err) {
        nvmlReturn_t rc =
                api->get_driver_version(info->driver_version, sizeof(info->driver_version));
        if (rc != NVML_SUCCESS)
                return nvml_fail(api, "nvmlSystemGetDriverVersion", "", rc, err);
        if (check_string(api, "nvmlSystemGetDriverVersion", "", info->driver_version,
                         sizeof(info->driver_version), STRING_VERSION, err) < 0)
                return -1;

        info->cuda_driver_version = 0;
        if (api->get_cuda_driver_version != NULL) {
                rc = api->get_cuda_driver_version(&info->cuda_driver_version);
                if (rc == NVML_ERROR_NOT_SUPPORTED || info->cuda_driver_version < 0)
                        info->cuda_driver_version = 0;
                else if (rc != NVML_SUCCESS)
                        return nvml_fail(api, api->cuda_version_name, "", rc, err);
        }

        unsigned int count = 0;
        rc = api->get_count(&count);
        if (rc != NVML_SUCCESS)
                return nvml_fail(api, "nvmlDeviceGetCount_v2", "", rc, err);
        if (count > NVCT_NVML_MAX_GPUS)
                return nvct_error_make(err, 0,
                                       "%s: nvmlDeviceGetCount_v2 returned %u, more than the %u "
                                       "GPUs a host may have here",
                                       api->path, count, NVCT_NVML_MAX_GPUS);
        if (count == 0)
                return 0;

        info->gpus = calloc(count, sizeof(*info->gpus));
        if (info->gpus == NULL)
                return nvct_error_make(err, 0, "out of memory");
        for (unsigned int i = 0; i < count; i++) {
                /* Counted before it is filled, so that clearing frees its
                 * MIG devices if a later call fails. */
                info->n_gpus = i + 1;
                if (query_gpu(api, i, &info->gpus[i], err) < 0)
                        return -1;
        }
        return 0;
}

int nvct_nvml_query(const char *library_path, nvct_nvml_info *ret_info, nvct_error **err) {
        if (library_path == NULL || library_path[0] == '\0')
                return nvct_error_make(err, 0, "no NVML library path given");

        /* The library's path (from the driver root's ld.so.cache) names it in
         * every message: quoted once, as every path is (quote.h). */
        _cleanup_free_ char *quoted_path = nvct_quote_path(library_path);
        if (quoted_path == NULL)
                return nvct_error_make(err, 0, "out of memory");
        nvml_api api;
        memset(&api, 0, sizeof(api));
        api.path = quoted_path;

        dlerror();
        _cleanup_(dlclosep) void *handle = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
        if (handle == NULL) {
                /* dlerror() names the file, raw: the whole text is quoted. */
                const char *why = dlerror();
                _cleanup_free_ char *q = why != NULL ? nvct_quote_path(why) : NULL;
                if (q != NULL)
                        return nvct_error_make(err, 0, "cannot load NVML: %s", q);
                return nvct_error_make(err, 0, "cannot load NVML from %s", quoted_path);
        }
        if (load_api(handle, &api, err) < 0)
                return -1;

        nvmlReturn_t rc = api.init();
        if (rc != NVML_SUCCESS)
                return nvml_fail(&api, api.init_name, "", rc, err);

        _cleanup_(nvct_nvml_info_clear) nvct_nvml_info info;
        memset(&info, 0, sizeof(info));
        int r = query_initialized(&api, &info, err);
        /* Shut down on success and failure alike; a failing shutdown loses
         * nothing already read. */
        api.shutdown();
        if (r < 0)
                return r;

        *ret_info = info;
        memset(&info, 0, sizeof(info));
        return 0;
}

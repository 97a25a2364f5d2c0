/* SPDX-License-Identifier: Apache-2.0 */
/* What NVML says about the host's GPUs. libnvidia-ml.so.1 is loaded at run
 * time with dlopen from the driver root (never linked at build time: the
 * project builds and its tests run on machines without the driver), queried
 * once, shut down and unloaded. The ABI declarations are our own, written
 * from NVML's documented interface (the _v2/_v3 symbol versions). */
#ifndef NVCT_NVML_H
#define NVCT_NVML_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

/* Sizes as NVML's own buffers (NVML_DEVICE_UUID_V2_BUFFER_SIZE 96,
 * NVML_DEVICE_NAME_V2_BUFFER_SIZE 96, NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE 32,
 * NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80). Strings are NUL terminated. */
#define NVCT_NVML_UUID_SIZE 96
#define NVCT_NVML_NAME_SIZE 96
#define NVCT_NVML_BUS_ID_SIZE 32
#define NVCT_NVML_VERSION_SIZE 80
/* Bounds on what a (possibly broken) library may report. */
#define NVCT_NVML_MAX_GPUS 1024
#define NVCT_NVML_MAX_MIGS_PER_GPU 64

typedef struct nvct_mig_info {
        unsigned int index;             /* as nvmlDeviceGetMigDeviceHandleByIndex */
        unsigned int gi_id;             /* GPU instance id */
        unsigned int ci_id;             /* compute instance id */
        char uuid[NVCT_NVML_UUID_SIZE]; /* "MIG-..." */
} nvct_mig_info;

typedef struct nvct_gpu_info {
        unsigned int index;             /* NVML index */
        char uuid[NVCT_NVML_UUID_SIZE]; /* "GPU-..." */
        unsigned int minor;             /* /dev/nvidia<minor> */
        /* What only describes the GPU is unknown ("", 0, -1) when the
         * library lacks the call or answers Not Supported. */
        char pci_bus_id[NVCT_NVML_BUS_ID_SIZE]; /* "00000000:3B:00.0" */
        char name[NVCT_NVML_NAME_SIZE];         /* "NVIDIA H100 80GB HBM3" */
        int brand;                              /* nvmlBrandType_t */
        int cc_major, cc_minor;                 /* compute capability */
        bool mig_capable;                       /* nvmlDeviceGetMigMode answered */
        bool mig_enabled;                       /* current MIG mode is enabled */
        nvct_mig_info *migs;                    /* the MIG devices, by index */
        size_t n_migs;
} nvct_gpu_info;

typedef struct nvct_nvml_info {
        char driver_version[NVCT_NVML_VERSION_SIZE]; /* "550.54.15" */
        int cuda_driver_version;                     /* 12040 for CUDA 12.4; 0: unknown */
        nvct_gpu_info *gpus;                         /* by NVML index */
        size_t n_gpus;
} nvct_nvml_info;

/* dlopen()s the library at `library_path` (a path on this host), runs
 * nvmlInit_v2, reads everything above, then nvmlShutdown and dlclose. Errors
 * name the library and the NVML call with NVML's own error string. */
int nvct_nvml_query(const char *library_path, nvct_nvml_info *ret_info, nvct_error **err);
void nvct_nvml_info_clear(nvct_nvml_info *info);

/* "Tesla", "GeForce", ... for an nvmlBrandType_t; "Unknown" otherwise. */
const char *nvct_nvml_brand_name(int brand);

#endif

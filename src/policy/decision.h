/* SPDX-License-Identifier: Apache-2.0 */
/* The decision: which GPUs, MIG devices, IMEX channels, driver
 * capabilities and requirements a container gets, from its environment, its
 * mounts, its privileges and the hook config. This is the 1.3.0 reference's
 * getNvidiaConfig, rule for rule, with two deliberate differences (see
 * docs/architecture.md): the swarm resource variable takes precedence over
 * NVIDIA_VISIBLE_DEVICES, and requirements keep the order of their variables
 * in process.env.
 *
 * On top of it, the inputs NVIDIA's current hook reads and 1.3.0 did not,
 * each triggered only by a variable, mount path or config key 1.3.0 did not
 * read: NVIDIA_IMEX_CHANNELS and imex/ volume mounts, a comma-separated
 * swarm-resource, NVIDIA_REQUIRE_JETPACK* (not a requirement), and, for the
 * hook only (nvct_decision_input.hook), supported-driver-capabilities,
 * cuda-compat-mode and the runtime-mode refusal. What the decision leaves
 * out of a request is recorded with why (nvct_request.dropped). */
#ifndef NVCT_DECISION_H
#define NVCT_DECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "oci/env.h"
#include "basic/error.h"
#include "basic/strv.h"
#include "config/hookconfig.h"

#define NVCT_ALL_DRIVER_CAPABILITIES "compute,compat32,graphics,utility,video,display,ngx"
#define NVCT_DEFAULT_DRIVER_CAPABILITIES "utility,compute"
#define NVCT_DEVICE_LIST_MOUNT_ROOT "/var/run/nvidia-container-devices"
/* Under the device-list root: a /dev/null mount at imex/N requests IMEX
 * channel N, not a GPU. */
#define NVCT_IMEX_MOUNT_PREFIX "imex/"

typedef struct nvct_requirement {
        char *value;
        size_t value_len;
        char *origin; /* the variable it came from, e.g. "NVIDIA_REQUIRE_CUDA" */
        size_t origin_len;
} nvct_requirement;

typedef struct nvct_request {
        bool gpu_container; /* false: nothing to inject, nothing to exec */
        bool legacy_image;
        bool privileged;
        /* Why gpu_container is what it is, or where the device list came
         * from: for -dry-run and debugging. */
        char *devices_origin;
        char *devices; /* may be "" ("none") */
        size_t devices_len;
        char *mig_config_devices, *mig_monitor_devices;
        size_t mig_config_devices_len, mig_monitor_devices_len;
        char *driver_capabilities;
        size_t driver_capabilities_len;
        char *driver_capabilities_origin;
        nvct_requirement *requirements;
        size_t n_requirements, cap_requirements;
        bool disable_require; /* NVIDIA_DISABLE_REQUIRE */
        /* IMEX channels for --imex-channel (comma separated, may be "": no
         * flag) and where they came from. */
        char *imex_channels;
        size_t imex_channels_len;
        char *imex_channels_origin;
        /* Hook only: the --cuda-compat-mode value ("ldconfig", "mount",
         * "disabled"; static), NULL for no flag, and why. */
        const char *cuda_compat_mode;
        char *cuda_compat_mode_origin;
        /* Hook only: why the hook acts in the configured runtime mode. */
        char *runtime_mode_origin;
        /* Requests left out, one printable line each saying what and why
         * (values from the container quoted). */
        nvct_strv dropped;
} nvct_request;

typedef struct nvct_decision_input {
        const nvct_hook_config *config;
        const nvct_env *env;
        /* Cleaned destinations of the /dev/null mounts (nvct_spec). */
        char *const *dev_null_mounts;
        const size_t *dev_null_mount_lens;
        size_t n_dev_null_mounts;
        bool privileged;
        /* The hook's own rules (nvidia-container-runtime-hook sets it; the
         * runc wrapper does not): supported-driver-capabilities, the CUDA
         * compat mode, and the refusal to act when the runtime wrapper owns
         * GPU injection (mode cdi, jit-cdi or csv). */
        bool hook;
} nvct_decision_input;

int nvct_decide(const nvct_decision_input *in, nvct_request *ret_request, nvct_error **err);
void nvct_request_clear(nvct_request *req);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook update-application-profile: the driver application
 * profile that limits EGL and Vulkan to the container's GPUs (its
 * /dev/nvidiaN nodes), through cdihook/appprofile.h. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/rootfs.h"
#include "cdihook/appprofile.h"

#include "cdi-hook.h"

static const char *arg_container_spec;

static const nvct_cli_opt options[] = {
        CDI_HOOK_CONTAINER_SPEC_OPTION(arg_container_spec),
};

static int run_update_application_profile(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *rootfs = NULL;
        _cleanup_close_ int root_fd = -1;
        uint64_t mask;

        if (load_rootfs(arg_container_spec, &rootfs, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (nvct_cdihook_gpu_mask(root_fd, &mask, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (mask == 0) {
                debugf("no /dev/nvidiaN GPU in the container: no profile");
                return EXIT_SUCCESS;
        }
        if (nvct_cdihook_write_app_profile(root_fd, mask, &err) < 0)
                return nvct_cli_fail(call, &err);
        debugf("%s/%s: EGLVisibleDGPUDevices 0x%llx", NVCT_APP_PROFILE_DIR, NVCT_APP_PROFILE_NAME,
               (unsigned long long)mask);
        return EXIT_SUCCESS;
}

const nvct_cli_command cmd_update_application_profile = {
        .name = "update-application-profile",
        .summary = "limit EGL and Vulkan to the container's GPUs (an application profile)",
        .description = "Writes " NVCT_APP_PROFILE_DIR "/" NVCT_APP_PROFILE_NAME " in the "
                       "container: a driver application profile\nwhose EGLVisibleDGPUDevices "
                       "is the mask of the container's /dev/nvidiaN minors.",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = run_update_application_profile,
};

/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook disable-device-node-modification: the container's
 * /proc/driver/nvidia/params covered by a read-only copy that says
 * "ModifyDeviceFiles: 0" (cdihook/params.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "basic/cleanup.h"
#include "basic/cli.h"
#include "basic/error.h"
#include "basic/file.h"
#include "basic/rootfs.h"
#include "cdihook/params.h"

#include "cdi-hook.h"

static const char *arg_container_spec;

static const nvct_cli_opt options[] = {
        CDI_HOOK_CONTAINER_SPEC_OPTION(arg_container_spec),
};

static int run_disable_device_node_modification(const nvct_cli_call *call) {
        _cleanup_error_ nvct_error *err = NULL;
        _cleanup_free_ char *host = NULL, *modified = NULL, *rootfs = NULL;
        _cleanup_close_ int root_fd = -1;
        size_t host_len, modified_len;

        /* The host's file (procfs: read to EOF, bounded). No driver loaded:
         * nothing to do, as NVIDIA's hook. */
        int r = nvct_read_regular(NVCT_NVIDIA_PARAMS, "driver parameters file",
                                  NVCT_NVIDIA_PARAMS_MAX, true, &host, &host_len, &err);
        if (r == -ENOENT) {
                debugf("no %s on the host: nothing to do", NVCT_NVIDIA_PARAMS);
                return EXIT_SUCCESS;
        }
        if (r < 0)
                return nvct_cli_fail(call, &err);
        if (nvct_params_disable_modify(host, host_len, &modified, &modified_len, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (modified == NULL) {
                debugf("%s does not allow device node changes: nothing to do", NVCT_NVIDIA_PARAMS);
                return EXIT_SUCCESS;
        }
        if (load_rootfs(arg_container_spec, &rootfs, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (nvct_rootfs_open_root(rootfs, &root_fd, &err) < 0)
                return nvct_cli_fail(call, &err);
        if (nvct_params_mount(root_fd, NVCT_NVIDIA_PARAMS, modified, modified_len, &err) < 0)
                return nvct_cli_fail(call, &err);
        debugf("%s covered with ModifyDeviceFiles: 0", NVCT_NVIDIA_PARAMS);
        return EXIT_SUCCESS;
}

const nvct_cli_command cmd_disable_device_node_modification = {
        .name = "disable-device-node-modification",
        .summary = "keep the container from changing the driver's device nodes",
        .description = "Covers the container's " NVCT_NVIDIA_PARAMS " with a read-only copy of "
                       "the host's\nthat says \"ModifyDeviceFiles: 0\".",
        .options = options,
        .n_options = ARRAY_SIZE(options),
        .run = run_disable_device_node_modification,
};

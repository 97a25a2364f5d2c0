/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook disable-device-node-modification: the container sees the
 * driver's /proc/driver/nvidia/params with "ModifyDeviceFiles: 0", so that
 * libnvidia-ml and nvidia-smi inside it do not create or change device
 * nodes. As NVIDIA's hook: a read-only copy on a private tmpfs, bind mounted
 * over the container's file. */
#ifndef NVCT_CDIHOOK_PARAMS_H
#define NVCT_CDIHOOK_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

#define NVCT_NVIDIA_PARAMS "/proc/driver/nvidia/params"
/* The params file is about 1 KiB; a line of bufio.Scanner's is 64 KiB. */
#define NVCT_NVIDIA_PARAMS_MAX (64u << 10)

/* The params text with "ModifyDeviceFiles: 1" made "ModifyDeviceFiles: 0",
 * line by line as NVIDIA's hook rewrites it (each line ends in "\n"; a "\r"
 * before it is dropped). *ret_data is NULL (nothing to do) when the file
 * says 0 already or has no such line. */
int nvct_params_disable_modify(const char *data, size_t len, char **ret_data, size_t *ret_len,
                               nvct_error **err);

/* Bind mounts a read-only file holding `data` over `container_path` (a
 * regular file, resolved inside the root) in the calling process's mount
 * namespace (the container's, where a createContainer hook runs). The file
 * lives on a tmpfs of its own made with the new mount API and never
 * attached anywhere (fsopen, fsmount, open_tree, move_mount onto the
 * resolved fd): nothing is mounted by path, nothing appears in the root but
 * the file over the target. On kernels that cannot clone a detached mount,
 * the tmpfs is attached for a moment on a scratch folder in the root
 * (/var/run/nvidia-ctk-hook, as NVIDIA's hook), the file cloned from it,
 * and the tmpfs detached again. */
int nvct_params_mount(int root_fd, const char *container_path, const char *data, size_t len,
                      nvct_error **err);

/* For tests: take the scratch-folder way even where the kernel can clone a
 * detached mount. */
void nvct_params_force_scratch(bool force);

#endif

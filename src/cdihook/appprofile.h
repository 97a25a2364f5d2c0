/* SPDX-License-Identifier: Apache-2.0 */
/* nvidia-cdi-hook update-application-profile: a driver application profile
 * in the container that limits EGL and Vulkan to the container's GPUs. */
#ifndef NVCT_CDIHOOK_APPPROFILE_H
#define NVCT_CDIHOOK_APPPROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

/* Where the profile goes in the container, as NVIDIA's hook writes it. */
#define NVCT_APP_PROFILE_DIR "/etc/nvidia/nvidia-application-profiles-rc.d"
#define NVCT_APP_PROFILE_NAME "10-container.conf"

/* The GPUs the container has: a bit per minor (0 to 63) of each character
 * device /dev/nvidiaN in its root (N digits only; nvidiactl, nvidia-uvm and
 * symlinks are not GPUs). 0 when there is no /dev. Minors of 64 and more
 * cannot be a bit of the setting and are left out. */
int nvct_cdihook_gpu_mask(int root_fd, uint64_t *ret_mask, nvct_error **err);

/* The profile's text for `mask`: NVIDIA's JSON, the mask in hexadecimal.
 * Writes at most `size` bytes (NUL included); returns the length. */
size_t nvct_cdihook_app_profile(uint64_t mask, char *buf, size_t size);

/* Writes the profile for `mask` (mode 0444), replacing the file atomically;
 * the directory is made when missing. */
int nvct_cdihook_write_app_profile(int root_fd, uint64_t mask, nvct_error **err);

#endif

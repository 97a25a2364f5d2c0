/* SPDX-License-Identifier: Apache-2.0 */
/* The 1.3.0 hook's view of config.toml: config.h's loader with
 * NVCT_CONFIG_PROFILE_HOOK, which reads only the keys 1.3.0 knew, with
 * 1.3.0's defaults and key matching (see config.h), and the reference's
 * search order. */
#ifndef NVCT_HOOKCONFIG_H
#define NVCT_HOOKCONFIG_H

#include "config.h"

#define NVCT_CONFIG_PATH "/etc/nvidia-container-runtime/config.toml"
#define NVCT_DRIVER_CONFIG_PATH "/run/nvidia/driver" NVCT_CONFIG_PATH

/* The hook's config is the whole config; the fields 1.3.0 did not know stay
 * empty. */
typedef nvct_config nvct_hook_config;

/* 1.3.0's defaults. Allocates nothing, so it cannot fail. */
void nvct_hook_config_init_defaults(nvct_hook_config *config);
/* Frees what the config holds and leaves 1.3.0's defaults in place. */
void nvct_hook_config_clear(nvct_hook_config *config);

/* nvct_config_parse and nvct_config_load with the hook's profile. */
int nvct_hook_config_parse(const char *data, size_t len, const char *name,
                           nvct_hook_config *ret_config, nvct_error **err);
int nvct_hook_config_load(const char *explicit_path, const char *const *search_paths,
                          nvct_hook_config *ret_config, nvct_error **err);

/* The reference's search order. */
extern const char *const nvct_default_config_paths[];

#endif

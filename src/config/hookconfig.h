/* SPDX-License-Identifier: Apache-2.0 */
/* The hook's view of config.toml: config.h's loader with
 * NVCT_CONFIG_PROFILE_HOOK, which reads the keys 1.3.0 knew, with 1.3.0's
 * defaults and key matching, plus the newer keys the hook acts on, unset
 * unless set (see config.h); and where the hook finds the file. */
#ifndef NVCT_HOOKCONFIG_H
#define NVCT_HOOKCONFIG_H

#include "config.h"

#define NVCT_CONFIG_PATH "/etc/nvidia-container-runtime/config.toml"
#define NVCT_DRIVER_CONFIG_PATH "/run/nvidia/driver" NVCT_CONFIG_PATH

/* The hook's config is the whole config; the fields it does not read stay
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

#define NVCT_CONFIG_PATH_ENV "NVIDIA_CTK_CONFIG_FILE_PATH"
#define NVCT_CONFIG_XDG_ENV "XDG_CONFIG_HOME"

/* Where the hook's config came from, for -dry-run. */
typedef enum nvct_hook_config_from {
        NVCT_HOOK_CONFIG_FROM_FLAG,   /* -config */
        NVCT_HOOK_CONFIG_FROM_ENV,    /* $NVIDIA_CTK_CONFIG_FILE_PATH */
        NVCT_HOOK_CONFIG_FROM_XDG,    /* $XDG_CONFIG_HOME/nvidia-container-runtime */
        NVCT_HOOK_CONFIG_FROM_SEARCH, /* search_paths, or the built-in defaults */
} nvct_hook_config_from;

/* The hook's lookup, as NVIDIA's current hook and then 1.3.0's: `flag_path`
 * (-config) when non-empty, which must exist; else
 * $NVIDIA_CTK_CONFIG_FILE_PATH when non-empty, which must exist too; else
 * $XDG_CONFIG_HOME/nvidia-container-runtime/config.toml when XDG_CONFIG_HOME
 * is non-empty and that file exists; else `search_paths` (1.3.0's order);
 * else the defaults. `getenv_fn` is getenv (tests pass their own). */
int nvct_hook_config_locate_and_load(const char *flag_path, const char *const *search_paths,
                                     char *(*getenv_fn)(const char *), nvct_hook_config *ret_config,
                                     nvct_hook_config_from *ret_from, nvct_error **err);
/* A phrase for the report: "$NVIDIA_CTK_CONFIG_FILE_PATH", ...; NULL for
 * FROM_FLAG and FROM_SEARCH (1.3.0's ways, shown as before). */
const char *nvct_hook_config_from_name(nvct_hook_config_from from);

#endif

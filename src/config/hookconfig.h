/* SPDX-License-Identifier: Apache-2.0 */
/* The hook's own configuration (config.toml), with the reference's defaults,
 * search order and typing: unknown keys are ignored, a known key of the
 * wrong type is an error, keys match case-insensitively as the reference's
 * TOML decoder matches them to struct fields. */
#ifndef NVCT_HOOKCONFIG_H
#define NVCT_HOOKCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"

#define NVCT_CONFIG_PATH "/etc/nvidia-container-runtime/config.toml"
#define NVCT_DRIVER_CONFIG_PATH "/run/nvidia/driver" NVCT_CONFIG_PATH
/* Largest config.toml accepted. */
#define NVCT_CONFIG_MAX_SIZE (4u << 20)

typedef struct nvct_cli_config {
        /* NULL when unset. */
        char *root, *path, *debug, *ldcache, *user, *ldconfig;
        char **environment;
        size_t n_environment;
        bool load_kmods, no_pivot, no_cgroups;
} nvct_cli_config;

typedef struct nvct_hook_config {
        bool disable_require;
        char *swarm_resource; /* NULL when unset */
        bool accept_envvar_unprivileged;
        bool accept_volume_mounts;
        nvct_cli_config cli;
        char *source; /* the file it came from; NULL for built-in defaults */
} nvct_hook_config;

void nvct_hook_config_init_defaults(nvct_hook_config *config);
void nvct_hook_config_clear(nvct_hook_config *config);

/* Decodes a config document (already in memory) over the defaults. `name`
 * (the file's path) is quoted where messages name it. */
int nvct_hook_config_parse(const char *data, size_t len, const char *name,
                           nvct_hook_config *ret_config, nvct_error **err);

/* Loads `explicit_path` when it is non-NULL and non-empty (it must exist).
 * Otherwise the first of `search_paths` (NULL-terminated) that exists; one
 * that exists but cannot be read or parsed is an error; none: defaults. */
int nvct_hook_config_load(const char *explicit_path, const char *const *search_paths,
                          nvct_hook_config *ret_config, nvct_error **err);

/* The reference's search order. */
extern const char *const nvct_default_config_paths[];

#endif

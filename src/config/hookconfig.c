/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "hookconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/cleanup.h"

const char *const nvct_default_config_paths[] = { NVCT_DRIVER_CONFIG_PATH, NVCT_CONFIG_PATH, NULL };

void nvct_hook_config_init_defaults(nvct_hook_config *config) {
        /* The hook's defaults are booleans, NULL strings and empty lists
         * (tests/unit/test_hookconfig.c checks the table for it): nothing to
         * allocate, so this cannot fail. */
        (void)nvct_config_init_defaults(config, NVCT_CONFIG_PROFILE_HOOK, NULL);
}

void nvct_hook_config_clear(nvct_hook_config *config) {
        nvct_config_clear(config);
        nvct_hook_config_init_defaults(config);
}

int nvct_hook_config_parse(const char *data, size_t len, const char *name,
                           nvct_hook_config *ret_config, nvct_error **err) {
        return nvct_config_parse(data, len, name, NVCT_CONFIG_PROFILE_HOOK, ret_config, err);
}

int nvct_hook_config_load(const char *explicit_path, const char *const *search_paths,
                          nvct_hook_config *ret_config, nvct_error **err) {
        return nvct_config_load(explicit_path, search_paths, NVCT_CONFIG_PROFILE_HOOK, ret_config,
                                err);
}

int nvct_hook_config_locate_and_load(const char *flag_path, const char *const *search_paths,
                                     char *(*getenv_fn)(const char *), nvct_hook_config *ret_config,
                                     nvct_hook_config_from *ret_from, nvct_error **err) {
        if (flag_path != NULL && flag_path[0] != '\0') {
                *ret_from = NVCT_HOOK_CONFIG_FROM_FLAG;
                return nvct_hook_config_load(flag_path, NULL, ret_config, err);
        }
        /* Set by whoever set up the engine (root): like -config, a file
         * named on purpose must be there. */
        const char *env_path = getenv_fn(NVCT_CONFIG_PATH_ENV);
        if (env_path != NULL && env_path[0] != '\0') {
                *ret_from = NVCT_HOOK_CONFIG_FROM_ENV;
                if (nvct_hook_config_load(env_path, NULL, ret_config, err) < 0) {
                        nvct_error_prefix(err, "$" NVCT_CONFIG_PATH_ENV);
                        return -1;
                }
                return 0;
        }
        /* XDG_CONFIG_HOME is often set for other reasons: its file is used
         * when it exists, else the 1.3.0 search goes on as before. */
        const char *xdg = getenv_fn(NVCT_CONFIG_XDG_ENV);
        _cleanup_free_ char *xdg_path = NULL;
        _cleanup_free_ const char **paths = NULL;
        if (xdg != NULL && xdg[0] != '\0') {
                size_t n = 0;
                while (search_paths != NULL && search_paths[n] != NULL)
                        n++;
                paths = calloc(n + 2, sizeof(*paths));
                if (paths == NULL ||
                    asprintf(&xdg_path, "%s/nvidia-container-runtime/config.toml", xdg) < 0)
                        return nvct_error_make(err, 0, "out of memory");
                paths[0] = xdg_path;
                for (size_t i = 0; i < n; i++)
                        paths[i + 1] = search_paths[i];
        }
        if (nvct_hook_config_load(NULL, paths ? paths : search_paths, ret_config, err) < 0)
                return -1;
        *ret_from = xdg_path != NULL && ret_config->source != NULL &&
                                    strcmp(ret_config->source, xdg_path) == 0
                            ? NVCT_HOOK_CONFIG_FROM_XDG
                            : NVCT_HOOK_CONFIG_FROM_SEARCH;
        return 0;
}

const char *nvct_hook_config_from_name(nvct_hook_config_from from) {
        switch (from) {
        case NVCT_HOOK_CONFIG_FROM_ENV:
                return "$" NVCT_CONFIG_PATH_ENV;
        case NVCT_HOOK_CONFIG_FROM_XDG:
                return "$" NVCT_CONFIG_XDG_ENV "/nvidia-container-runtime/config.toml";
        default:
                return NULL;
        }
}
